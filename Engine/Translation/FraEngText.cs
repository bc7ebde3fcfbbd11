using System.Text;

namespace SeqLearn.Translation;

/// <summary>
/// The text normalisation of the English–French pairs, as d2l's <c>MTFraEng._preprocess</c> plus three quote and
/// space characters: U+00A0 (no-break space), U+202F (narrow no-break space) and U+2009 (thin space) → ' ';
/// U+2019 and U+2018 (curly apostrophes) → '\''; lower case; a space inserted before each of <c>, . ! ?</c> that
/// does not already follow a space. Tokens are then the whitespace-separated pieces.
/// <code>"Va !"  → "va !"      "Cours\u202f!" → "cours !"      "I'm OK." → "i'm ok ."      "Wait..." → "wait . . ."</code>
/// </summary>
public static class FraEngText
{
    /// <summary>Normalises one sentence (see the type's summary); runs of whitespace are kept as they are.</summary>
    public static string Preprocess(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        char previous = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = Map(text[i]);
            if (i > 0 && IsSpacedPunctuation(c) && previous != ' ') sb.Append(' ');
            sb.Append(c);
            previous = c;
        }
        return sb.ToString();
    }

    /// <summary>Whitespace tokens of an already preprocessed sentence.</summary>
    public static string[] Tokenize(string preprocessed)
    {
        ArgumentNullException.ThrowIfNull(preprocessed);
        return preprocessed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The preprocessed sentence with its tokens joined by single spaces (the canonical form stored in pairs).</summary>
    public static string Normalize(string text) => string.Join(' ', Tokenize(Preprocess(text)));

    private static bool IsSpacedPunctuation(char c) => c is ',' or '.' or '!' or '?';

    private static char Map(char c) => c switch
    {
        '\u00A0' or '\u202F' or '\u2009' => ' ',
        '\u2019' or '\u2018' => '\'',
        _ => char.ToLowerInvariant(c),
    };
}
