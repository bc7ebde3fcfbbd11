namespace SeqLearn.Text;

/// <summary>
/// A bijection between token strings and dense integer ids 0..Count-1, the common contract of
/// <see cref="CharVocabulary"/>, <see cref="WordVocabulary"/> and the n-gram vocabulary.
/// </summary>
public interface IVocabulary
{
    /// <summary>Number of symbols (V); ids are 0..Count-1.</summary>
    int Count { get; }

    /// <summary>Id that unknown symbols map to, or -1 for a closed vocabulary (unknown symbols are an error).</summary>
    int UnkId { get; }

    /// <summary>The token string of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is outside [0, Count).</exception>
    string TokenOf(int id);

    /// <summary>Looks up <paramref name="token"/> without falling back to <see cref="UnkId"/>.</summary>
    bool TryGetId(string token, out int id);

    /// <summary>Splits <paramref name="text"/> into this vocabulary's symbols and maps them to ids (unknown → <see cref="UnkId"/>).</summary>
    int[] Encode(string text);

    /// <summary>Inverse of <see cref="Encode"/>: the text the ids stand for.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, Count).</exception>
    string Decode(ReadOnlySpan<int> ids);
}
