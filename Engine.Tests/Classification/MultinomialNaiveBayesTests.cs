using SeqLearn.Classification;

namespace SeqLearn.Tests.Classification;

public class MultinomialNaiveBayesTests
{
    // |V| = 3. Class 1 rows {0,1} {0} {1}: counts (2, 2, 0), α = 1 → θ₁ = (3, 3, 1)/7, π₁ = 3/5.
    // Class 0 rows {1,2} {2}:           counts (0, 1, 2)        → θ₀ = (1, 2, 3)/6, π₀ = 2/5.
    private static readonly int[][] Rows = [[0, 1], [0], [1], [1, 2], [2]];
    private static readonly int[] Labels = [1, 1, 1, 0, 0];

    [Theory]
    [InlineData(new[] { 1, 1, 2, 0, 0 }, new[] { 0, 1 }, "row 2 has label 2, outside [0, 2).", "labels")]
    [InlineData(new[] { 1, 1, -1, 0, 0 }, new[] { 0, 1 }, "row 2 has label -1, outside [0, 2).", "labels")]
    [InlineData(new[] { 1, 1, 1, 0, 0 }, new[] { 0, 3 }, "row 0 has feature id 3 (position 1), outside [0, 3).", "rows")]
    [InlineData(new[] { 1, 1, 1, 0, 0 }, new[] { -4 }, "row 0 has feature id -4 (position 0), outside [0, 3).", "rows")]
    public void Train_LabelOrFeatureIdOutOfRange_NamesTheRowAndValue(int[] labels, int[] firstRow, string message, string parameter)
    {
        int[][] rows = [firstRow, .. Rows[1..]];
        var e = Assert.Throws<ArgumentException>(() => MultinomialNaiveBayes.Train(rows, labels, 2, 3));
        Assert.StartsWith("MultinomialNaiveBayes: " + message, e.Message);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void Train_HandComputedThetaPriorAndPosterior()
    {
        var nb = MultinomialNaiveBayes.Train(Rows, Labels, 2, 3);
        Assert.Equal([Math.Log(1.0 / 6), Math.Log(2.0 / 6), Math.Log(3.0 / 6)], nb.LogTheta(0).ToArray(), new Close(1e-12));
        Assert.Equal([Math.Log(3.0 / 7), Math.Log(3.0 / 7), Math.Log(1.0 / 7)], nb.LogTheta(1).ToArray(), new Close(1e-12));
        Assert.Equal([Math.Log(2.0 / 5), Math.Log(3.0 / 5)], nb.LogPrior.ToArray(), new Close(1e-12));
        // row {0, 2}: P(1) ∝ 3/5 · 3/7 · 1/7 = 54/1470, P(0) ∝ 2/5 · 1/6 · 3/6 = 49/1470
        double[] p = nb.Probabilities([0, 2]);
        Assert.Equal(54.0 / 103, p[1], 1e-12);
        Assert.Equal(49.0 / 103, p[0], 1e-12);
    }

    [Fact]
    public void Binary_ScoreDifference_IsLogCountRatioForm()
    {
        // Wang & Manning: s₁ − s₀ = rᵀf̂ + log(n₁/n₀), r = log((p/‖p‖₁)/(q/‖q‖₁)), p = 1 + (2,2,0), q = 1 + (0,1,2).
        double[] r = [Math.Log(3.0 / 7 / (1.0 / 6)), Math.Log(3.0 / 7 / (2.0 / 6)), Math.Log(1.0 / 7 / (3.0 / 6))];
        var nb = MultinomialNaiveBayes.Train(Rows, Labels, 2, 3);
        foreach (int[] row in new[] { new[] { 0 }, [1, 2], [0, 1, 2], [] })
        {
            double[] s = nb.Scores(row);
            Assert.Equal(row.Sum(j => r[j]) + Math.Log(3.0 / 2), s[1] - s[0], 1e-12);
        }
        Assert.Equal(r, NbSvm.ComputeLogCountRatio(Rows, Labels, 3, 1.0), new Close(1e-12));
    }

    private sealed class Close(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;

        public int GetHashCode(double v) => 0;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Scores_FeatureIdTheModelDoesNotHave_IsRefusedNamingIt(int id)
    {
        var nb = MultinomialNaiveBayes.Train(Rows, Labels, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => nb.Scores([0, id]));
        Assert.StartsWith($"MultinomialNaiveBayes.Scores: row 0 has feature id {id} (position 1), outside [0, 3).", e.Message);
    }
}
