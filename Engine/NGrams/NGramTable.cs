namespace SeqLearn.NGrams;

/// <summary>
/// Open-addressing hash set of n-grams of one fixed order n, stored as packed id tuples (no string keys).
/// Entries are numbered 0..Count-1 in insertion order; callers keep per-entry payloads (counts, probabilities)
/// in parallel arrays. Memory: n ints per entry plus one 8-byte slot per entry at load ≤ 1/2.
/// The hash of (w1 … wn) folds the ids from the last to the first, so a scorer can extend a hash leftwards
/// one word at a time (<see cref="Extend"/>).
/// </summary>
public sealed class NGramTable
{
    /// <summary>Hash of the empty n-gram, the start of every fold.</summary>
    public const ulong EmptyHash = 0x9E3779B97F4A7C15UL;

    /// <summary>The most hash slots a table holds (2^30); a table holds at most half as many entries.</summary>
    public const int MaxSlots = 1 << 30;

    private int[] _ids;
    private long[] _slots; // 0 = empty; else (hash high 32 bits << 32) | (entry + 1)
    private int _mask;
    private readonly int _maxEntries;

    /// <summary>
    /// Creates an empty table for n-grams of <paramref name="order"/> words. It holds at most
    /// min(<see cref="MaxSlots"/> / 2, <see cref="Array.MaxLength"/> / order) n-grams: adding one more is an
    /// <see cref="InvalidOperationException"/> stating that limit.
    /// </summary>
    public NGramTable(int order, int capacity = 16) : this(order, capacity, int.MaxValue) { }

