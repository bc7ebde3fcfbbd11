using System.Globalization;
using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>An ARPA file does not follow the format; the message names the file, the line and what was expected.</summary>
public sealed class ArpaFormatException : Exception
{
    /// <summary>Creates the exception; the message is <c>file:line: message</c>.</summary>
    public ArpaFormatException(string file, int line, string message) : this(file, line, message, null) { }

    internal ArpaFormatException(string file, int line, string message, Exception? inner) : base($"{file}:{line}: {message}", inner)
    {
        File = file;
        Line = line;
    }

    /// <summary>The file being read.</summary>
    public string File { get; }

    /// <summary>1-based line number (0 when the problem is the file as a whole).</summary>
    public int Line { get; }
}

/// <summary>
/// Reads ARPA back-off files (KenLM, SRILM, <see cref="ArpaWriter"/>) into a <see cref="BackoffModel"/>.
/// Validates the header counts, section order, numbers and n-gram orders. A model without &lt;unk&gt; gets one
/// with log10 p = −99; &lt;s&gt; and &lt;/s&gt; are required.
/// </summary>
public static class ArpaReader
{
    /// <summary>The most entries a table is given before its lines are read (a header count is a claim, not a size).</summary>
    private const int InitialCapacity = 1 << 16;

    /// <summary>Reads the ARPA file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArpaFormatException">The file is malformed (file, line and expectation in the message).</exception>
    public static BackoffModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new IOException($"ARPA file '{path}' is a directory, not a file.");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"ARPA file not found: '{path}'.", path);
        PathCheck.EnsureNotDevice(path, "ARPA file");
        try
        {
            // UTF-8 only: a UTF-16 or UTF-32 byte-order mark is invalid UTF-8 here, as in every other reader (a UTF-8 BOM is skipped at the header).
            using var reader = new StreamReader(path, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, 1 << 16);
            return Read(reader, path);
        }
        catch (ArpaFormatException e) when (e.InnerException is System.Text.DecoderFallbackException && TextFile.FindInvalidUtf8(path) is { } bad)
        {
            // The decoder works a buffer ahead of the lines; find the byte itself for the message.
            throw new ArpaFormatException(path, bad.Line, $"{bad}.", e.InnerException);
        }
    }

    /// <summary>Reads ARPA text from <paramref name="reader"/>; <paramref name="name"/> is used in error messages.</summary>
    public static BackoffModel Read(TextReader reader, string name) => Read(reader, name, int.MaxValue);

    /// <summary>
    /// <see cref="Read(TextReader, string)"/> with tables of at most <paramref name="maxEntries"/> n-grams each
    /// (<see cref="NGramTable.EntryLimit"/> bounds them too): a section that overfills its table is an
    /// <see cref="ArpaFormatException"/> at the line that would exceed it.
    /// </summary>
    internal static BackoffModel Read(TextReader reader, string name, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        var r = new LineReader(reader, name);
        List<int> declared = ReadHeader(r);
        int order = declared.Count;
        var tables = new NGramTable[order];
        var logProb = new float[order][];
        var logBackoff = new float[order][];

        // Unigrams first: they define the vocabulary (ids in file order).
        ExpectSection(r, 1, declared);
        // Header counts only hint the sizes: tables start at most InitialCapacity entries and grow as lines are read.
        int uniCapacity = Math.Min(declared[0], InitialCapacity) + 1;
        var words = new List<string>(uniCapacity);
        var uniProb = new List<float>(uniCapacity);
        var uniBackoff = new List<float>(uniCapacity);
        var uniFields = new Range[4];
        // Lines of the positive back-offs, the only ones that can lift a blank's probability above 1 (AddMissingContexts).
        var positiveBackoffLines = new Dictionary<(int Order, int Entry), int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < declared[0]; i++)
        {
            string line = NextEntry(r, 1, declared[0], i);
            Span<Range> fields = uniFields;
            int nf = SplitFields(line, fields);
            CheckFieldCount(r, nf, 1, order);
            uniProb.Add(ParseLogProbability(r, line.AsSpan()[fields[0]]));
            string word = line[fields[1]];
            if (!seen.Add(word)) throw new ArpaFormatException(name, r.Number, $"duplicate 1-gram '{word}'.");
            if (word.Any(NGramVocabulary.IsSeparator))
                throw new ArpaFormatException(name, r.Number, $"the 1-gram '{word}' contains a word separator other than space or tab (\\v, \\f or \\r; words are separated as KenLM separates them).");
            words.Add(word);
            uniBackoff.Add(nf == 3 ? ParseBackoff(r, line.AsSpan()[fields[2]], 1, order) : 0f);
            if (uniBackoff[^1] > 0) positiveBackoffLines[(1, i)] = r.Number;
        }
        if (!seen.Contains(TokenVocabulary.Unk))
        {
            words.Add(TokenVocabulary.Unk);
            uniProb.Add(BackoffModel.LogZero);
            uniBackoff.Add(0f);
        }
        NGramVocabulary vocabulary;
        try { vocabulary = new NGramVocabulary(words); }
        catch (ArgumentException e) { throw new ArpaFormatException(name, r.Number, $"invalid unigram section: {Checks.MessageWithoutParameter(e)}"); }
        if (words.Count > Math.Min(maxEntries, NGramTable.EntryLimit(1)))
            throw new ArpaFormatException(name, r.Number, $"the 1-gram section holds {words.Count} words with <unk>, more than one table holds ({Math.Min(maxEntries, NGramTable.EntryLimit(1))}).");
        tables[0] = new NGramTable(1, words.Count, maxEntries);
        for (int id = 0; id < words.Count; id++) tables[0].Add([id]);
        logProb[0] = uniProb.ToArray();
        logBackoff[0] = uniBackoff.ToArray();

        for (int k = 2; k <= order; k++)
        {
            ExpectSection(r, k, declared);
            int capacity = Math.Min(declared[k - 1], InitialCapacity);
            var table = new NGramTable(k, capacity, maxEntries);
            var prob = new float[capacity];
            var backoff = k < order ? new float[capacity] : [];
            var fields = new Range[k + 3];
            var ids = new int[k];
            for (int i = 0; i < declared[k - 1]; i++)
            {
                string line = NextEntry(r, k, declared[k - 1], i);
                int nf = SplitFields(line, fields);
                CheckFieldCount(r, nf, k, order);
                ReadOnlySpan<char> span = line;
                for (int j = 0; j < k; j++)
                {
                    ReadOnlySpan<char> word = span[fields[1 + j]];
                    if (!vocabulary.TryGetId(word, out ids[j]))
                        throw new ArpaFormatException(name, r.Number, $"word '{word}' of a {k}-gram is not in the unigram section.");
                }
                int entry;
                bool added;
                try { entry = table.Add(ids, NGramTable.Hash(ids), out added); }
                catch (NGramTableFullException e) { throw new ArpaFormatException(name, r.Number, $"the {k}-gram section overfills its table: {e.Message}", e); }
                if (!added) throw new ArpaFormatException(name, r.Number, $"duplicate {k}-gram '{line[fields[1].Start..fields[k].End]}'.");
                if (entry == prob.Length)
                {
                    int grown = (int)Math.Min(Math.Max(16L, 2L * prob.Length), declared[k - 1]);
                    Array.Resize(ref prob, grown);
                    if (k < order) Array.Resize(ref backoff, grown);
                }
                prob[entry] = ParseLogProbability(r, span[fields[0]]);
                float entryBackoff = nf == k + 2 ? ParseBackoff(r, span[fields[k + 1]], k, order) : 0f;
                if (k < order) backoff[entry] = entryBackoff;
                if (k < order && backoff[entry] > 0) positiveBackoffLines[(k, entry)] = r.Number;
            }
            tables[k - 1] = table;
            if (prob.Length != table.Count) Array.Resize(ref prob, table.Count);
            if (k < order && backoff.Length != table.Count) Array.Resize(ref backoff, table.Count);
            logProb[k - 1] = prob;
            logBackoff[k - 1] = backoff;
        }
        ExpectEnd(r, order);
        try { AddMissingContexts(name, positiveBackoffLines, vocabulary, tables, logProb, logBackoff); }
        catch (NGramTableFullException e)
        {
            throw new ArpaFormatException(name, r.Number, $"adding the contexts and suffixes the file leaves out overfills a table: {e.Message}", e);
        }
        return new BackoffModel(vocabulary, tables, logProb, logBackoff);
    }

    /// <summary>
    /// Pruned ARPA files (e.g. SRILM's) may hold "a b c" without its context "a b" or without its suffix "b c". The
    /// scorer extends a context only through stored n-grams and probes (c), (b c), (a b c) until one is missing, so
    /// it needs the stored set closed under both: the missing ones are added as blank entries, as KenLM's loaders
    /// do: back-off log10 1 = 0 and the probability the model gives them by backing off. A blank changes no
    /// probability (its back-off is 1, its probability the backed-off one), it only makes the longer n-grams
    /// reachable. Orders are closed from the top down, so a blank's own missing context and suffix are added in turn.
    /// A blank is stored and written like any n-gram, so its probability must be at most 1 too: a positive back-off
    /// that lifts it above 1 is an error at the back-off's line (<paramref name="positiveBackoffLines"/>, keyed by
    /// order and entry), not a model that <see cref="ArpaWriter"/> would write and this reader then reject.
    /// </summary>
    private static void AddMissingContexts(string name, Dictionary<(int Order, int Entry), int> positiveBackoffLines,
        NGramVocabulary vocabulary, NGramTable[] tables, float[][] logProb, float[][] logBackoff)
    {
        // 1. Close the tables under prefixes (contexts) and suffixes, top-down; remember where each order's blanks start.
        var firstBlank = new int[tables.Length];
        for (int k = 1; k <= tables.Length; k++) firstBlank[k - 1] = tables[k - 1].Count;
        for (int k = tables.Length; k >= 2; k--)
        {
            NGramTable higher = tables[k - 1], lower = tables[k - 2];
            for (int e = 0; e < higher.Count; e++)
            {
                lower.Add(higher.Key(e)[..^1]);
                lower.Add(higher.Key(e)[1..]);
            }
            Array.Resize(ref logProb[k - 2], lower.Count);
            Array.Resize(ref logBackoff[k - 2], lower.Count); // blank back-offs are log10 1 = 0
        }
        // 2. Blank probabilities bottom-up: log10 p(wj | w1..wj−1) = log10 bo(w1..wj−1) + log10 p(wj | w2..wj−1),
        //    the second term from orders 1..j−1, which are complete by then.
        for (int j = 2; j < tables.Length; j++)
        {
            if (firstBlank[j - 1] == tables[j - 1].Count) continue;
            var partial = new BackoffModel(vocabulary, tables[..(j - 1)], logProb[..(j - 1)], logBackoff[..(j - 1)]);
            for (int e = firstBlank[j - 1]; e < tables[j - 1].Count; e++)
            {
                ReadOnlySpan<int> key = tables[j - 1].Key(e);
                int context = tables[j - 2].Find(key[..^1]);
                float bo = logBackoff[j - 2][context];
                float p = bo + partial.LogProb10(key[1..^1], key[^1]);
                // p > 0 needs bo > 0 (the lower-order term is at most 0), and a positive back-off came from a line.
                if (p > 0)
                    throw new ArpaFormatException(name, positiveBackoffLines[(j - 1, context)],
                        $"the log10 back-off {bo.ToString(CultureInfo.InvariantCulture)} of '{Words(vocabulary, key[..^1])}' gives the {j}-gram '{Words(vocabulary, key)}', " +
                        $"which the file leaves out but a longer n-gram needs, log10 p = {p.ToString("G6", CultureInfo.InvariantCulture)} (a probability above 1).");
                logProb[j - 1][e] = p;
            }
        }
    }

    private static string Words(NGramVocabulary vocabulary, ReadOnlySpan<int> ids)
    {
        var words = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++) words[i] = vocabulary.TokenOf(ids[i]);
        return string.Join(' ', words);
    }

    private static List<int> ReadHeader(LineReader r)
    {
        string? line;
        // A byte-order mark survives in text handed over as a TextReader that did not strip it (U+FEFF is no whitespace for Trim).
        do { line = r.Next(); } while (line is not null && line.TrimStart('\uFEFF').Trim() != "\\data\\");
        if (line is null)
            throw r.Number == 0
                ? new ArpaFormatException(r.Name, 1, "the file is empty; expected the '\\data\\' header.")
                : new ArpaFormatException(r.Name, r.Number, "expected the '\\data\\' header, reached the end of the file.");
        var declared = new List<int>();
        while ((line = r.Next()) is not null)
        {
            string t = line.Trim();
            if (t.Length == 0) { if (declared.Count > 0) break; continue; }
            if (!t.StartsWith("ngram ", StringComparison.Ordinal))
            {
                if (t.StartsWith('\\')) { r.PushBack(line); break; }
                throw new ArpaFormatException(r.Name, r.Number, $"expected 'ngram {declared.Count + 1}=<count>', found '{t}'.");
            }
            int eq = t.IndexOf('=');
            if (eq < 0 || !int.TryParse(t.AsSpan(6, eq - 6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
                || !int.TryParse(t.AsSpan(eq + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
                throw new ArpaFormatException(r.Name, r.Number, $"expected 'ngram {declared.Count + 1}=<count>', found '{t}'.");
            if (k != declared.Count + 1)
                throw new ArpaFormatException(r.Name, r.Number, $"expected the count of order {declared.Count + 1}, found order {k}.");
            // Every order costs tables, state and stack space proportional to the order: the order is a claim to check too.
            if (k > NGramCounts.MaxOrder)
                throw new ArpaFormatException(r.Name, r.Number, $"order {k} is above the highest order read ({NGramCounts.MaxOrder}).");
            declared.Add(count);
        }
        if (declared.Count == 0) throw new ArpaFormatException(r.Name, r.Number, "expected 'ngram 1=<count>' after '\\data\\'.");
        return declared;
    }

    /// <summary>
    /// Reads the header line of the k-gram section. A line that is no section header where one is due, after the
    /// (k − 1)-grams, means that section holds more entries than the <c>\data\</c> header declares, and the error says so.
    /// </summary>
    private static void ExpectSection(LineReader r, int k, List<int> declared)
    {
        string? line = r.NextNonBlank();
        string want = $"\\{k}-grams:";
        if (line is null) throw new ArpaFormatException(r.Name, r.Number, $"expected section '{want}', reached the end of the file.");
        if (line.Trim() == want) return;
        string what = k > 1 && !line.TrimStart().StartsWith('\\')
            ? $"more {k - 1}-grams than the header declares ({declared[k - 2]}); expected section '{want}', found '{line.Trim()}'."
            : $"expected section '{want}', found '{line.Trim()}'.";
        throw new ArpaFormatException(r.Name, r.Number, what);
    }

    private static string NextEntry(LineReader r, int k, int declared, int index)
    {
        string? line = r.Next();
        if (line is null || line.Trim().Length == 0 || line.TrimStart().StartsWith('\\'))
            throw new ArpaFormatException(r.Name, r.Number,
                $"the header declares {declared} {k}-grams but the section has {index}; expected another {k}-gram line.");
        return line;
    }

    private static void ExpectEnd(LineReader r, int order)
    {
        string? line = r.NextNonBlank();
        if (line is null) throw new ArpaFormatException(r.Name, r.Number, "expected '\\end\\', reached the end of the file.");
        if (line.Trim() == "\\end\\") return;
        string what = line.TrimStart().StartsWith('\\')
            ? $"expected '\\end\\' after the {order}-grams (the header declares {order} orders), found '{line.Trim()}'."
            : $"more {order}-grams than the header declares; expected '\\end\\', found '{line.Trim()}'.";
        throw new ArpaFormatException(r.Name, r.Number, what);
    }

    private static void CheckFieldCount(LineReader r, int fields, int k, int order)
    {
        int min = k + 1, max = k + 2;
        if (fields < min || fields > max)
            throw new ArpaFormatException(r.Name, r.Number, $"expected {ExpectedFields(k, order)} in a {k}-gram line, found {fields} field(s).");
    }

    private static string ExpectedFields(int k, int order) => k < order
        ? $"log10 p, {k} word(s) and an optional back-off"
        : $"log10 p, {k} word(s) and an optional back-off of 0 (the highest order has no back-off)";

    // The highest order has no back-off: as in KenLM, a back-off field there is accepted only when it is 0.
    private static float ParseBackoff(LineReader r, ReadOnlySpan<char> text, int k, int order)
    {
        if (k == order && !float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !text.SequenceEqual("-inf"))
            throw new ArpaFormatException(r.Name, r.Number,
                $"expected {ExpectedFields(k, order)} in a {k}-gram line, found '{text}' after {k} word(s) (a {k + 1}-gram?).");
        float v = ParseFloat(r, text, "log10 back-off");
        if (k == order && v != 0)
            throw new ArpaFormatException(r.Name, r.Number,
                $"log10 back-off {text} on a {k}-gram: the highest order ({order}) has no back-off, so its back-off field may only be 0.");
        return v;
    }

    // A log10 probability is at most 0 (p ≤ 1); back-off weights may be positive.
    private static float ParseLogProbability(LineReader r, ReadOnlySpan<char> text)
    {
        float v = ParseFloat(r, text, "log10 probability");
        if (v > 0) throw new ArpaFormatException(r.Name, r.Number, $"log10 probability {text} is positive (a probability above 1).");
        return v;
    }

    private static float ParseFloat(LineReader r, ReadOnlySpan<char> text, string what)
    {
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)) return v;
        if (text.SequenceEqual("-inf")) return BackoffModel.LogZero;
        throw new ArpaFormatException(r.Name, r.Number, $"expected a number ({what}), found '{text}'.");
    }

    // Splits on spaces and tabs; returns the field count (capped at fields.Length, which makes an overlong line fail the count check).
    private static int SplitFields(string line, Span<Range> fields)
    {
        int n = 0, i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
            if (i == line.Length) break;
            int start = i;
            while (i < line.Length && line[i] != ' ' && line[i] != '\t') i++;
            if (n == fields.Length) return n + 1;
            fields[n++] = start..i;
        }
        return n;
    }

    private sealed class LineReader(TextReader reader, string name)
    {
        private string? _pushed;
        public string Name { get; } = name;
        public int Number { get; private set; }

        public string? Next()
        {
            if (_pushed is not null) { string p = _pushed; _pushed = null; Number++; return p; }
            string? line;
            try { line = reader.ReadLine(); }
            catch (System.Text.DecoderFallbackException e)
            {
                throw new ArpaFormatException(Name, Number + 1, "invalid UTF-8 (in this line or in the rest of the reader's buffer).", e);
            }
            if (line is not null) Number++;
            return line;
        }

        public string? NextNonBlank()
        {
            string? line;
            while ((line = Next()) is not null && line.Trim().Length == 0) { }
            return line;
        }

        public void PushBack(string line) { _pushed = line; Number--; }
    }
}
