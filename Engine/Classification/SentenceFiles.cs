using System.Buffers;
using System.Text.Unicode;
using SeqLearn.Text;

namespace SeqLearn.Classification;

/// <summary>How the string labels of a <c>label&lt;TAB&gt;text</c> file are numbered.</summary>
public enum LabelOrder
{
    /// <summary>Ids in the order the labels first appear in the file (the first line's label is 0).</summary>
    FirstSeen,

    /// <summary>Ids in ordinal (byte-wise) string order of the labels, independent of the line order.</summary>
    Sorted,
}

/// <summary>
/// Readers of labelled sentence files. Every file is decoded as strict UTF-8 (a leading BOM is skipped, a trailing
/// '\r' is removed from each line) and tokenised on whitespace; a line that is not valid UTF-8, holds a '\r' that does not
/// end it (CR-only line endings), is blank, or (for <see cref="ReadTabSeparated"/>) has no label is a
/// <see cref="FormatException"/> whose message begins with <c>path:line:</c> (lines counted from 1).
/// </summary>
/// <remarks>
/// The sentence polarity files in shared/data/sentiment are valid UTF-8 (checked: 408 and 385 non-ASCII bytes, all in
/// well-formed sequences). Other copies of the same data are Windows-1252/Latin-1; those are rejected at the first bad
/// byte rather than guessed at, and can be converted with <c>iconv -f cp1252 -t utf-8</c>.
/// </remarks>
public static class SentenceFiles
{
    /// <summary>Class names of <see cref="ReadPolarity"/>: neg = 0, pos = 1.</summary>
    public static readonly IReadOnlyList<string> PolarityClasses = ["neg", "pos"];

    /// <summary>
    /// Reads the Pang &amp; Lee sentence polarity files (rt-polarity.pos and rt-polarity.neg, one tokenised sentence
    /// per line): the positive sentences first (label 1), then the negative ones (label 0), each in file order. A file
    /// without a line is a <see cref="FormatException"/> naming it (its class would be empty).
    /// </summary>
    public static LabeledSentences ReadPolarity(string posPath, string negPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(posPath);
        ArgumentException.ThrowIfNullOrEmpty(negPath);
        string[][] pos = ReadSentences(posPath);
        string[][] neg = ReadSentences(negPath);
        int[] labels = [.. Enumerable.Repeat(1, pos.Length), .. Enumerable.Repeat(0, neg.Length)];
        return new LabeledSentences([.. pos, .. neg], labels, PolarityClasses);
    }

    /// <summary>
    /// Reads a UTF-8 file of <c>label&lt;TAB&gt;text</c> lines (any number of classes). The label is the text
    /// before the first tab, trimmed; the rest is the sentence, tokenised on whitespace. Labels are numbered by
    /// <paramref name="order"/>.
    /// </summary>
    /// <exception cref="FormatException">A line has no tab, an empty label or no tokens, or is not valid UTF-8.</exception>
    public static LabeledSentences ReadTabSeparated(string path, LabelOrder order = LabelOrder.FirstSeen)
    {
        string[] lines = ReadLines(path);
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rawLabels = new string[lines.Length];
        var sentences = new string[lines.Length][];
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int tab = line.IndexOf('\t');
            if (tab < 0)
                throw new FormatException($"{path}:{i + 1}: expected 'label<TAB>text', found no tab.");
            string label = line[..tab].Trim();
            if (label.Length == 0)
                throw new FormatException($"{path}:{i + 1}: the label before the tab is empty.");
            rawLabels[i] = label;
            sentences[i] = Tokens(line[(tab + 1)..], path, i + 1);
            if (seen.Add(label)) names.Add(label);
        }
        if (lines.Length == 0) throw new FormatException($"{path}: the file has no lines.");
        if (order == LabelOrder.Sorted) names.Sort(StringComparer.Ordinal);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < names.Count; c++) ids[names[c]] = c;
        return new LabeledSentences(sentences, rawLabels.Select(l => ids[l]).ToArray(), names);
    }

    /// <summary>
    /// The lines of a strict UTF-8 file (split on '\n', a trailing '\r' removed, no empty last line for a final newline;
    /// any other '\r' is a <see cref="FormatException"/> naming its line and byte).
    /// An invalid byte is reported as <c>path:line: invalid UTF-8 at byte b of the line (0xNN)</c>; a directory, a device or a
    /// file larger than an array can hold is an <see cref="IOException"/> naming the path.
    /// </summary>
    public static string[] ReadLines(string path)
    {
        PathCheck.EnsureInputFile(path, "Sentence file");
        ReadOnlySpan<byte> bytes = TextFile.ReadInputBytes(path, "Sentence file");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        var lines = new List<string>();
        char[] chars = ArrayPool<char>.Shared.Rent(1024);
        try
        {
            for (int number = 1; bytes.Length > 0; number++)
            {
                int end = bytes.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? bytes : bytes[..end];
                bytes = end < 0 ? [] : bytes[(end + 1)..];
                if (line.EndsWith((byte)'\r')) line = line[..^1];
                if (chars.Length < line.Length)
                {
                    ArrayPool<char>.Shared.Return(chars);
                    chars = ArrayPool<char>.Shared.Rent(line.Length);
                }
                if (Utf8.ToUtf16(line, chars, out int read, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
                    throw new FormatException(
                        $"{path}:{number}: invalid UTF-8 at byte {read + 1} of the line (0x{line[read]:X2}); the file must be UTF-8 " +
                        "(a Windows-1252 copy converts with iconv -f cp1252 -t utf-8).");
                int cr = line.IndexOf((byte)'\r');
                if (cr >= 0)   // CR-only line endings would otherwise make the whole file one sentence
                    throw new FormatException($"{path}:{number}: a carriage return at byte {cr + 1} of the line does not end it; lines must end with LF or CRLF.");
                lines.Add(new string(chars, 0, written));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
        return lines.ToArray();
    }

    // One sentence per line; a file without a line would leave its class empty, so it is refused like ReadTabSeparated's.
    private static string[][] ReadSentences(string path)
    {
        string[] lines = ReadLines(path);
        if (lines.Length == 0) throw new FormatException($"{path}:1: the file has no lines (expected one sentence per line).");
        return [.. lines.Select((l, i) => Tokens(l, path, i + 1))];
    }

    private static string[] Tokens(string text, string path, int line)
    {
        string[] tokens = TokenVocabulary.Tokenize(text);
        if (tokens.Length == 0) throw new FormatException($"{path}:{line}: the sentence has no tokens.");
        return tokens;
    }
}
