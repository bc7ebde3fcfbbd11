using SeqLearn.Classification;

namespace SeqLearn.Tests.Classification;

public class CrossValidationTests
{
    /// <summary>Remembers what it was trained on and predicts the majority training class.</summary>
    private sealed class SpyFactory : IClassifierFactory
    {
        public List<ClassificationFold> Seen { get; } = [];

        public string Name => "spy";

        public ISentenceClassifier Train(ClassificationFold fold)
        {
            Seen.Add(fold);
            int[] counts = fold.TrainAndValidation.ClassCounts();
            return new Majority(counts.Length, Array.IndexOf(counts, counts.Max()));
        }

        private sealed class Majority(int classes, int label) : ISentenceClassifier
        {
            public int ClassCount => classes;

            public double[][] PredictProbabilities(IReadOnlyList<string[]> sentences) =>
                sentences.Select(_ => Enumerable.Range(0, classes).Select(c => c == label ? 1.0 : 0.0).ToArray()).ToArray();
        }
    }

    [Fact]
    public void Run_TrainsOncePerFold_NeverOnTheTestPart_ScoresHeldOutFold()
    {
        // 12 sentences of class 0 and 6 of class 1, 3 folds: each fold tests 4 + 2; majority predicts 0 → 4/6.
        string[][] sentences = Enumerable.Range(0, 18).Select(i => new[] { $"w{i}" }).ToArray();
        int[] labels = Enumerable.Range(0, 18).Select(i => i < 12 ? 0 : 1).ToArray();
        var data = new LabeledSentences(sentences, labels, ["a", "b"]);
        var folds = FoldAssignment.Stratified(labels, 2, 3, seed: 4);
        var spy = new SpyFactory();
        CrossValidationResult result = CrossValidation.Run(data, folds, spy);
        Assert.Equal([0, 1, 2], spy.Seen.Select(f => f.Index));
        foreach (ClassificationFold fold in spy.Seen)
        {
            var test = fold.Test.Sentences.Select(s => s[0]).ToHashSet();
            Assert.DoesNotContain(fold.TrainAndValidation.Sentences, s => test.Contains(s[0]));
            Assert.Equal(18, fold.TrainAndValidation.Count + fold.Test.Count);
        }
        Assert.All(result.Folds, f => Assert.Equal(4.0 / 6, f.Accuracy, 1e-12));
        Assert.All(result.Folds, f => Assert.Equal(4, f.Confusion[0, 0]));
        Assert.Equal(4.0 / 6, result.MeanAccuracy, 1e-12);
        Assert.Equal(0.0, result.StdAccuracy, 1e-12);
    }
}
