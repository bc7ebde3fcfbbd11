using SeqLearn.Classification;

namespace SeqLearn.Tests.Classification;

public class BaselineClassifiersTests
{
    /// <summary>12 sentences "bad xᵢ" (class 0) and 6 "good yᵢ" (class 1): every xᵢ / yᵢ occurs in one sentence only.</summary>
    private static (LabeledSentences Data, FoldAssignment Folds) Toy()
    {
        string[][] sentences = Enumerable.Range(0, 18).Select(i => i < 12 ? new[] { "bad", $"x{i}" } : ["good", $"y{i}"]).ToArray();
        int[] labels = Enumerable.Range(0, 18).Select(i => i < 12 ? 0 : 1).ToArray();
        var data = new LabeledSentences(sentences, labels, ["neg", "pos"]);
        return (data, FoldAssignment.Stratified(labels, 2, 3, seed: 2));
    }

    [Theory]
    [InlineData("mnb-uni")]
    [InlineData("mnb-bi")]
    public void Mnb_TokenSeenOnlyInTheTestFold_IsUnknown_PredictsThePrior(string name)
    {
        // Were the test fold's tokens in the vocabulary, each would add log θ_c = log(1 / (N_c + α|V|)), which differs
        // between the classes; unknown, it is dropped and the posterior is the training prior n_c / n = 8/12, 4/12.
        var (data, folds) = Toy();
        ClassificationFold fold = folds.Fold(data, 0);
        ISentenceClassifier classifier = BaselineClassifiers.TryCreate(name)!.Train(fold);
        string testOnly = fold.Test.Sentences[0][1];
        double[] p = classifier.PredictProbabilities([[testOnly]])[0];
        Assert.Equal(8.0 / 12, p[0], 1e-12);
        Assert.Equal(4.0 / 12, p[1], 1e-12);
        Assert.Equal([0, 1], classifier.Predict([["bad"], ["good"]]));
    }

    [Fact]
    public void NbSvm_ProbabilitiesAreSigmoidOfTheScore_AndSeparateTheToyClasses()
    {
        var (data, folds) = Toy();
        ClassificationFold fold = folds.Fold(data, 1);
        ISentenceClassifier classifier = BaselineClassifiers.TryCreate("nbsvm-bi")!.Train(fold);
        double[][] p = classifier.PredictProbabilities(fold.Test.Sentences);
        Assert.All(p, row => Assert.Equal(1.0, row[0] + row[1], 1e-12));
        Assert.Equal(fold.Test.Labels, classifier.Predict(fold.Test.Sentences));
        Assert.Null(BaselineClassifiers.TryCreate("rnn"));
    }

    [Fact]
    public void NbSvm_OfThreeClasses_IsRefusedNamingTheFold()
    {
        string[][] sentences = Enumerable.Range(0, 18).Select(i => new[] { $"w{i % 3}" }).ToArray();
        int[] labels = Enumerable.Range(0, 18).Select(i => i % 3).ToArray();
        var data = new LabeledSentences(sentences, labels, ["a", "b", "c"]);
        ClassificationFold fold = FoldAssignment.Stratified(labels, 3, 2, seed: 2).Fold(data, 1);
        var e = Assert.Throws<ArgumentException>(() => BaselineClassifiers.TryCreate("nbsvm-bi")!.Train(fold));
        Assert.Equal("fold", e.ParamName);
        Assert.StartsWith("nbsvm-bi: NBSVM is binary, the data has 3 classes.", e.Message);
        var rnn = new RecurrentClassifierFactory(new RecurrentClassifierOptions(Embedding: 4, Hidden: 4), new SeqLearn.Training.TrainingOptions());
        Assert.Equal("fold", Assert.Throws<ArgumentException>(() => new RecurrentNbSvmEnsembleFactory(rnn).Train(fold)).ParamName);
    }
}
