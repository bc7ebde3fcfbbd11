using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Data;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Data;

public class BatchingTests
{
    private static int[] Lengths(int n, ulong seed)
    {
        var rng = new SeededRng(seed);
        return Enumerable.Range(0, n).Select(_ => 1 + rng.NextInt(40)).ToArray();
    }

    [Fact]
    public void Plans_CoverEveryExampleExactlyOnce_InBatchesOfAtMostB()
    {
        Prop.ForAll(Gen.Choose(1, 300).ToArbitrary(), Gen.Choose(1, 40).ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), (n, b, epoch) =>
        {
            var lengths = Lengths(n, (ulong)n);
            var bucketed = BatchPlan.Bucketed(lengths, b, 7, epoch, poolBatches: 4);
            foreach (var plan in new[] { BatchPlan.InOrder(n, b), BatchPlan.Shuffled(n, b, 7, epoch), bucketed })
            {
                Assert.Equal(Enumerable.Range(0, n), plan.SelectMany(x => x).Order());
                Assert.All(plan, batch => Assert.InRange(batch.Length, 1, b));
            }
            Assert.Equal((n + b - 1) / b, BatchPlan.Shuffled(n, b, 7, epoch).Length);
            Assert.True(bucketed.Count(x => x.Length < b) <= (n + 4 * b - 1) / (4 * b), "at most one short batch per pool of 4·B");
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plans_BatchSizeNearIntMax_AreOneBatchOfEveryExample()
    {
        int[] all = [0, 1, 2, 3, 4];
        foreach (int b in new[] { int.MaxValue, int.MaxValue - 3 })
        {
            Assert.Equal([all], BatchPlan.InOrder(5, b));
            Assert.Equal(all, Assert.Single(BatchPlan.Shuffled(5, b, 7, 0)).Order());
            Assert.Equal(all, Assert.Single(BatchPlan.Bucketed([3, 1, 4, 1, 5], b, 7, 0)).Order());
        }
    }

    [Fact]
    public void Plans_AreAFunctionOfSeedAndEpoch()
    {
        var lengths = Lengths(200, 1);
        Assert.Equal(BatchPlan.Bucketed(lengths, 16, 3, 2), BatchPlan.Bucketed(lengths, 16, 3, 2));
        Assert.NotEqual(BatchPlan.Bucketed(lengths, 16, 3, 2), BatchPlan.Bucketed(lengths, 16, 3, 3));
        Assert.NotEqual(BatchPlan.Bucketed(lengths, 16, 3, 2), BatchPlan.Bucketed(lengths, 16, 4, 2));
        Assert.Equal(BatchPlan.Shuffled(200, 16, 3, 0), BatchPlan.Shuffled(200, 16, 3, 0));
        Assert.NotEqual(BatchPlan.Shuffled(200, 16, 3, 0), BatchPlan.Shuffled(200, 16, 3, 1));
    }

    [Fact]
    public void Bucketed_PadsFarLessThanShuffled()
    {
        var lengths = Lengths(2000, 5);
        long Padding(int[][] plan) => plan.Sum(batch => batch.Sum(i => (long)(batch.Max(j => lengths[j]) - lengths[i])));
        long shuffled = Padding(BatchPlan.Shuffled(2000, 32, 1, 0));
        long bucketed = Padding(BatchPlan.Bucketed(lengths, 32, 1, 0));
        // Lengths uniform on 1..40: a random batch of 32 pads ~19 steps a row; a sorted pool of 1,600 spreads a batch over < 1 step.
        Assert.True(bucketed * 10 < shuffled, $"bucketed padding {bucketed} vs shuffled {shuffled}");
    }

    [Fact]
    public void TokenBatch_PadsAtTheEnd_WithLengthsMaskAndIgnoredTargets()
    {
        int[][] seqs = [[5, 6, 7], [8], [9, 10]];
        var batch = TokenBatch.Pad(seqs, [2, 0, 1], padId: 0);
        Assert.Equal(3, batch.Steps);
        Assert.Equal([2, 3, 1], batch.Lengths);
        Assert.Equal([9, 10, 0, 5, 6, 7, 8, 0, 0], batch.Ids);
        Assert.Equal([1f, 1, 0, 1, 1, 1, 1, 0, 0], batch.Mask<float>().ToArray());
        Assert.Equal([9, 10, -100, 5, 6, 7, 8, -100, -100], batch.TargetsIgnoringPadding());
        Assert.True(batch.IsValid(0, 1));
        Assert.False(batch.IsValid(2, 1));
        var e = Assert.Throws<ArgumentException>(() => TokenBatch.Pad([[1], []], [0, 1], 0));
        Assert.Contains("example 1 is empty", e.Message);
    }

    [Fact]
    public void PairBatch_ShiftsTheTargetBehindBosAndEndsItWithEos()
    {
        int[][] src = [[4, 5], [6]];
        int[][] tgt = [[7], [8, 9]];
        var batch = PairBatch.Pad(src, tgt, [0, 1], padId: 0, bosId: 2, eosId: 3);
        Assert.Equal([4, 5, 6, 0], batch.Source.Ids);
        Assert.Equal([2, 7, 0, 2, 8, 9], batch.DecoderInput.Ids);
        Assert.Equal([2, 3], batch.DecoderInput.Lengths);
        Assert.Equal([7, 3, -100, 8, 9, 3], batch.DecoderTargets);
        Assert.Equal(5, batch.TargetTokens);
    }

    [Fact]
    public void WindowBatch_GathersRowsOfTheWindowArrays()
    {
        // Three windows of (T, F) = (2, 2) and K = 1.
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        double[] y = [100, 200, 300];
        var batch = WindowBatch<double>.Gather(x, y, steps: 2, features: 2, horizon: 1, [2, 0]);
        Assert.Equal([2, 2, 2], batch.Inputs.ShapeArray());
        Assert.Equal([9.0, 10, 11, 12, 1, 2, 3, 4], batch.Inputs.ToArray());
        Assert.Equal([300.0, 100], batch.Targets.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowBatch<double>.Gather(x, y, 2, 2, 1, [3]));
    }

    [Fact]
    public void TokenBatch_RowOrStepOutsideTheBatch_ThrowsNamingIt()
    {
        var batch = TokenBatch.Pad([[1, 2], [3]], [0, 1], padId: 0);
        Assert.Equal("b", Assert.Throws<ArgumentOutOfRangeException>(() => batch.IsValid(5, 0)).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => batch.IsValid(0, 5)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TokenBatch.Pad([[1, 2], [3]], [0, 2], padId: 0));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("TokenBatch.Pad: row 2 is outside [0, 2)", e.Message);
    }

    [Fact]
    public void Bucketed_NegativeLength_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.Bucketed([3, -1, 2], 2, seed: 1, epoch: 0));
        Assert.Equal("lengths", e.ParamName);
        Assert.Contains("length 1 is -1", e.Message);
    }

