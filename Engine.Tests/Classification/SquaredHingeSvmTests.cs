using SeqLearn.Classification;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Classification;

public class SquaredHingeSvmTests
{
    [Fact]
    public void SymmetricPair_HandSolved()
    {
        // x = +1 (y = +1), x = −1 (y = −1), C = 1: P = ½(w² + b²) + (1 − w − b)² + (1 − w + b)²;
        // ∂/∂w = w − 4(1 − w) = 0 → w = 4/5; ∂/∂b = b + 4b = 0 → b = 0.
        var m = SquaredHingeSvm.Train([[0], [0]], [[1.0], [-1.0]], [1, -1], 1, new SvmOptions(Tolerance: 1e-10));
        Assert.True(m.Converged);
        Assert.Equal(0.8, m.Weights[0], 1e-8);
        Assert.Equal(0.0, m.Bias, 1e-8);
    }

    [Fact]
    public void SinglePoint_HandSolved_BiasIsRegularised()
    {
        // x = 2, y = +1, C = 1: ∂/∂w = w − 4(1 − 2w − b) = 0, ∂/∂b = b − 2(1 − 2w − b) = 0 → w = 2b, b = 2/11.
        var m = SquaredHingeSvm.Train([[0]], [[2.0]], [1], 1, new SvmOptions(Tolerance: 1e-10));
        Assert.Equal(4.0 / 11, m.Weights[0], 1e-8);
        Assert.Equal(2.0 / 11, m.Bias, 1e-8);
    }

    [Fact]
    public void IdenticalRows_AreOneRowOfCostKC_TheSameModelBitForBit()
    {
        // Three copies of every row at cost C is the primal of one copy at cost 3C: merged, the solver runs that problem,
        // the same passes in the same order (unmerged, the solver would take another path to the same optimum).
        const int d = 30;
        var (ids, values, y) = RandomProblem(new SeededRng(11), 80, d);
        var once = SquaredHingeSvm.Train(ids, values, y, d, new SvmOptions(C: 1.5, Tolerance: 1e-8));
        int[][] ids3 = [.. ids, .. ids, .. ids];
        double[][] values3 = [.. values.Select(v => v.ToArray()), .. values, .. values];    // equal contents, other arrays
        var thrice = SquaredHingeSvm.Train(ids3, values3, [.. y, .. y, .. y], d, new SvmOptions(C: 0.5, Tolerance: 1e-8));
        Assert.True(once.Converged && thrice.Converged);
        Assert.Equal(once.Passes, thrice.Passes);
        Assert.Equal(once.Weights, thrice.Weights);
        Assert.Equal(once.Bias, thrice.Bias);
    }

    [Fact]
    public void RandomSparseProblem_PrimalGradientVanishes_AndSolutionDoesNotDependOnTheSeed()
    {
        const int n = 60, d = 25;
        const double c = 0.7;
        var (ids, values, y) = RandomProblem(new SeededRng(5), n, d);
        var a = SquaredHingeSvm.Train(ids, values, y, d, new SvmOptions(C: c, Tolerance: 1e-9, Seed: 1));
        var b = SquaredHingeSvm.Train(ids, values, y, d, new SvmOptions(C: c, Tolerance: 1e-9, Seed: 2));
        Assert.True(a.Converged && b.Converged);
        // ∇P = (w, b) − 2C Σᵢ yᵢ ξᵢ (xᵢ, 1), ξᵢ = max(0, 1 − yᵢ(wᵀxᵢ + b))
        var grad = a.Weights.Append(a.Bias).ToArray();
        for (int i = 0; i < n; i++)
        {
            double margin = a.Bias + ids[i].Select((j, k) => a.Weights[j] * values[i][k]).Sum();
            double xi = Math.Max(0, 1 - y[i] * margin);
            for (int k = 0; k < ids[i].Length; k++) grad[ids[i][k]] -= 2 * c * y[i] * xi * values[i][k];
            grad[d] -= 2 * c * y[i] * xi;
        }
        Assert.True(grad.Max(Math.Abs) < 1e-7, $"max |∇P| = {grad.Max(Math.Abs)}");
        for (int j = 0; j < d; j++) Assert.Equal(a.Weights[j], b.Weights[j], 1e-7);
        Assert.Equal(a.Bias, b.Bias, 1e-7);
        double pa = SquaredHingeSvm.PrimalObjective(a, ids, values, y, c);
        Assert.True(pa < SquaredHingeSvm.PrimalObjective(a with { Bias = a.Bias + 1e-3 }, ids, values, y, c));
    }

    [Fact]
    public void BadLabel_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => SquaredHingeSvm.Train([[0]], [[1.0]], [0], 1, new SvmOptions()));
        Assert.Contains("row 0", e.Message);
    }

    // n sparse rows over d features (each present with probability 0.2, values N(0, 1)) with random labels ±1.
    private static (int[][] Ids, double[][] Values, int[] Y) RandomProblem(SeededRng rng, int n, int d)
    {
        var ids = new int[n][];
        var values = new double[n][];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = Enumerable.Range(0, d).Where(_ => rng.NextDouble() < 0.2).ToArray();
            values[i] = ids[i].Select(_ => rng.NextNormal()).ToArray();
            y[i] = rng.NextDouble() < 0.5 ? 1 : -1;
        }
        return (ids, values, y);
    }
}
