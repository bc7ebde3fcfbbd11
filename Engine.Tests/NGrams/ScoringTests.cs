using SeqLearn.NGrams;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.NGrams;

public class ScoringTests
{
    // The ARPA back-off rule written directly over the model's tables: the executable spec of the scorer.
    private static double Reference(BackoffModel m, int[] history, int word)
    {
        int n = m.Order;
        int h = Math.Min(history.Length, n - 1);
        double logP = 0;
        for (int len = h; len >= 0; len--) // context length
        {
            int[] gram = [.. history[^len..], word];
            int e = m.Table(len + 1).Find(gram);
            if (e >= 0) return logP + m.LogProbs(len + 1)[e];
            if (len == 0) break;
            int c = m.Table(len).Find(history[^len..]);
            if (c >= 0) logP += m.LogBackoffs(len)[c];
        }
        throw new InvalidOperationException("every word is a unigram");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    public void LogProb10_StatefulScorer_EqualsReferenceBackoffRule(int order)
    {
        string[] corpus = NGramTestCorpus.Random(31, 120, 12, 10);
        var counts = NGramCounts.Count(corpus, order);
        var rng = new SeededRng(32);
        foreach (INGramEstimator estimator in new INGramEstimator[] { new ModifiedKneserNey(MknDiscounts.KenLmFallback), new AddK(0.5), new StupidBackoff() })
        {
            BackoffModel model = estimator.Estimate(counts);
            int v = model.Vocabulary.Count;
            long oovs = 0;
            for (int trial = 0; trial < 200; trial++)
            {
                // Half the sentences follow the corpus (long matches), half are random ids (mostly unseen contexts).
                int[] sentence = trial % 2 == 0
                    ? model.Vocabulary.EncodeSentence(corpus[rng.NextInt(corpus.Length)], ref oovs)
                    : [model.Vocabulary.BosId, .. Enumerable.Range(0, 1 + rng.NextInt(12)).Select(_ => 2 + rng.NextInt(v - 2))];
                NGramState state = model.BeginSentence();
                for (int i = 1; i < sentence.Length; i++)
                {
                    double expected = Reference(model, sentence[..i], sentence[i]);
                    float actual = model.LogProb10(state, sentence[i], state);
                    Assert.True(Math.Abs(expected - actual) < 1e-4, $"{estimator.Name} order {order}: position {i} of [{string.Join(' ', sentence)}]: reference {expected}, scorer {actual}.");
                }
            }
        }
    }
}
