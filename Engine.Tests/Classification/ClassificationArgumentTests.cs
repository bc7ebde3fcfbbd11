using SeqLearn.Classification;

namespace SeqLearn.Tests.Classification;

// The classification entry points refuse null arguments and unusable settings by name, instead of a
// NullReferenceException or a model of NaN weights.
public class ClassificationArgumentTests
{
    private static LabeledSentences Data() => new([["a"], ["b"], ["a", "b"], ["b", "b"]], [0, 1, 0, 1], ["neg", "pos"]);

    [Fact]
    public void NullArguments_AreNamed()
    {
        var data = Data();
        var folds = FoldAssignment.Stratified(data.Labels, 2, 2);
        Assert.Equal("labels", Assert.Throws<ArgumentNullException>(() => FoldAssignment.Stratified(null!, 2, 2)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => folds.Fold(null!, 0)).ParamName);
        Assert.Equal("training", Assert.Throws<ArgumentNullException>(() => NGramFeatures.Build(null!, 2)).ParamName);
        var features = NGramFeatures.Build(data.Sentences, 2);
        Assert.Equal("tokens", Assert.Throws<ArgumentNullException>(() => features.Encode(null!)).ParamName);
        Assert.Contains("token 1 is null", Assert.Throws<ArgumentNullException>(() => features.Encode(["a", null!])).Message);
        Assert.Equal("sentences", Assert.Throws<ArgumentNullException>(() => features.EncodeAll(null!)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => CrossValidation.Run(null!, folds, BaselineClassifiers.Mnb(1))).ParamName);
        Assert.Equal("factory", Assert.Throws<ArgumentNullException>(() => CrossValidation.Run(data, folds, null!)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentNullException>(() => data.Subset(null!)).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentNullException>(() => data.Concat(null!)).ParamName);
    }

    [Fact]
    public void Svm_NullOrNonFiniteValuesAndUnusableOptions_AreRefused()
    {
        int[][] ids = [[0], [1]];
        double[][] values = [[1.0], [1.0]];
        int[] y = [1, -1];
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => SquaredHingeSvm.Train(ids, null!, y, 2, new SvmOptions())).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => SquaredHingeSvm.Train(ids, values, y, 2, null!)).ParamName);
        Assert.Contains("value row 1 is null", Assert.Throws<ArgumentException>(() => SquaredHingeSvm.Train(ids, [[1.0], null!], y, 2, new SvmOptions())).Message);
        Assert.Contains("not a finite number", Assert.Throws<ArgumentException>(() => SquaredHingeSvm.Train(ids, [[1.0], [double.NaN]], y, 2, new SvmOptions())).Message);
        Assert.Contains("C must be positive and finite", Assert.Throws<ArgumentOutOfRangeException>(() => SquaredHingeSvm.Train(ids, values, y, 2, new SvmOptions(C: double.PositiveInfinity))).Message);
        Assert.Contains("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => SquaredHingeSvm.Train(ids, values, y, 2, new SvmOptions(Tolerance: double.NaN))).Message);
        Assert.Contains("MaxPasses", Assert.Throws<ArgumentOutOfRangeException>(() => SquaredHingeSvm.Train(ids, values, y, 2, new SvmOptions(MaxPasses: 0))).Message);
    }

    [Fact]
    public void NaiveBayes_InfiniteAlpha_IsRefused()
    {
        int[][] rows = [[0], [1]];
        Assert.Contains("positive and finite", Assert.Throws<ArgumentOutOfRangeException>(() => MultinomialNaiveBayes.Train(rows, [0, 1], 2, 2, double.PositiveInfinity)).Message);
        Assert.Contains("positive and finite", Assert.Throws<ArgumentOutOfRangeException>(() => NbSvm.Train(rows, [0, 1], 2, new NbSvmOptions(Alpha: double.PositiveInfinity))).Message);
    }
}
