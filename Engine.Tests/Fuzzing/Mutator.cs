using System.Text;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>The kinds of damage <see cref="Mutator"/> does to a valid input.</summary>
public enum MutationKind
{
    /// <summary>One bit of one byte inverted.</summary>
    BitFlip,
    /// <summary>One byte replaced by a byte that matters to text formats (delimiters, quotes, 0x00, 0xFF…).</summary>
    ByteSet,
    /// <summary>The input cut at a random position.</summary>
    Truncate,
    /// <summary>One line removed.</summary>
    DropLine,
    /// <summary>One line repeated (in place or elsewhere).</summary>
    DuplicateLine,
    /// <summary>Two lines exchanged.</summary>
    SwapLines,
    /// <summary>A run of digits replaced by a huge or boundary count (2^31 − 1, 2^62, 10^9, 1e309…).</summary>
    HugeNumber,
    /// <summary>A number replaced by NaN, ±Infinity, inf, 1e999…</summary>
    NonFinite,
    /// <summary>An invalid UTF-8 sequence inserted (lone continuation, overlong, surrogate, truncated…).</summary>
    InvalidUtf8,
    /// <summary>A byte order mark added (UTF-8 at the start or inside, or a UTF-16 one at the start).</summary>
    Bom,
    /// <summary>Line ends turned into CRLF, or a lone CR inserted.</summary>
    Crlf,
    /// <summary>The input replaced by nothing, a newline, a BOM or blanks.</summary>
    Empty,
    /// <summary>A long line inserted (up to 100 KB, or 1 MB, of one letter, digits, spaces, tabs or one repeated token).</summary>
    LongLine,
    /// <summary>A tab, comma, quote, newline, space or backslash inserted.</summary>
    InsertDelimiter,
    /// <summary>Up to 16 bytes removed.</summary>
    DeleteRange,
    /// <summary>A short chunk repeated hundreds of times.</summary>
    RepeatChunk,
}

