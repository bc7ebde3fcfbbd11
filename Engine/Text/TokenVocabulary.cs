namespace SeqLearn.Text;

/// <summary>
/// A vocabulary of whitespace-separated tokens: an ordered list of distinct strings with a reverse index.
/// Base of <see cref="WordVocabulary"/> and of the n-gram vocabulary (which adds &lt;s&gt; and &lt;/s&gt;).
/// </summary>
public class TokenVocabulary : IVocabulary
{
    /// <summary>The unknown-word token.</summary>
    public const string Unk = "<unk>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary whose id i is <paramref name="tokens"/>[i]; <see cref="Unk"/> must be among them.</summary>
    /// <exception cref="ArgumentException">A token is repeated, empty, contains whitespace or a lone UTF-16 surrogate, or &lt;unk&gt; is missing.</exception>
    public TokenVocabulary(IReadOnlyList<string> tokens) : this(tokens, char.IsWhiteSpace)
    {
    }

    /// <summary>A vocabulary whose tokens must not contain a character for which <paramref name="isSeparator"/> is true.</summary>
    private protected TokenVocabulary(IReadOnlyList<string> tokens, Func<char, bool> isSeparator)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            string t = _tokens[i] ?? throw new ArgumentException($"Token {i} is null.", nameof(tokens));
            if (t.Length == 0 || t.Any(isSeparator))
                throw new ArgumentException($"Token {i} ('{t}') is empty or contains whitespace.", nameof(tokens));
            RefuseLoneSurrogate(t, $"Token {i}", nameof(tokens));
            if (!_ids.TryAdd(t, i))
                throw new ArgumentException($"Token '{t}' appears twice (ids {_ids[t]} and {i}).", nameof(tokens));
        }
        if (!_ids.TryGetValue(Unk, out int unk))
            throw new ArgumentException($"The vocabulary must contain {Unk}.", nameof(tokens));
        UnkId = unk;
    }

    /// <inheritdoc/>
    public int Count => _tokens.Length;

    /// <inheritdoc/>
    public int UnkId { get; }

    /// <summary>All token strings in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <inheritdoc/>
    public string TokenOf(int id) => _tokens[Checks.Index(id, Count, "TokenVocabulary.TokenOf", nameof(id))];

    /// <inheritdoc/>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out id);
    }

    /// <summary>Looks up a token given as a span (no allocation).</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) =>
        _ids.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out id);

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnkId"/> when it is not in the vocabulary.</summary>
    public int IdOrUnk(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out int id) ? id : UnkId;
    }

    /// <summary>The id of a token given as a span (no allocation when the token is known); unknown → <see cref="UnkId"/>.</summary>
    public int IdOrUnk(ReadOnlySpan<char> token) =>
        _ids.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out int id) ? id : UnkId;

    /// <summary>
    /// An <see cref="ArgumentException"/> naming <paramref name="where"/> and <paramref name="paramName"/> when
    /// <paramref name="text"/> holds a lone UTF-16 surrogate: it is no character and has no UTF-8 form, so a checkpoint or
    /// ARPA file would hold U+FFFD in its place and read back another token (text read by <see cref="TextFile"/> never holds one).
    /// </summary>
    internal static void RefuseLoneSurrogate(string text, string where, string paramName)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            throw new ArgumentException($"{where} holds a lone UTF-16 surrogate U+{(int)text[i]:X4} at index {i}; it is no character.", paramName);
        }
    }

    /// <summary>Whitespace tokenisation of one line (no end-of-sentence symbol is added).</summary>
    public static string[] Tokenize(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <inheritdoc/>
    public virtual int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] words = Tokenize(text);
        var ids = new int[words.Length];
        for (int i = 0; i < words.Length; i++) ids[i] = IdOrUnk(words[i]);
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var parts = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++) parts[i] = _tokens[Checks.Index(ids[i], Count, "TokenVocabulary.Decode", nameof(ids), "id")];
        return string.Join(' ', parts);
    }
}
