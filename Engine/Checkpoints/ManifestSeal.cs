using System.Security.Cryptography;
using System.Text;

namespace SeqLearn.Checkpoints;

/// <summary>
/// The self-checksum of <c>checkpoint.json</c> (format version 2 on): <c>manifest_sha256</c> is the SHA-256 of the file's
/// bytes in which the 64 hexadecimal digits of that value are replaced by 64 <c>'0'</c> characters. It is defined on
/// the bytes, not on a re-serialisation of the JSON, so any reader can check it without a canonical JSON writer:
/// find the quoted value (it occurs exactly once), put zeros in its place, hash.
/// </summary>
internal static class ManifestSeal
{
    /// <summary>The key of the checksum in checkpoint.json.</summary>
    public const string Key = "manifest_sha256";

    /// <summary>The value written before the checksum is known (64 zeros).</summary>
    public static readonly string Placeholder = new('0', 64);

    /// <summary>
    /// Replaces the last quoted <see cref="Placeholder"/> in <paramref name="json"/>, the value of <see cref="Key"/> (the
    /// manifest's last field), with the checksum of the whole; the caller's own strings before it (a vocabulary token,
    /// say) may hold 64 zeros too.
    /// </summary>
    public static byte[] Seal(byte[] json)
    {
        int quoted = json.AsSpan().LastIndexOf(Encoding.ASCII.GetBytes($"\"{Placeholder}\""));
        int at = quoted < 0 ? -1 : quoted + 1;
        if (at < 0) throw new InvalidOperationException("ManifestSeal: the manifest has no placeholder to fill.");
        string sha = Convert.ToHexStringLower(SHA256.HashData(json));
        var sealedBytes = (byte[])json.Clone();
        Encoding.ASCII.GetBytes(sha).CopyTo(sealedBytes, at);
        return sealedBytes;
    }

    /// <summary>
    /// Checks that <paramref name="recorded"/> (the parsed value of <see cref="Key"/>) is the checksum of
    /// <paramref name="json"/>; a mismatch is a <see cref="CheckpointFormatException"/> saying the file was changed.
    /// </summary>
    public static void Verify(byte[] json, string recorded, string file)
    {
        if (recorded.Length != 64 || !recorded.All(char.IsAsciiHexDigitLower))
            throw new CheckpointFormatException(file, null, $"'{Key}' must be 64 lowercase hexadecimal digits.");
        int at = FindQuoted(json, recorded);
        if (at < 0 || FindQuoted(json, recorded, at + 1) >= 0)
            throw new CheckpointFormatException(file, null, $"the value of '{Key}' must occur exactly once in the file, as a plain JSON string.");
        var zeroed = (byte[])json.Clone();
        Encoding.ASCII.GetBytes(Placeholder).CopyTo(zeroed, at);
        string actual = Convert.ToHexStringLower(SHA256.HashData(zeroed));
        if (actual != recorded)
            throw new CheckpointFormatException(file, null,
                $"SHA-256 {actual} of the manifest does not match '{Key}' {recorded}: the file was edited or corrupted after it was written " +
                "(a checkpoint's manifest is not meant to be edited; docs/checkpoints.md#integrity).");
    }

    /// <summary>
    /// Recomputes the checksum of the manifest at <paramref name="path"/> in place, for tests that edit a manifest on
    /// purpose (the edit is then checked by what comes after the seal). Works on the text, so the edit may even break the JSON.
    /// </summary>
    internal static void Reseal(string path)
    {
        string text = File.ReadAllText(path);
        var m = System.Text.RegularExpressions.Regex.Match(text, $"\"{Key}\"\\s*:\\s*\"([0-9a-f]{{64}})\"");
        if (!m.Success) throw new InvalidOperationException($"ManifestSeal.Reseal: {path} has no {Key}.");
        text = text[..m.Groups[1].Index] + Placeholder + text[(m.Groups[1].Index + 64)..];
        File.WriteAllBytes(path, Seal(Encoding.UTF8.GetBytes(text)));
    }

    // The index of the first hex digit of "value" (with its quotes) at or after `from`, or -1.
    private static int FindQuoted(byte[] json, string value, int from = 0)
    {
        byte[] quoted = Encoding.ASCII.GetBytes($"\"{value}\"");
        int i = json.AsSpan(from).IndexOf(quoted);
        return i < 0 ? -1 : from + i + 1;
    }
}