    /// <summary>A table that holds at most <paramref name="maxEntries"/> n-grams (at most <see cref="EntryLimit"/>).</summary>
    internal NGramTable(int order, int capacity, int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        // Sizes in long arithmetic: capacity · 2 slots and capacity · n ids must stay within one array.
        long slotsWanted = Math.Max(16L, 2L * capacity), idsWanted = Math.Max(16L, capacity) * order;
        if (slotsWanted > MaxSlots || idsWanted > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity),
                $"NGramTable: {capacity} n-grams of order {order} do not fit one table (at most {MaxSlots / 2} entries and {Array.MaxLength} ids).");
        Order = order;
        _maxEntries = Math.Min(maxEntries, EntryLimit(order));
        int initial = Math.Min(capacity, _maxEntries);   // never more room than the table may fill
        int slots = (int)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(16L, 2L * initial));
        _slots = new long[slots];
        _mask = slots - 1;
        _ids = new int[Math.Max(16L, initial) * order];
    }

    /// <summary>
    /// The most n-grams of <paramref name="order"/> words one table holds: half of <see cref="MaxSlots"/> (load ≤ 1/2),
    /// and no more than one array of ids holds.
    /// </summary>
    internal static int EntryLimit(int order) => (int)Math.Min(MaxSlots / 2, Array.MaxLength / order);

    /// <summary>
    /// The length an array of <paramref name="length"/> grows to when it must hold <paramref name="needed"/> values:
    /// double, but at least <paramref name="needed"/> and at most <paramref name="max"/> (computed in 64 bits).
    /// </summary>
    internal static int NextLength(int length, long needed, long max)
    {
        if (needed > max) throw new ArgumentOutOfRangeException(nameof(needed), $"NGramTable: {needed} values are above the limit {max}.");
        return (int)Math.Max(needed, Math.Min(2L * length, max));
    }

    /// <summary>Number of words per n-gram.</summary>
    public int Order { get; }

    /// <summary>Number of distinct n-grams stored.</summary>
    public int Count { get; private set; }

    /// <summary>Approximate bytes held by the table.</summary>
    public long Bytes => (long)_ids.Length * sizeof(int) + (long)_slots.Length * sizeof(long);

    /// <summary>The ids of entry <paramref name="entry"/>, oldest word first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="entry"/> is outside [0, <see cref="Count"/>).</exception>
    public ReadOnlySpan<int> Key(int entry) => new(_ids, Checks.Index(entry, Count, "NGramTable.Key", nameof(entry)) * Order, Order);

    /// <summary>Folds one more word onto the left of an n-gram hash: hash(w · rest) = Extend(hash(rest), w).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Extend(ulong hash, int id)
    {
        ulong h = (hash ^ (uint)id) * 0xFF51AFD7ED558CCDUL;
        return h ^ (h >> 29);
    }

    /// <summary>Hash of a whole n-gram (folded from its last word to its first).</summary>
    public static ulong Hash(ReadOnlySpan<int> ngram)
    {
        ulong h = EmptyHash;
        for (int i = ngram.Length - 1; i >= 0; i--) h = Extend(h, ngram[i]);
        return h;
    }

    /// <summary>Entry of <paramref name="ngram"/>, or -1 when absent.</summary>
    public int Find(ReadOnlySpan<int> ngram) => Find(ngram, Hash(ngram));

    /// <summary>Entry of <paramref name="ngram"/> whose <see cref="Hash"/> is <paramref name="hash"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<int> ngram, ulong hash)
    {
        long tag = (long)(hash & 0xFFFFFFFF00000000UL);
        int i = (int)hash & _mask;
        while (true)
        {
            long slot = _slots[i];
            if (slot == 0) return -1;
            if ((slot & unchecked((long)0xFFFFFFFF00000000UL)) == tag)
            {
                int entry = (int)(uint)slot - 1;
                if (new ReadOnlySpan<int>(_ids, entry * Order, Order).SequenceEqual(ngram)) return entry;
            }
            i = (i + 1) & _mask;
        }
    }

    /// <summary>Entry of <paramref name="ngram"/>, inserting it if absent (<paramref name="added"/> tells which).</summary>
    public int Add(ReadOnlySpan<int> ngram, ulong hash, out bool added)
    {
        if (ngram.Length != Order)
            throw new ArgumentException($"NGramTable.Add: expected {Order} ids, got {ngram.Length}.", nameof(ngram));
        long tag = (long)(hash & 0xFFFFFFFF00000000UL);
        int i = (int)hash & _mask;
        while (true)
        {
            long slot = _slots[i];
            if (slot == 0) break;
            if ((slot & unchecked((long)0xFFFFFFFF00000000UL)) == tag)
            {
                int found = (int)(uint)slot - 1;
                if (new ReadOnlySpan<int>(_ids, found * Order, Order).SequenceEqual(ngram))
                {
                    added = false;
                    return found;
                }
            }
            i = (i + 1) & _mask;
        }
        if (Count == _maxEntries)
            throw new NGramTableFullException($"NGramTable: a table of {Order}-grams holds at most {_maxEntries} n-grams, and it is full.");
        int entry = Count++;
        long idsNeeded = (long)(entry + 1) * Order;   // ≤ _maxEntries · Order ≤ Array.MaxLength
        if (idsNeeded > _ids.Length) Array.Resize(ref _ids, NextLength(_ids.Length, idsNeeded, (long)_maxEntries * Order));
        ngram.CopyTo(_ids.AsSpan(entry * Order));
        _slots[i] = tag | (long)(entry + 1);
        if (Count * 2 > _slots.Length) Grow();
        added = true;
        return entry;
    }

    /// <summary>Entry of <paramref name="ngram"/>, inserting it if absent.</summary>
    public int Add(ReadOnlySpan<int> ngram) => Add(ngram, Hash(ngram), out _);

    // Doubles the slots. Count ≤ _maxEntries ≤ MaxSlots / 2, so a table that grows has fewer than MaxSlots slots and
    // (a power of two) at most MaxSlots after doubling.
    private void Grow()
    {
        var slots = new long[_slots.Length * 2];
        int mask = slots.Length - 1;
        for (int e = 0; e < Count; e++)
        {
            ulong hash = Hash(Key(e));
            int i = (int)hash & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = (long)(hash & 0xFFFFFFFF00000000UL) | (long)(e + 1);
        }
        _slots = slots;
        _mask = mask;
    }
}

/// <summary>An n-gram added to a full <see cref="NGramTable"/> (the message states its limit).</summary>
internal sealed class NGramTableFullException(string message) : InvalidOperationException(message);
