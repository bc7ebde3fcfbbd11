using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Tests.Classification;

// The first things a user of the package tries: one-call training from two lists, Predict on the concrete type,
// empty inputs and messages that name the caller's method rather than an internal type.
public class ClassifierConvenienceTests
{
    private static LabeledSentences Polarity()
    {
        string[] good = ["a good film", "good acting", "a very good plot", "good and warm", "the plot was good", "good , good , good"];
        string[] bad = ["a bad film", "bad acting", "a very bad plot", "bad and cold", "the plot was bad", "bad , bad , bad"];
        string[][] sentences = [.. good.Concat(bad).Select(TokenVocabulary.Tokenize)];
        return new LabeledSentences(sentences, [.. good.Select(_ => 1), .. bad.Select(_ => 0)], ["neg", "pos"]);
    }

    private static readonly RecurrentClassifierOptions Small = new(Embedding: 8, Hidden: 8, Dropout: 0, WordDropout: 0);

    [Fact]
    public void Train_InOneCall_LearnsTwoListsAndPredictsOnTheConcreteType()
    {
        var training = RecurrentClassifierOptions.DefaultTraining with { Epochs = 40, BatchSize = 4, LearningRate = 0.02 };
        var classifier = RecurrentSentenceClassifier.Train(Polarity(), Small, training, validationFraction: 0.34);
        string[][] fresh = [["good", "film"], ["bad", "plot"]];
        double[][] p = classifier.PredictProbabilities(fresh);
        Assert.All(p, row => Assert.Equal(1.0, row.Sum(), 6));
        Assert.Equal([1, 0], classifier.Predict(fresh));                        // no cast to ISentenceClassifier needed
        Assert.Equal([1, 0], ((ISentenceClassifier)classifier).Predict(fresh)); // the same member through the interface
        Assert.Equal(classifier.Predict(fresh), new RecurrentEnsembleClassifier([classifier]).Predict(fresh));
    }

