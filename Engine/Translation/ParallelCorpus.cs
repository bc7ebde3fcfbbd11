using System.Text;
using SeqLearn.Text;

namespace SeqLearn.Translation;

/// <summary>
/// Reads a tab-separated parallel corpus: one pair per line, <c>source&lt;TAB&gt;target</c>, UTF-8; further
/// tab-separated columns (such as an attribution) are ignored. Both sides go through <see cref="FraEngText.Normalize"/>.
/// Errors name the file and line: <c>path:line: ...</c> (a line without a tab, an empty side, invalid UTF-8).
/// A final newline and a '\r' before it are accepted; an empty line, or a '\r' anywhere else (CR-only line endings), is an error.
/// </summary>
public static class ParallelCorpus
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and preprocesses every pair of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The path is a directory or a device, or the file is larger than an array can hold.</exception>
    /// <exception cref="TextFormatException">The file is empty, a line is not valid UTF-8, holds a '\r' not before its newline, has no tab, or has an empty side.</exception>
    public static IReadOnlyList<TranslationPair> Read(string path)
    {
        PathCheck.EnsureInputFile(path, "Parallel corpus");
        return Parse(TextFile.ReadInputBytes(path, "Parallel corpus"), path);
    }

    /// <summary>Parses the bytes of a corpus; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<TranslationPair> Parse(ReadOnlySpan<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (bytes.IsEmpty) throw new TextFormatException($"{source}: the file is empty.");
        var pairs = new List<TranslationPair>();
        int lineNumber = 0;
        while (!bytes.IsEmpty)
        {
            lineNumber++;
            int end = bytes.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? bytes : bytes[..end];
            bytes = end < 0 ? [] : bytes[(end + 1)..];
            if (line.EndsWith((ReadOnlySpan<byte>)"\r"u8)) line = line[..^1];
            string text = Decode(line, source, lineNumber);   // first: a binary file is invalid UTF-8, whatever '\r' bytes it holds
            int cr = line.IndexOf((byte)'\r');
            if (cr >= 0)   // CR-only line endings would otherwise merge lines into one pair (its later lines lost past the second tab)
                throw new TextFormatException($"{source}:{lineNumber}: a carriage return at byte {cr + 1} of the line does not end it; lines must end with LF or CRLF.");
            pairs.Add(ParseLine(text, source, lineNumber));
        }
        return pairs;
    }

    private static string Decode(ReadOnlySpan<byte> line, string source, int lineNumber)
    {
        try { return StrictUtf8.GetString(line); }
        catch (DecoderFallbackException e)
        {
            int column = e.Index >= 0 ? e.Index + 1 : 1;
            throw new TextFormatException($"{source}:{lineNumber}: invalid UTF-8 at byte {column} of the line.");
        }
    }

    private static TranslationPair ParseLine(string text, string source, int lineNumber)
    {
        int tab = text.IndexOf('\t');
        if (tab < 0)
            throw new TextFormatException($"{source}:{lineNumber}: expected 'source<TAB>target', found no tab in '{Checks.Excerpt(text)}'.");
        int tab2 = text.IndexOf('\t', tab + 1);
        string sourceText = FraEngText.Normalize(text[..tab]);
        string targetText = FraEngText.Normalize(tab2 < 0 ? text[(tab + 1)..] : text[(tab + 1)..tab2]);
        if (sourceText.Length == 0 || targetText.Length == 0)
            throw new TextFormatException($"{source}:{lineNumber}: the {(sourceText.Length == 0 ? "source" : "target")} side is empty.");
        return new TranslationPair(sourceText, targetText, lineNumber);
    }

}