/// <summary>
/// A deterministic mutation engine for reader fuzzing: every choice comes from the <see cref="SeededRng"/> it is
/// given, so one (seed, input index) pair always gives the same bytes. Each call applies one to three mutations and
/// describes them, so that a failure names what was done.
/// </summary>
public static class Mutator
{
    private static readonly byte[] InterestingBytes =
        [0x00, 0xFF, (byte)'\n', (byte)'\r', (byte)'\t', (byte)' ', (byte)'"', (byte)',', (byte)'\\', (byte)'-', (byte)'+',
         (byte)'.', (byte)'0', (byte)'9', (byte)'e', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)'=', 0x80, 0xC3, 0x7F];

    /// <summary>The values <see cref="MutationKind.HugeNumber"/> writes.</summary>
    internal static readonly string[] HugeNumbers =
        ["2147483647", "2147483648", "4294967295", "4294967296", "1000000000", "2000000000", "4611686018427387904",
         "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
         "99999999999999999999999999999", "-1", "-2147483648", "-9223372036854775808", "0", "00000000000000000001",
         "1e9", "1e18", "1e308", "1e309", "-1e309", "1.7976931348623157e308", "4.9e-324", "1e-400", "0x10", "1_000"];

    /// <summary>The values <see cref="MutationKind.NonFinite"/> writes.</summary>
    internal static readonly string[] NonFiniteTokens =
        ["NaN", "nan", "-nan", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "+inf", "INF", "1e999", "-1e999", "∞", "-∞"];

    private static readonly byte[][] InvalidSequences =
        [[0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
         [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC3], [0xF0, 0x9F, 0x98]];

    private static readonly MutationKind[] Kinds = Enum.GetValues<MutationKind>();

    /// <summary>
    /// Applies one to three random mutations to a copy of <paramref name="input"/> and appends a description of
    /// each to <paramref name="log"/>.
    /// </summary>
    public static byte[] Mutate(byte[] input, SeededRng rng, List<string> log)
    {
        int count = 1 + rng.NextInt(3);
        byte[] bytes = input;
        for (int m = 0; m < count; m++)
        {
            var kind = Kinds[rng.NextInt(Kinds.Length)];
            if (kind == MutationKind.Empty && m > 0) kind = MutationKind.BitFlip; // emptiness is a whole-input case
            bytes = Apply(kind, bytes, rng, log);
        }
        return bytes;
    }

    /// <summary>Applies one mutation of kind <paramref name="kind"/> and logs it.</summary>
    public static byte[] Apply(MutationKind kind, byte[] bytes, SeededRng rng, List<string> log)
    {
        switch (kind)
        {
            case MutationKind.BitFlip:
            {
                if (bytes.Length == 0) return Insert(bytes, 0, [(byte)rng.NextInt(256)], kind, log);
                int at = rng.NextInt(bytes.Length), bit = rng.NextInt(8);
                var copy = (byte[])bytes.Clone();
                copy[at] ^= (byte)(1 << bit);
                log.Add($"{kind} byte {at} bit {bit}");
                return copy;
            }
            case MutationKind.ByteSet:
            {
                if (bytes.Length == 0) return Insert(bytes, 0, [InterestingBytes[rng.NextInt(InterestingBytes.Length)]], kind, log);
                int at = rng.NextInt(bytes.Length);
                var copy = (byte[])bytes.Clone();
                do copy[at] = InterestingBytes[rng.NextInt(InterestingBytes.Length)]; while (copy[at] == bytes[at]);
                log.Add($"{kind} byte {at} = 0x{copy[at]:X2}");
                return copy;
            }
            case MutationKind.Truncate:
            {
                if (bytes.Length == 0) return Apply(MutationKind.InsertDelimiter, bytes, rng, log);
                int at = rng.NextInt(bytes.Length);
                log.Add($"{kind} at {at} of {bytes.Length}");
                return bytes[..at];
            }
            case MutationKind.DropLine:
            {
                var lines = Lines(bytes);
                if (lines.Count == 0) return Apply(MutationKind.Truncate, bytes, rng, log);
                int i = rng.NextInt(lines.Count);
                log.Add($"{kind} {i + 1} of {lines.Count}");
                lines.RemoveAt(i);
                return Join(lines);
            }
            case MutationKind.DuplicateLine:
            {
                var lines = Lines(bytes);
                if (lines.Count == 0) return Apply(MutationKind.InsertDelimiter, bytes, rng, log);
                int i = rng.NextInt(lines.Count), to = rng.NextInt(2) == 0 ? i : rng.NextInt(lines.Count + 1);
                log.Add($"{kind} {i + 1} of {lines.Count} inserted at {to + 1}");
                lines.Insert(to, lines[i]);
                return Join(lines);
            }
            case MutationKind.SwapLines:
            {
                var lines = Lines(bytes);
                if (lines.Count < 2) return Apply(MutationKind.DuplicateLine, bytes, rng, log);
                int i = rng.NextInt(lines.Count), j = (i + 1 + rng.NextInt(lines.Count - 1)) % lines.Count;
                log.Add($"{kind} {i + 1} and {j + 1} of {lines.Count}");
                (lines[i], lines[j]) = (lines[j], lines[i]);
                return Join(lines);
            }
            case MutationKind.HugeNumber:
            {
                string value = HugeNumbers[rng.NextInt(HugeNumbers.Length)];
                return ReplaceNumber(bytes, value, digitsOnly: true, rng, kind, log);
            }
            case MutationKind.NonFinite:
            {
                string value = NonFiniteTokens[rng.NextInt(NonFiniteTokens.Length)];
                return ReplaceNumber(bytes, value, digitsOnly: false, rng, kind, log);
            }
            case MutationKind.InvalidUtf8:
            {
                byte[] seq = InvalidSequences[rng.NextInt(InvalidSequences.Length)];
                return Insert(bytes, rng.NextInt(bytes.Length + 1), seq, kind, log);
            }
            case MutationKind.Bom:
            {
                int variant = rng.NextInt(4);
                if (variant == 3) return Insert(bytes, rng.NextInt(bytes.Length + 1), [0xEF, 0xBB, 0xBF], kind, log);
                byte[] bom = variant switch { 0 or 1 => [0xEF, 0xBB, 0xBF], _ => [0xFF, 0xFE] };
                return Insert(bytes, 0, bom, kind, log);
            }
            case MutationKind.Crlf:
            {
                if (rng.NextInt(3) == 0) return Insert(bytes, rng.NextInt(bytes.Length + 1), [(byte)'\r'], kind, log);
                var result = new List<byte>(bytes.Length + bytes.Length / 8);
                foreach (byte b in bytes)
                {
                    if (b == '\n') result.Add((byte)'\r');
                    result.Add(b);
                }
                log.Add($"{kind} every LF → CRLF");
                return result.ToArray();
            }
            case MutationKind.Empty:
            {
                byte[][] empties = [[], [(byte)'\n'], [0xEF, 0xBB, 0xBF], [(byte)' ', (byte)'\t', (byte)'\r', (byte)'\n'], [0]];
                int v = rng.NextInt(empties.Length);
                log.Add($"{kind} variant {v}");
                return empties[v];
            }
            case MutationKind.LongLine:
            {
                int length = rng.NextInt(8) == 0 ? 1 << 20 : 1 + rng.NextInt(100_000);
                string unit = rng.NextInt(5) switch { 0 => "a", 1 => "9", 2 => " ", 3 => "ab ", _ => "\t" };
                var line = new StringBuilder(length + 2).Insert(0, unit, length / unit.Length + 1);
                line.Length = length;
                byte[] chunk = Encoding.UTF8.GetBytes(line.Append('\n').ToString());
                int at = LineStart(bytes, rng);
                log.Add($"{kind} of {length} × '{Escape(unit)}' at byte {at}");
                return Splice(bytes, at, 0, chunk);
            }
            case MutationKind.InsertDelimiter:
            {
                string[] delimiters = ["\t", ",", "\"", "\n", " ", "\\", "\n\n", "\t\t", ",,", "\"\""];
                string d = delimiters[rng.NextInt(delimiters.Length)];
                return Insert(bytes, rng.NextInt(bytes.Length + 1), Encoding.UTF8.GetBytes(d), kind, log);
            }
            case MutationKind.DeleteRange:
            {
                if (bytes.Length == 0) return bytes;
                int at = rng.NextInt(bytes.Length), length = 1 + rng.NextInt(Math.Min(16, bytes.Length - at));
                log.Add($"{kind} {length} bytes at {at}");
                return Splice(bytes, at, length, []);
            }
            case MutationKind.RepeatChunk:
            {
                if (bytes.Length == 0) return Apply(MutationKind.LongLine, bytes, rng, log);
                int at = rng.NextInt(bytes.Length), length = 1 + rng.NextInt(Math.Min(32, bytes.Length - at)), times = 2 + rng.NextInt(1000);
                byte[] chunk = new byte[length * times];
                for (int t = 0; t < times; t++) bytes.AsSpan(at, length).CopyTo(chunk.AsSpan(t * length));
                log.Add($"{kind} {length} bytes at {at} × {times}");
                return Splice(bytes, at, 0, chunk);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown mutation");
        }
    }

    /// <summary>Text of <paramref name="bytes"/> for a failure message: the first bytes, non-ASCII and controls escaped.</summary>
    public static string Preview(ReadOnlySpan<byte> bytes, int max = 240)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, max)])
            sb.Append(b switch { (byte)'\n' => "\\n", (byte)'\r' => "\\r", (byte)'\t' => "\\t", (byte)'\\' => "\\\\", >= 0x20 and < 0x7F => ((char)b).ToString(), _ => $"\\x{b:X2}" });
        if (bytes.Length > max) sb.Append($"… ({bytes.Length} bytes)");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\t", "\\t");

    private static byte[] Insert(byte[] bytes, int at, byte[] what, MutationKind kind, List<string> log)
    {
        log.Add($"{kind} {Preview(what)} at byte {at}");
        return Splice(bytes, at, 0, what);
    }

    private static byte[] Splice(byte[] bytes, int at, int remove, ReadOnlySpan<byte> insert)
    {
        var result = new byte[bytes.Length - remove + insert.Length];
        bytes.AsSpan(0, at).CopyTo(result);
        insert.CopyTo(result.AsSpan(at));
        bytes.AsSpan(at + remove).CopyTo(result.AsSpan(at + insert.Length));
        return result;
    }

    // Replaces one number (a digit run, or for digitsOnly = false a whole numeric token with sign, point and exponent).
    private static byte[] ReplaceNumber(byte[] bytes, string value, bool digitsOnly, SeededRng rng, MutationKind kind, List<string> log)
    {
        var starts = new List<int>();
        for (int i = 0; i < bytes.Length; i++)
            if (IsDigit(bytes[i]) && (i == 0 || !IsDigit(bytes[i - 1]))) starts.Add(i);
        byte[] text = Encoding.UTF8.GetBytes(value);
        if (starts.Count == 0) return Insert(bytes, rng.NextInt(bytes.Length + 1), text, kind, log);
        int start = starts[rng.NextInt(starts.Count)], end = start;
        if (digitsOnly) while (end < bytes.Length && IsDigit(bytes[end])) end++;
        else
        {
            while (start > 0 && (IsDigit(bytes[start - 1]) || bytes[start - 1] is (byte)'-' or (byte)'+' or (byte)'.')) start--;
            while (end < bytes.Length && (IsDigit(bytes[end]) || bytes[end] is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'-' or (byte)'+')) end++;
        }
        log.Add($"{kind} '{Preview(bytes.AsSpan(start, end - start), 40)}' at byte {start} → '{value}'");
        return Splice(bytes, start, end - start, text);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static int LineStart(byte[] bytes, SeededRng rng)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++) if (bytes[i] == '\n') starts.Add(i + 1);
        return starts[rng.NextInt(starts.Count)];
    }

    // Lines including their '\n' (the last one may lack it).
    private static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
            if (bytes[i] == '\n') { lines.Add(bytes[start..(i + 1)]); start = i + 1; }
        if (start < bytes.Length) lines.Add(bytes[start..]);
        return lines;
    }

    private static byte[] Join(List<byte[]> lines)
    {
        var result = new byte[lines.Sum(l => l.Length)];
        int at = 0;
        foreach (byte[] l in lines) { l.CopyTo(result, at); at += l.Length; }
        return result;
    }
}
