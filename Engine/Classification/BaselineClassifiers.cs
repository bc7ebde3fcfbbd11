namespace SeqLearn.Classification;

/// <summary>
/// The classical baselines as <see cref="IClassifierFactory"/> implementations: MNB on unigrams (<c>mnb-uni</c>) or
/// unigrams and bigrams (<c>mnb-bi</c>), and NBSVM on unigrams and bigrams (<c>nbsvm-bi</c>). Each builds its n-gram
/// features from the fold's training folds (training and validation parts together) and never sees the test part.
/// </summary>
public static class BaselineClassifiers
{
    /// <summary>The names, in the order the CLI reports them.</summary>
    public static readonly IReadOnlyList<string> Names = ["mnb-uni", "mnb-bi", "nbsvm-bi"];

    /// <summary>The factory named <paramref name="name"/>, or null if it is not a baseline.</summary>
    public static IClassifierFactory? TryCreate(string name) => (name ?? throw new ArgumentNullException(nameof(name))) switch
    {
        "mnb-uni" => new MnbFactory(name, 1),
        "mnb-bi" => new MnbFactory(name, 2),
        "nbsvm-bi" => new NbSvmFactory(name, 2, new NbSvmOptions()),
        _ => null,
    };

    /// <summary>An MNB factory on n-grams up to <paramref name="maxOrder"/> with smoothing <paramref name="alpha"/>.</summary>
    public static IClassifierFactory Mnb(int maxOrder, double alpha = 1.0) => new MnbFactory($"mnb-{OrderName(maxOrder)}", maxOrder, alpha);

    /// <summary>An NBSVM factory on n-grams up to <paramref name="maxOrder"/>.</summary>
    public static IClassifierFactory NbSvm(int maxOrder, NbSvmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new NbSvmFactory($"nbsvm-{OrderName(maxOrder)}", maxOrder, options);
    }

    private static string OrderName(int maxOrder) => maxOrder switch { 1 => "uni", 2 => "bi", 3 => "tri", _ => $"{maxOrder}gram" };

    private sealed class MnbFactory(string name, int maxOrder, double alpha = 1.0) : IClassifierFactory
    {
        public string Name => name;

        public ISentenceClassifier Train(ClassificationFold fold)
        {
            LabeledSentences train = fold.TrainAndValidation;
            var features = NGramFeatures.Build(train.Sentences, maxOrder);
            var model = MultinomialNaiveBayes.Train(features.EncodeAll(train.Sentences), train.Labels, train.ClassCount, features.Count, alpha);
            return new Classifier(train.ClassCount, s => model.Probabilities(features.Encode(s)));
        }
    }

    private sealed class NbSvmFactory(string name, int maxOrder, NbSvmOptions options) : IClassifierFactory
    {
        public string Name => name;

        public ISentenceClassifier Train(ClassificationFold fold)
        {
            LabeledSentences train = fold.TrainAndValidation;
            if (train.ClassCount != 2)
                throw new ArgumentException($"{name}: NBSVM is binary, the data has {train.ClassCount} classes.", nameof(fold));
            var features = NGramFeatures.Build(train.Sentences, maxOrder);
            var model = Classification.NbSvm.Train(features.EncodeAll(train.Sentences), train.Labels, features.Count, options);
            return new Classifier(2, s =>
            {
                double p1 = 1.0 / (1.0 + Math.Exp(-model.Score(features.Encode(s)))); // σ(score): monotone, not calibrated
                return [1 - p1, p1];
            });
        }
    }

    private sealed class Classifier(int classCount, Func<string[], double[]> probabilities) : ISentenceClassifier
    {
        public int ClassCount => classCount;

        public double[][] PredictProbabilities(IReadOnlyList<string[]> sentences) => sentences.Select(probabilities).ToArray();
    }
}
