using SeqLearn.NGrams;
using SeqLearn.Tensors;
using SeqLearn.Text;

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

    [Theory]
    [InlineData("<s>", "<s>")]
    [InlineData("the <s> cat", "<s>")]
    [InlineData("the </s> cat", "</s>")]
    [InlineData("</s>", "</s>")]
    public void Evaluate_SentenceMarkerInTheText_IsRefusedNamingLineAndToken_AsCountingDoes(string line, string token)
    {
        BackoffModel model = new ModifiedKneserNey(MknDiscounts.KenLmFallback).Estimate(NGramCounts.Count(["the cat sat", "the dog sat"], 2));
        var e = Assert.Throws<InvalidDataException>(() => model.Evaluate(["the cat", line]));
        Assert.Equal($"Line 2: the corpus contains '{token}', which is reserved for sentence boundaries.", e.Message);
        var counting = Assert.Throws<ArgumentException>(() => NGramCounts.Count(["the cat", line], 2));
        Assert.Equal(counting.Message, e.Message);
        Assert.Contains($"'{token}'", Assert.Throws<ArgumentException>(() => model.ScoreSentence(line)).Message);
        Assert.Equal(1, model.Evaluate(["the <unk>"]).Oovs);   // <unk> is a word: an OOV, scored
    }

    [Fact]
    public void Evaluate_MaximumLikelihoodUnseenBigram_ProbabilityZero_PerplexityIsInfinite()
    {
        BackoffModel model = new MaximumLikelihood().Estimate(NGramCounts.Count(["the cat sat", "the dog sat"], 2));
        // "cat dog" was never seen after "cat": log10 p = bo(cat) + log10 p(dog) = −99 + …, the ARPA floor.
        Assert.True(model.LogProb10([model.Vocabulary.IdOrUnk("cat")], model.Vocabulary.IdOrUnk("dog")) <= BackoffModel.LogZero);
        LanguageModelScore score = model.Evaluate(["the cat sat", "the cat dog sat"]);
        Assert.Equal(double.NegativeInfinity, score.TotalLogProb);
        Assert.Equal(double.PositiveInfinity, score.Perplexity);
        Assert.Equal(double.PositiveInfinity, score.PerplexityExcludingOovs);
        Assert.Equal(double.PositiveInfinity, score.BitsPerToken);
        Assert.Equal(float.NegativeInfinity, model.ScoreSentence("the cat dog sat")[2].Log10Prob);
        Assert.True(double.IsFinite(model.Evaluate(["the cat sat"]).Perplexity));
    }

    [Fact]
    public void Evaluate_OnlyAnOovHasProbabilityZero_PerplexityExcludingOovsStaysFinite()
    {
        // Maximum likelihood without a literal <unk> in training: p(<unk>) = 0, so the OOV "zebra" has probability 0;
        // the other tokens (the | <s>, cat | the, sat | cat, </s> after the OOV by back-off) are seen.
        BackoffModel model = new MaximumLikelihood().Estimate(NGramCounts.Count(["the cat sat", "the dog sat"], 2));
        LanguageModelScore score = model.Evaluate(["the cat sat zebra"]);
        Assert.Equal(1, score.Oovs);
        Assert.Equal(double.PositiveInfinity, score.Perplexity);
        double inVocabulary = model.ScoreSentence("the cat sat zebra").Where(t => !t.IsOov).Sum(t => t.LogProb);
        Assert.True(double.IsFinite(inVocabulary));
        Assert.Equal(Math.Exp(-inVocabulary / 4), score.PerplexityExcludingOovs, 1e-9);
    }
}
