using SeqLearn.Data;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Data;

/// <summary>
/// <see cref="CorpusSplit"/> and <see cref="BatchPlan"/> name the parameter that is invalid; a batch plan refuses a
/// negative epoch, which would wrap onto another epoch's generator.
/// </summary>
public sealed class DataArgumentTests
{
    [Theory]
    [InlineData(-0.1, 0.5, "trainFraction")]
    [InlineData(double.NaN, 0.5, "trainFraction")]
    [InlineData(1.5, 0.0, "trainFraction")]
    [InlineData(0.5, -0.1, "validFraction")]
    [InlineData(0.5, double.NaN, "validFraction")]
    [InlineData(0.5, 0.6, "validFraction")]        // each valid on its own; together more than 1
    public void CorpusSplit_InvalidFraction_NamesIt(double train, double valid, string parameter) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => CorpusSplit.ByFraction(new int[10], train, valid)).ParamName);

    [Fact]
    public void BatchPlan_NoExamples_NamesTheCount()
    {
        Assert.Equal("count", Assert.Throws<ArgumentException>(() => BatchPlan.Shuffled(0, 4, 1, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentException>(() => BatchPlan.InOrder(-1, 4)).ParamName);
        Assert.Equal("lengths", Assert.Throws<ArgumentException>(() => BatchPlan.Bucketed([], 4, 1, 0)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.Permutation(-1, new SeededRng(1))).ParamName);
    }

    [Fact]
    public void Batches_InvalidContents_NameTheParameter()
    {
        ArgumentAssert.Invalid("rows", () => TokenBatch.Pad([[1]], [], 0));
        ArgumentAssert.Invalid("sequences", () => TokenBatch.Pad([[1], []], [0, 1], 0));
        ArgumentAssert.Invalid("sequences", () => TokenBatch.Pad([null!], [0], 0));
        ArgumentAssert.Invalid("targets", () => PairBatch.Pad([[1]], [[1], [2]], [0], 0, 1, 2));
        ArgumentAssert.Invalid("targets", () => PairBatch.Pad([[1]], [null!], [0], 0, 1, 2));
        var batcher = new BpttBatcher(Enumerable.Range(0, 20).ToArray(), batchSize: 2, steps: 3);
        ArgumentAssert.Invalid("inputs", () => batcher.Fill(0, new int[5], new int[6]));
        ArgumentAssert.Invalid("targets", () => batcher.Fill(0, new int[6], new int[5]));
        ArgumentAssert.Invalid("features", () => WindowBatch<float>.Gather(new float[6], new float[2], 3, 0, 1, [0]));
        ArgumentAssert.Invalid("inputs", () => WindowBatch<float>.Gather(new float[7], new float[2], 3, 2, 1, [0]));
        ArgumentAssert.Invalid("targets", () => WindowBatch<float>.Gather(new float[6], new float[2], 3, 2, 1, [0]));
        // T·F beyond an int: no input holds one window (an argument error, not an OverflowException)
        ArgumentAssert.Invalid("inputs", () => WindowBatch<float>.Gather(new float[6], new float[1], 65536, 65536, 1, [0]));
    }

    [Fact]
    public void BatchPlan_NegativeEpoch_IsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.Shuffled(10, 4, 1, -1));
        Assert.Equal("epoch", e.ParamName);
        Assert.StartsWith("BatchPlan.Shuffled: epochs count from 0, got -1.", e.Message);
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.Bucketed([1, 2, 3], 2, 1, -5)).ParamName);
        Assert.Equal(10, BatchPlan.Shuffled(10, 4, 1, 0).Sum(b => b.Length));
    }
}