    [Fact]
    public void Fill_OverABatchOfTheSameShapeWithLongerRows_EqualsPad()
    {
        int[][] longer = [[5, 6, 7], [8, 9, 10]], shorter = [[11], [12, 13, 14]];
        var tokens = TokenBatch.Pad(longer, [0, 1], padId: 0);
        tokens.Fill(shorter, [0, 1]);
        var expected = TokenBatch.Pad(shorter, [0, 1], padId: 0);
        Assert.Equal(expected.Ids, tokens.Ids);
        Assert.Equal(expected.Lengths, tokens.Lengths);

        var pairs = PairBatch.Pad(longer, longer, [0, 1], padId: 0, bosId: 1, eosId: 2);
        pairs.Fill(shorter, shorter, [0, 1], bosId: 1, eosId: 2, ignoreIndex: -100);
        var fresh = PairBatch.Pad(shorter, shorter, [0, 1], padId: 0, bosId: 1, eosId: 2);
        Assert.Equal(fresh.Source.Ids, pairs.Source.Ids);
        Assert.Equal(fresh.DecoderInput.Ids, pairs.DecoderInput.Ids);
        Assert.Equal(fresh.DecoderInput.Lengths, pairs.DecoderInput.Lengths);
        Assert.Equal(fresh.DecoderTargets, pairs.DecoderTargets);
        Assert.Equal([1, 11, 0, 0, 1, 12, 13, 14], pairs.DecoderInput.Ids);
        Assert.Equal([11, 2, -100, -100, 12, 13, 14, 2], pairs.DecoderTargets);
    }
}
