using SeqLearn.LanguageModeling;

namespace SeqLearn.Tests.LanguageModeling;

/// <summary>
/// The language model's data fingerprint is FNV-1a 64 over each id's four little-endian bytes: the value checkpoints
/// already hold, so a resume compares like with like. The expected hash is computed independently (offset basis
/// 14695981039346656037, prime 1099511628211) over the bytes 01 00 00 00, FE FF FF FF, 2C 01 00 00, 41 00 00 00.
/// </summary>
public class DataFingerprintTests
{
    [Fact]
    public void Of_IsFnv1aOverTheIdsLittleEndianBytes()
    {
        var f = DataFingerprint.Of([1, -2, 300, 65]);
        Assert.Equal(4, f.Length);
        Assert.Equal(0xb475756ad693e4d3UL, f.Hash);
        Assert.Equal("4 tokens, fnv1a b475756ad693e4d3", f.ToString());
        Assert.Equal(14695981039346656037UL, DataFingerprint.Of([]).Hash);
    }
}
