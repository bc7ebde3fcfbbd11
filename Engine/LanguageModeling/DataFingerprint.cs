using System.Globalization;

namespace SeqLearn.LanguageModeling;

/// <summary>
/// The length and a 64-bit FNV-1a hash of a token-id stream, written into a checkpoint's task state so that a resumed
/// run can tell whether it has the same data: printed as <c>"N tokens, fnv1a 0123456789abcdef"</c>. Not a cryptographic
/// hash: it catches another corpus, another split or another vocabulary, not a deliberate collision.
/// </summary>
internal readonly record struct DataFingerprint(int Length, ulong Hash)
{
    /// <summary>The fingerprint of <paramref name="ids"/>: each id's four little-endian bytes, in order (<see cref="Training.BatchOrderState.Fingerprint"/>).</summary>
    public static DataFingerprint Of(ReadOnlySpan<int> ids)
    {
        var hash = new Training.BatchOrderState.Fingerprint();
        hash.Add(ids);
        return new DataFingerprint(ids.Length, hash.Hash);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Length} tokens, fnv1a {Hash:x16}");
}
