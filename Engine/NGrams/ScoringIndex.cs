namespace SeqLearn.NGrams;

/// <summary>
/// Query layout of a <see cref="BackoffModel"/>, built on first use: for each order k ≥ 2 one open-addressing
/// array of 16-byte slots {key, log10 p, log10 bo}, where the key of w1..wk is (slot of its context w1..wk−1,
/// wk). A scorer that holds the slots of its history n-grams finds the next n-gram with one hash lookup (linear
/// probing from its home slot, at load ≤ 1/2, usually in one cache line), comparing a single 64-bit key per slot
/// (exact: no hash-only matching). Unigrams are indexed by word id.
/// </summary>
internal sealed class ScoringIndex
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Slot
    {
        public long Key;        // ((context slot + 1) << 32) | word; 0 = empty
        public float LogProb;
        public float LogBackoff;
    }

    internal readonly Slot[][] Slots;  // [k-1], k ≥ 2
    internal readonly int[] Masks;

    public ScoringIndex(BackoffModel model)
    {
        int n = model.Order;
        Slots = new Slot[n][];
        Masks = new int[n];
        int[]? slotOfLower = null; // slot of each (k−1)-gram entry; null = unigrams, whose slot is their id
        for (int k = 2; k <= n; k++)
        {
            NGramTable table = model.Table(k), lower = model.Table(k - 1);
            int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, table.Count * 2));
            var slots = new Slot[size];
            int mask = size - 1;
            var slotOfEntry = new int[table.Count];
            ReadOnlySpan<float> logProb = model.LogProbs(k);
            ReadOnlySpan<float> logBackoff = k < n ? model.LogBackoffs(k) : default;
            for (int e = 0; e < table.Count; e++)
            {
                ReadOnlySpan<int> key = table.Key(e);
                int context = lower.Find(key[..^1]);
                if (context < 0)
                    throw new InvalidOperationException($"The {k}-gram entry {e} has no stored context; the model is not prefix-closed.");
                long packed = Pack(slotOfLower is null ? context : slotOfLower[context], key[^1]);
                int i = Home(packed, mask);
                while (slots[i].Key != 0) i = (i + 1) & mask;
                slots[i] = new Slot { Key = packed, LogProb = logProb[e], LogBackoff = k < n ? logBackoff[e] : 0f };
                slotOfEntry[e] = i;
            }
            Slots[k - 1] = slots;
            Masks[k - 1] = mask;
            slotOfLower = slotOfEntry;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Pack(int contextSlot, int word) => ((long)(contextSlot + 1) << 32) | (uint)word;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Home(long key, int mask)
    {
        ulong h = (ulong)key * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 32) & mask;
    }

    /// <summary>Slot of the k-gram with context slot <paramref name="contextSlot"/> and last word <paramref name="word"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(int k, int contextSlot, int word)
    {
        long key = Pack(contextSlot, word);
        Slot[] slots = Slots[k - 1];
        int mask = Masks[k - 1];
        int i = Home(key, mask);
        while (true)
        {
            long found = slots[i].Key;
            if (found == key) return i;
            if (found == 0) return -1;
            i = (i + 1) & mask;
        }
    }
}
