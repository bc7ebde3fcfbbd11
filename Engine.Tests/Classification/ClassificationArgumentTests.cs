using SeqLearn.Classification;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

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
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => BaselineClassifiers.TryCreate(null!)).ParamName);
        Assert.Equal("recurrent", Assert.Throws<ArgumentNullException>(() => new RecurrentNbSvmEnsembleFactory(null!)).ParamName);
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

    [Fact]
    public void FactoriesScoresAndReaders_NameTheNullParameter()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new RecurrentClassifierFactory(null!, new TrainingOptions())).ParamName);
        Assert.Equal("training", Assert.Throws<ArgumentNullException>(() => new RecurrentClassifierFactory(new RecurrentClassifierOptions(), null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentClassifierFactory(new RecurrentClassifierOptions(MinCount: 0), new TrainingOptions())).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => BaselineClassifiers.NbSvm(2, null!)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentNullException>(() => ISentenceClassifier.ArgMax(null!)).ParamName);
        Assert.Equal("posPath", Assert.Throws<ArgumentNullException>(() => SentenceFiles.ReadPolarity(null!, "x")).ParamName);
        Assert.Equal("negPath", Assert.Throws<ArgumentNullException>(() => SentenceFiles.ReadPolarity("x", null!)).ParamName);
    }

    [Fact]
    public void SvmObjective_NullOrMismatchedArguments_AreNamed()
    {
        var model = new LinearSvmModel([0.5, -0.5], 0.1, 1, true);
        int[][] ids = [[0], [1]];
        double[][] values = [[1.0], [1.0]];
        int[] y = [1, -1];
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => SquaredHingeSvm.PrimalObjective(null!, ids, values, y, 1)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => SquaredHingeSvm.PrimalObjective(model with { Weights = null! }, ids, values, y, 1)).ParamName);
        Assert.Equal("ids", Assert.Throws<ArgumentNullException>(() => SquaredHingeSvm.PrimalObjective(model, null!, values, y, 1)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => SquaredHingeSvm.PrimalObjective(model, ids, null!, y, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => SquaredHingeSvm.PrimalObjective(model, ids, values, null!, 1)).ParamName);
        Assert.Equal("ids", Assert.Throws<ArgumentException>(() => SquaredHingeSvm.PrimalObjective(model, [[0], [2]], values, y, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => SquaredHingeSvm.PrimalObjective(model, ids, values, [1], 1)).ParamName);
    }

    [Fact]
    public void SequentialFitAndPredict_NameTheParameterOfABadExample()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 4, rng), new LastStep<float>(), new Linear<float>(4, 2, rng));
        int[][] x = [[1, 2], [3]];
        var options = new TrainingOptions { Epochs = 1 };
        var e = Assert.Throws<ArgumentNullException>(() => model.Fit(x, [0, 1], x, null, options));
        Assert.Equal("validLabels", e.ParamName);
        Assert.Equal("validSequences", Assert.Throws<ArgumentNullException>(() => model.Fit(x, [0, 1], null, [0, 1], options)).ParamName);
        var empty = Assert.Throws<ArgumentException>(() => model.Fit([[1], []], [0, 1], null, null, options));
        Assert.Equal("sequences", empty.ParamName);
        Assert.Contains("example 1 is empty", empty.Message);
        Assert.Equal("validSequences", Assert.Throws<ArgumentException>(() => model.Fit(x, [0, 1], [[1], []], [0, 1], options)).ParamName);
        Assert.Equal("validLabels", Assert.Throws<ArgumentException>(() => model.Fit(x, [0, 1], x, [0], options)).ParamName);
        Assert.Equal("validLabels", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, [0, 1], x, [0, -1], options)).ParamName);
        var nullExample = Assert.Throws<ArgumentNullException>(() => model.Predict([[1, 2], null!]));
        Assert.Equal("sequences", nullExample.ParamName);
        Assert.Contains("example 1 is null", nullExample.Message);
        Assert.Equal("sequences", Assert.Throws<ArgumentNullException>(() => new LabeledSequences([[1], null!], [0, 1])).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new LabeledSequences([[1]], [0, 1])).ParamName);
    }

    [Fact]
    public void Build_AnUndefinedPooling_IsOutOfRangeNamingIt()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentClassifierOptions(Pooling: (SequencePooling)7).Build(10, 2));
        Assert.Equal("Pooling", e.ParamName);
        Assert.Contains("7 is not a SequencePooling", e.Message);
        Assert.IsType<MaskedMaxPool<float>>(new RecurrentClassifierOptions(Pooling: SequencePooling.Max).Build(10, 2).Layers[3]);
    }
}
