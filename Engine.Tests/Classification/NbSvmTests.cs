using SeqLearn.Classification;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Classification;

public class NbSvmTests
{
    private static (int[][] Rows, int[] Labels) RandomData(int seed, int n = 80, int d = 30)
    {
        var rng = new SeededRng((ulong)seed);
        var rows = new int[n][];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            // features 0..4 lean positive, 5..9 negative, the rest are noise
            rows[i] = Enumerable.Range(0, d).Where(j => rng.NextDouble() < (j < 5 ? (labels[i] == 1 ? 0.5 : 0.1) : j < 10 ? (labels[i] == 1 ? 0.1 : 0.5) : 0.15)).ToArray();
        }
        return (rows, labels);
    }

    /// <summary>score = (1 − β) w̄ (rᵀf̂ + log(n₁/n₀)) + β (Σ r_j w_j f̂_j + b), recomputed from r and the SVM's raw weights.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(1.0)]
    public void Score_IsTheInterpolationOfNbAndSvm(double beta)
    {
        var (rows, labels) = RandomData(3);
        labels[0] = 1; // 41 positives, 39 negatives: b_NB ≠ 0
        var model = NbSvm.Train(rows, labels, 30, new NbSvmOptions(Beta: beta, Svm: new SvmOptions(Tolerance: 1e-8)));
        double[] r = NbSvm.ComputeLogCountRatio(rows, labels, 30, 1.0);
        double[] w = model.Svm.Weights;
        double wBar = w.Sum(Math.Abs) / w.Length;
        double bNb = Math.Log(41.0 / 39);
        foreach (int[] row in rows.Take(20))
        {
            double nb = row.Sum(j => r[j]) + bNb;
            double svm = row.Sum(j => r[j] * w[j]) + model.Svm.Bias;
            Assert.Equal((1 - beta) * wBar * nb + beta * svm, model.Score(row), 1e-10);
        }
    }

    [Fact]
    public void Svm_IsTrainedOnLogCountRatioScaledFeatures()
    {
        // The SVM inside NBSVM equals SquaredHingeSvm trained directly on x̂ = r ⊙ f̂ with ±1 labels.
        var (rows, labels) = RandomData(4);
        var options = new SvmOptions(Tolerance: 1e-9);
        var model = NbSvm.Train(rows, labels, 30, new NbSvmOptions(Svm: options));
        double[] r = NbSvm.ComputeLogCountRatio(rows, labels, 30, 1.0);
        var direct = SquaredHingeSvm.Train(rows, rows.Select(row => row.Select(j => r[j]).ToArray()).ToArray(),
            labels.Select(y => 2 * y - 1).ToArray(), 30, options);
        for (int j = 0; j < 30; j++) Assert.Equal(direct.Weights[j], model.Svm.Weights[j], 1e-7);
        Assert.True(r.Take(5).All(v => v > 0) && r.Skip(5).Take(5).All(v => v < 0), "r should favour features 0..4 for class 1");
    }

    [Fact]
    public void ThreeClasses_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => NbSvm.Train([[0], [1], [0]], [0, 1, 2], 2));
        Assert.Contains("binary", e.Message);
        Assert.StartsWith("NbSvm: row 2 has label 2;", e.Message);
    }

    [Theory]
    [InlineData(2, "row 1 has feature id 2 (position 0), outside [0, 2).")]
    [InlineData(-1, "row 1 has feature id -1 (position 0), outside [0, 2).")]
    public void FeatureIdOutOfRange_NamesTheRowAndValue(int id, string message)
    {
        int[][] rows = [[0], [id], [0, 1]];
        var e = Assert.Throws<ArgumentException>(() => NbSvm.Train(rows, [0, 1, 1], 2));
        Assert.StartsWith("NbSvm: " + message, e.Message);
        Assert.Equal("rows", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => SquaredHingeSvm.Train(rows, [[1.0], [1.0], [1.0, 1.0]], [-1, 1, 1], 2, new SvmOptions()));
        Assert.StartsWith("SquaredHingeSvm: " + message, e.Message);
    }

    [Fact]
    public void Score_FeatureIdTheModelDoesNotHave_IsRefusedNamingIt()
    {
        var (rows, labels) = RandomData(5);
        var model = NbSvm.Train(rows, labels, 30, new NbSvmOptions());
        var e = Assert.Throws<ArgumentException>(() => model.Score([1, 30]));
        Assert.StartsWith("NbSvm.Score: row 0 has feature id 30 (position 1), outside [0, 30).", e.Message);
    }
}
