using System.Text;
using System.Text.RegularExpressions;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>Seed inputs and checks shared by the text-reader fuzz tests.</summary>
internal static class FuzzSeeds
{
    /// <summary>The first <paramref name="lines"/> lines of a file under shared/data (read in place, never copied).</summary>
    public static byte[] Head(string relative, int lines)
    {
        using var reader = new StreamReader(SharedData.PathOf(relative), new UTF8Encoding(false, true));
        var text = new StringBuilder();
        for (int i = 0; i < lines && reader.ReadLine() is { } line; i++) text.Append(line).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>Throws <see cref="FuzzInvariantException"/> unless <paramref name="bytes"/> (after a UTF-8 BOM) are valid UTF-8; returns the text.</summary>
    public static string RequireUtf8(byte[] bytes)
    {
        ReadOnlySpan<byte> body = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
        try { return Strict.GetString(body); }
        catch (DecoderFallbackException) { throw new FuzzInvariantException("an input that is not valid UTF-8 was accepted"); }
    }

    /// <summary>True when <paramref name="message"/> starts with <c>path:line: </c>, or is one of <paramref name="wholeFile"/> (a problem of the whole file, e.g. empty).</summary>
    public static bool NamesLine(string path, string message, params string[] wholeFile) =>
        Regex.IsMatch(message, $"^{Regex.Escape(path)}:[1-9]\\d*: ") || wholeFile.Any(w => message == $"{path}: {w}");
}