    [Fact]
    public void Train_WithoutValidationPart_SaysWhy()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentSentenceClassifier.Train(Polarity(), Small, validationFraction: 0));
        Assert.Contains("validation fraction", e.Message);
    }

    [Fact]
    public void Factory_FoldWithoutValidationPart_SaysHowToDrawOne()
    {
        using var pool = new WorkerPool(1);
        var factory = new RecurrentClassifierFactory(Small, RecurrentClassifierOptions.DefaultTraining with { Epochs = 1 }, pool);
        var e = Assert.Throws<ArgumentException>(() => factory.Train(FoldAssignment.TrainingSplit(Polarity(), validationFraction: 0)));
        Assert.Contains("no validation sentences", e.Message);
        Assert.DoesNotContain("LabeledSequences", e.Message);
    }

    [Fact]
    public void NullSentenceOrToken_IsNamed()
    {
        var model = Small.Build(vocabulary: 5, classes: 2);
        var classifier = new RecurrentSentenceClassifier(model, ["good", "bad", "film"], ["neg", "pos"]);
        Assert.Contains("sentence 1 is null", Assert.Throws<ArgumentNullException>(() => classifier.PredictProbabilities([["good"], null!])).Message);
        Assert.Contains("token 1 of the sentence is null", Assert.Throws<ArgumentNullException>(() => classifier.PredictProbabilities([["good", null!]])).Message);
        Assert.Contains("sentence 0 is null", Assert.Throws<ArgumentNullException>(() => new LabeledSentences([null!], [0], ["a"])).Message);
        Assert.Contains("sentence 0 holds a null token", Assert.Throws<ArgumentNullException>(() => new LabeledSentences([["a", null!]], [0], ["a"])).Message);
    }

    [Fact]
    public void ClassNamesOrWords_ThatDoNotFitTheModel_AreRefusedByName()
    {
        var model = Small.Build(vocabulary: 5, classes: 2);
        var names = Assert.Throws<ArgumentException>(() => new RecurrentSentenceClassifier(model, ["good", "bad", "film"], ["x", "y", "z"]));
        Assert.Equal("classNames", names.ParamName);
        Assert.Contains("3 class names for a model whose last Linear layer has 2 outputs", names.Message);
        var words = Assert.Throws<ArgumentException>(() => new RecurrentSentenceClassifier(model, ["good", "bad", "film", "plot"], ["neg", "pos"]));
        Assert.Equal("words", words.ParamName);
        Assert.Contains("4 words need ids up to 5, but the model's embedding has 5 rows", words.Message);
    }

    [Fact]
    public void PredictProbabilities_NoSentences_IsEmpty()
    {
        var model = Small.Build(vocabulary: 5, classes: 2);
        var classifier = new RecurrentSentenceClassifier(model, ["good", "bad", "film"], ["neg", "pos"]);
        Assert.Empty(classifier.PredictProbabilities([]));
        Assert.Empty(classifier.Predict([]));
        Assert.Empty(((ISentenceClassifier)classifier).Predict([]));
        Assert.Empty(model.Predict([]));
    }

    [Fact]
    public void SequentialExtensions_BatchSizeIntMax_ScoreEveryExampleInOneBatch()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 4, rng), new LastStep<float>(), new Linear<float>(4, 2, rng));
        List<int[]> x = [[1, 2], [3, 4, 1], [2], [4, 4, 3, 1], [1]];
        int[] y = [0, 1, 1, 0, 1];
        var whole = model.Evaluate(x, y, batchSize: int.MaxValue);
        var small = model.Evaluate(x, y, batchSize: 2);
        Assert.True(whole["loss"] > 0.1, $"loss {whole["loss"]}");           // two classes, untrained: about ln 2
        Assert.Equal(small["loss"], whole["loss"], 5);
        Assert.Equal(small["accuracy"], whole["accuracy"]);
        var p = model.Predict(x, batchSize: int.MaxValue);
        Assert.All(p, row => Assert.Equal(1f, row.Sum(), 5));
        Assert.Equal(model.Predict(x, batchSize: 2), p, (a, b) => a.Zip(b).All(ab => MathF.Abs(ab.First - ab.Second) < 1e-5f));
    }

    // Keras's fit(validation_data=…) scores the validation data after every epoch, so early stopping and restoring the best
    // weights count epochs; without validation data (fit(x, y)) there is one evaluation, at the end.
    [Fact]
    public void Fit_WithValidationData_EvaluatesAfterEveryEpoch()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 4, rng), new LastStep<float>(), new Linear<float>(4, 2, rng));
        List<int[]> x = [[1, 2], [3, 4, 1], [2, 2], [4, 1, 3]];
        List<int> y = [0, 1, 0, 1];
        var evaluations = new List<long>();
        var progress = new EvaluationSteps(evaluations);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 2 };

        model.Fit(x, y, x, y, options, progress: progress);
        Assert.Equal([2L, 4L, 6L], evaluations);
        evaluations.Clear();
        model.Fit(x, y, x, y, options with { EvalEverySteps = 3 }, progress: progress);
        Assert.Equal([3L, 6L], evaluations);
        evaluations.Clear();
        model.Fit(x, y, options, progress: progress);
        Assert.Equal([6L], evaluations);
    }

    private sealed class EvaluationSteps(List<long> steps) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Kind == ProgressKind.Evaluation) steps.Add(value.Step);
        }
    }

    [Fact]
    public void SequentialExtensions_BadData_NameTheMethodAndArgument()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 4, rng), new LastStep<float>(), new Linear<float>(4, 2, rng));
        List<int[]> x = [[1, 2], [3, 4, 1]];
        var options = new TrainingOptions { Epochs = 1 };

        var fit = Assert.Throws<ArgumentException>(() => model.Fit(x, [1], null, null, options));
        Assert.StartsWith("Fit: training data: 2 sequences but 1 labels.", fit.Message);
        var valid = Assert.Throws<ArgumentException>(() => model.Fit(x, [1, 0], [[1], []], [0, 1], options));
        Assert.StartsWith("Fit: validation data: example 1 is empty.", valid.Message);
        var evaluate = Assert.Throws<ArgumentException>(() => model.Evaluate([], []));
        Assert.StartsWith("Evaluate: data: no examples.", evaluate.Message);
        var predict = Assert.Throws<ArgumentException>(() => model.Predict([[2], []]));
        Assert.StartsWith("Predict: data: example 1 is empty.", predict.Message);
    }

    [Fact]
    public void SequentialExtensions_LabelsTheHeadCannotScore_FailBeforeTraining()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 4, rng), new LastStep<float>(), new Linear<float>(4, 2, rng));
        float[] before = model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();
        List<int[]> x = [[1, 2], [3, 4, 1]];
        var options = new TrainingOptions { Epochs = 1 };

        var train = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, [0, 2], null, null, options));
        Assert.StartsWith("Fit: training data: example 1 has label 2, but the model's last Linear scores 2 classes (labels 0 … 1).", train.Message);
        var valid = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, [0, 1], x, [5, 0], options));
        Assert.StartsWith("Fit: validation data: example 0 has label 5", valid.Message);
        Assert.Equal(before, model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray());   // not one step taken
        var evaluate = Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(x, [3, 1]));
        Assert.StartsWith("Evaluate: data: example 0 has label 3", evaluate.Message);
        // The task itself checks its data the same way when built directly.
        var direct = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SequenceClassificationTask<float>(model, new LabeledSequences(x, [0, 1]), new LabeledSequences(x, [0, 7]), 2, 1));
        Assert.StartsWith("SequenceClassificationTask: valid: example 1 has label 7, but the model's last Linear scores 2 classes", direct.Message);
        Assert.Equal("valid", direct.ParamName);
        // Without a Linear head the width of the logits is known only when they are computed: Score checks there.
        var headless = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 3, rng), new LastStep<float>());
        var data = new LabeledSequences(x, [2, 3]);
        var score = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceClassificationTask<float>(headless, data, null, 2, 1).Score(data, null));
        Assert.Contains("Score: example 1 has label 3, but the model scores 3 classes (labels 0 … 2)", score.Message);
    }

    [Fact]
    public void SequentialExtensions_TokenIdsOutsideTheEmbedding_NameTheExampleBeforeTraining()
    {
        var rng = new SeededRng(1);
        var model = new Sequential<float>(new Embedding<float>(5, 4, rng), new Lstm<float>(4, 4, rng), new LastStep<float>(), new Linear<float>(4, 2, rng));
        float[] before = model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();
        List<int[]> good = [[1, 2], [3, 4, 1]], bad = [[1, 2], [3, 9, 1]];
        var options = new TrainingOptions { Epochs = 1 };

        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(bad, [0, 1], options));
        Assert.StartsWith("Fit: training data: example 1 has token id 9 at position 1, but the model's Embedding has 5 rows (ids 0 … 4).", fit.Message);
        Assert.Equal("sequences", fit.ParamName);
        var valid = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(good, [0, 1], [[-1]], [0], options));
        Assert.StartsWith("Fit: validation data: example 0 has token id -1 at position 0", valid.Message);
        Assert.Equal("validSequences", valid.ParamName);
        Assert.Equal(before, model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray());   // not one step taken
        Assert.StartsWith("Evaluate: data: example 1 has token id 9", Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(bad, [0, 1])).Message);
        Assert.StartsWith("Predict: data: example 1 has token id 9", Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(bad)).Message);
        var direct = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceClassificationTask<float>(model, new LabeledSequences(bad, [0, 1]), null, 2, 1));
        Assert.StartsWith("SequenceClassificationTask: train: example 1 has token id 9", direct.Message);
        Assert.Equal("train", direct.ParamName);
    }
}
