using SeqLearn.Tensors;

namespace SeqLearn.Tests.Tensors;

public sealed class TensorArgMaxTests
{
    [Fact]
    public void ArgMax_Flat_FirstOnTies_NaNIsLargest()
    {
        Assert.Equal(1, Tensor<float>.FromArray([1f, 5f, 5f, -2f], 2, 2).ArgMax());
        Assert.Equal(2, Tensor<double>.FromArray([1, 5, double.NaN, 7], 4).ArgMax());
        Assert.Throws<InvalidOperationException>(() => Tensor<float>.Zeros(0).ArgMax());
    }

    [Fact]
    public void ArgMax_AlongEachAxis_EqualsTheLoopOverTheOtherAxes()
    {
        var rng = new SeededRng(3);
        var t = Tensor<double>.Uniform([3, 4, 5], -1, 1, rng);
        for (int axis = 0; axis < 3; axis++)
        {
            int[] got = t.ArgMax(axis), dims = [3, 4, 5];
            int n = dims[axis];
            var expected = new List<int>();
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    for (int k = 0; k < 5; k++)
                    {
                        int[] idx = [i, j, k];
                        if (idx[axis] != 0) continue;
                        int best = 0;
                        for (int m = 1; m < n; m++)
                        {
                            idx[axis] = m;
                            int[] bi = [i, j, k];
                            bi[axis] = best;
                            if (t[idx] > t[bi]) best = m;
                        }
                        expected.Add(best);
                    }
            Assert.Equal(expected, got);
        }
        Assert.Equal(t.ArgMax(2), t.ArgMax(-1));
    }

    [Fact]
    public void ArgMax_RowsOfLogits_AreThePredictedClasses()
    {
        var logits = Tensor<float>.FromArray([0.1f, 2f, -1f, 3f, 3f, 0f], 2, 3);
        Assert.Equal([1, 0], logits.ArgMax(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => logits.ArgMax(2));
        Assert.Empty(Tensor<float>.Zeros(0, 3).ArgMax(1));   // no rows: no indices (another axis is empty)
        Assert.Empty(Tensor<float>.Zeros(3, 0).ArgMax(0));
    }
}
