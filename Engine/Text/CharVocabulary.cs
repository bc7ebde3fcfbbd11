using System.Text;

namespace SeqLearn.Text;

/// <summary>
/// Character vocabulary over Unicode scalar values (<see cref="Rune"/>): a Chinese character, an accented
/// letter or an emoji is one symbol each, never two UTF-16 halves. Symbols are ordered by scalar value so
/// the same text always gives the same ids. Optionally open: id 0 is then <c>&lt;unk&gt;</c>, decoded as U+FFFD.
/// </summary>
public sealed class CharVocabulary : IVocabulary
{
    private readonly Rune[] _symbols; // id → symbol (for the unk slot, U+FFFD)
    private readonly Dictionary<int, int> _ids;

    /// <summary>Creates a vocabulary whose ids follow <paramref name="symbols"/> in order (after &lt;unk&gt; if <paramref name="withUnk"/>).</summary>
    public CharVocabulary(IReadOnlyList<Rune> symbols, bool withUnk)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        UnkId = withUnk ? 0 : -1;
        _symbols = withUnk ? [Rune.ReplacementChar, .. symbols] : symbols.ToArray();
        _ids = new Dictionary<int, int>(_symbols.Length);
        for (int i = withUnk ? 1 : 0; i < _symbols.Length; i++)
            if (!_ids.TryAdd(_symbols[i].Value, i))
                throw new ArgumentException($"Symbol U+{_symbols[i].Value:X4} appears twice.", nameof(symbols));
    }

    /// <summary>
    /// Builds the vocabulary of every scalar value in <paramref name="text"/>, sorted by value. An empty text is an
    /// <see cref="ArgumentException"/>: its vocabulary would hold nothing to model or sample (only &lt;unk&gt; with
    /// <paramref name="withUnk"/>).
    /// </summary>
    public static CharVocabulary Build(string text, bool withUnk = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("CharVocabulary.Build: the text is empty; a character vocabulary needs at least one character.", nameof(text));
        var set = new SortedSet<int>();
        foreach (Rune r in Runes(text, "CharVocabulary.Build")) set.Add(r.Value);
        return new CharVocabulary(set.Select(v => new Rune(v)).ToArray(), withUnk);
    }

    /// <summary>
    /// The scalar values of <paramref name="text"/> in order, refusing a lone UTF-16 surrogate, which
    /// <see cref="string.EnumerateRunes"/> would turn into U+FFFD without a word (text read by <see cref="TextFile"/> never
    /// holds one: it is decoded from strict UTF-8).
    /// </summary>
    private static IEnumerable<Rune> Runes(string text, string op)
    {
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
                throw new ArgumentException($"{op}: the text holds a lone UTF-16 surrogate U+{(int)text[i]:X4} at index {i}; it is no character.", nameof(text));
            yield return rune;
            i += used;
        }
    }

    /// <inheritdoc/>
    public int Count => _symbols.Length;

    /// <inheritdoc/>
    public int UnkId { get; }

    /// <summary>The symbols in id order (the &lt;unk&gt; slot, if any, as U+FFFD).</summary>
    public IReadOnlyList<Rune> Symbols => _symbols;

    /// <inheritdoc/>
    public string TokenOf(int id) => Checks.Index(id, Count, "CharVocabulary.TokenOf", nameof(id)) == UnkId ? TokenVocabulary.Unk : _symbols[id].ToString();

    /// <inheritdoc/>
    /// <remarks>One symbol, or <c>&lt;unk&gt;</c> (what <see cref="TokenOf"/> names the unknown slot), so that
    /// <c>TryGetId(TokenOf(id))</c> gives back every id.</remarks>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        id = -1;
        if (UnkId >= 0 && token == TokenVocabulary.Unk)
        {
            id = UnkId;
            return true;
        }
        if (Rune.DecodeFromUtf16(token, out Rune r, out int used) != System.Buffers.OperationStatus.Done || used != token.Length)
            return false;
        return _ids.TryGetValue(r.Value, out id);
    }

    /// <summary>
    /// Id of one symbol; unknown → <see cref="UnkId"/>, or an error naming the symbol for a closed vocabulary (by its code
    /// point alone when it is a control or format character, which would not print as itself).
    /// </summary>
    public int IdOf(Rune symbol) => IdOf(symbol, nameof(symbol));

    private int IdOf(Rune symbol, string paramName)
    {
        if (_ids.TryGetValue(symbol.Value, out int id)) return id;
        if (UnkId >= 0) return UnkId;
        bool invisible = Rune.IsControl(symbol) || Rune.GetUnicodeCategory(symbol) == System.Globalization.UnicodeCategory.Format;
        string shown = invisible ? $"U+{symbol.Value:X4}" : $"'{symbol}' (U+{symbol.Value:X4})";
        throw new ArgumentException($"Character {shown} is not in the vocabulary and it has no <unk>.", paramName);
    }

    /// <inheritdoc/>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        foreach (Rune r in Runes(text, "CharVocabulary.Encode")) ids.Add(IdOf(r, nameof(text)));
        return ids.ToArray();
    }

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder(ids.Length);
        foreach (int id in ids) sb.Append(_symbols[Checks.Index(id, Count, "CharVocabulary.Decode", nameof(ids), "id")].ToString());
        return sb.ToString();
    }
}
