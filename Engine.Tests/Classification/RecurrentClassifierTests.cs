using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Tests.Classification;

public class RecurrentClassifierTests
{
    // "Is there a 'not' before 'good'?": order matters, so a bag of words cannot solve it but a recurrent model can.
    private static LabeledSentences Negations(int n, ulong seed)
    {
        var rng = new SeededRng(seed);
        string[] filler = ["the", "film", "was", "quite", "a", "plot", "and", "acting", "very"];
        var sentences = new List<string[]>();
        var labels = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var words = Enumerable.Range(0, 3 + rng.NextInt(8)).Select(_ => filler[rng.NextInt(filler.Length)]).ToList();
            int label = rng.NextInt(2);
            int at = rng.NextInt(words.Count + 1);
            words.Insert(at, "good");
            words.Insert(label == 1 ? at + 1 : at, "not");   // label 1: "good not" (not after); label 0: "not good"
            sentences.Add([.. words]);
            labels.Add(label);
        }
        return new LabeledSentences(sentences, labels, ["before", "after"]);
    }

    private static RecurrentClassifierFactory Factory(WorkerPool pool) => new(
        new RecurrentClassifierOptions(Embedding: 8, Hidden: 12, Dropout: 0.1),
        RecurrentClassifierOptions.DefaultTraining with { Epochs = 12, BatchSize = 16, LearningRate = 0.01 }, pool);

    [Fact]
    public void Train_OrderDependentTask_LearnsWhatABagOfWordsCannot()
    {
        var data = Negations(600, 3);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 0);
        using var pool = new WorkerPool(2);
        var rnn = Factory(pool).Train(fold);
        var nb = BaselineClassifiers.TryCreate("mnb-bi")!.Train(fold);
        double Accuracy(ISentenceClassifier c) => ClassificationMetrics.Accuracy(fold.Test.Labels.ToArray(), c.Predict(fold.Test.Sentences));
        Assert.True(Accuracy(rnn) >= 0.95, $"rnn test accuracy {Accuracy(rnn):P1}");
        // The unigram counts are identical for both classes; only the bigrams "not good"/"good not" separate them.
        Assert.True(Accuracy(BaselineClassifiers.TryCreate("mnb-uni")!.Train(fold)) < 0.7);
        Assert.True(Accuracy(nb) >= 0.9, "bigrams see the order here");
    }

    [Fact]
    public void Ensemble_WeightIsChosenOnValidation_AndPredictionsAreTheMixture()
    {
        var data = Negations(400, 5);
        var fold = FoldAssignment.Stratified(data.Labels, 2, 5, 1).Fold(data, 1);
        using var pool = new WorkerPool(1);
        var ensemble = new RecurrentNbSvmEnsembleFactory(Factory(pool));
        var model = ensemble.Train(fold);
        double w = Assert.Single(ensemble.Weights);
        Assert.InRange(w, 0, 1);
        var p = model.PredictProbabilities(fold.Test.Sentences);
        Assert.All(p, row => Assert.Equal(1, row[0] + row[1], 12));
        double accuracy = ClassificationMetrics.Accuracy(fold.Test.Labels.ToArray(), model.Predict(fold.Test.Sentences));
        Assert.True(accuracy >= 0.9, $"ensemble test accuracy {accuracy:P1} (w = {w})");
    }
}
