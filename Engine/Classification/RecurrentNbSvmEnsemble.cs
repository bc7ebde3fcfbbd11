namespace SeqLearn.Classification;

/// <summary>
/// The recurrent classifier combined with NBSVM-bi (Mesnil et al. 2014 ensemble a neural model with NBSVM the same way):
/// <code>
/// P(pos | x) = w · P_rnn(pos | x) + (1 − w) · σ(s_nbsvm(x))
/// </code>
/// Both members are trained on the fold's training part (the recurrent model's vocabulary is the one
/// <see cref="RecurrentClassifierOptions.MinCount"/> describes); w ∈ {0, 0.05, …, 1} is the value with the best accuracy on
/// the validation part (ties to the larger w, i.e. towards the recurrent model), so w = 1 — the recurrent model alone —
/// is kept whenever NBSVM does not help on validation. Binary data only.
/// </summary>
public sealed class RecurrentNbSvmEnsembleFactory(RecurrentClassifierFactory recurrent) : IClassifierFactory
{
    private readonly RecurrentClassifierFactory _recurrent = recurrent ?? throw new ArgumentNullException(nameof(recurrent));

    /// <inheritdoc/>
    public string Name => "rnn+nbsvm";

    /// <summary>The weight w of the recurrent model chosen on each fold so far, in fold order.</summary>
    public List<double> Weights { get; } = [];

    /// <inheritdoc/>
    public ISentenceClassifier Train(ClassificationFold fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        if (fold.Data.ClassCount != 2) throw new ArgumentException($"rnn+nbsvm: NBSVM is binary, the data has {fold.Data.ClassCount} classes.", nameof(fold));
        var rnn = _recurrent.Train(fold);
        var features = NGramFeatures.Build(fold.Train.Sentences, 2);
        var nbsvm = NbSvm.Train(features.EncodeAll(fold.Train.Sentences), fold.Train.Labels, features.Count);
        double[] Nb(IReadOnlyList<string[]> sentences) => [.. sentences.Select(s => 1 / (1 + Math.Exp(-nbsvm.Score(features.Encode(s)))))];

        var valid = fold.Validation;
        double[] pr = [.. rnn.PredictProbabilities(valid.Sentences).Select(p => p[1])], pn = Nb(valid.Sentences);
        double bestW = 1;
        int bestCorrect = -1;
        for (int i = 20; i >= 0; i--)
        {
            double w = i / 20.0;
            int correct = 0;
            for (int n = 0; n < pr.Length; n++)
                if ((w * pr[n] + (1 - w) * pn[n] > 0.5 ? 1 : 0) == valid.Labels[n]) correct++;
            if (correct > bestCorrect) (bestCorrect, bestW) = (correct, w);
        }
        Weights.Add(bestW);
        return new Ensemble(rnn, Nb, bestW);
    }

    private sealed class Ensemble(ISentenceClassifier rnn, Func<IReadOnlyList<string[]>, double[]> nb, double w) : ISentenceClassifier
    {
        public int ClassCount => 2;

        public double[][] PredictProbabilities(IReadOnlyList<string[]> sentences)
        {
            var pr = rnn.PredictProbabilities(sentences);
            var pn = nb(sentences);
            return [.. pr.Select((p, n) => { double p1 = w * p[1] + (1 - w) * pn[n]; return new[] { 1 - p1, p1 }; })];
        }
    }
}
