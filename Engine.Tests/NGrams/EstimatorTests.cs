using SeqLearn.NGrams;
using SeqLearn.Text;

namespace SeqLearn.Tests.NGrams;

public class EstimatorTests
{
    private static readonly string[] Corpus = NGramTestCorpus.Random(11, 40, 9, 7);

    // Σ_w p(w | context) over every symbol but <s> (the vocabulary plus </s> and <unk>).
    private static double Mass(BackoffModel model, NGramState state)
    {
        double sum = 0;
        for (int w = 0; w < model.Vocabulary.Count; w++)
            if (w != model.Vocabulary.BosId) sum += Math.Pow(10, model.LogProb10(state, w, null));
        return sum;
    }

    private static IEnumerable<NGramState> EveryStoredContext(BackoffModel model)
    {
        yield return model.EmptyState();
        yield return model.BeginSentence();
        for (int k = 1; k < model.Order; k++)
            for (int e = 0; e < model.Table(k).Count; e++)
            {
                ReadOnlySpan<int> key = model.Table(k).Key(e);
                if (key.Contains(model.Vocabulary.EosId)) continue; // never a context
                var state = model.EmptyState();
                foreach (int id in key) model.LogProb10(state, id, state);
                yield return state;
            }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Estimators_EverySeenContext_DistributionSumsToOne(int order)
    {
        var counts = NGramCounts.Count(Corpus, order);
        foreach (INGramEstimator estimator in NGramTestCorpus.Estimators().Where(e => e.IsNormalized))
        {
            BackoffModel model = estimator.Estimate(counts);
            int contexts = 0;
            foreach (NGramState state in EveryStoredContext(model))
            {
                double mass = Mass(model, state);
                Assert.True(Math.Abs(mass - 1) < 2e-5, $"{estimator.Name}, order {order}, context [{string.Join(' ', state.Words.ToArray())}]: Σ p = {mass}.");
                contexts++;
            }
            Assert.True(contexts >= 2 + (order > 1 ? counts.Table(order - 1).Count / 2 : 0));
        }
    }

    [Fact]
    public void StupidBackoff_IsNotADistribution()
    {
        BackoffModel model = new StupidBackoff().Estimate(NGramCounts.Count(Corpus, 3));
        Assert.Contains(EveryStoredContext(model), s => Math.Abs(Mass(model, s) - 1) > 0.01);
    }

    [Fact]
    public void SmoothedEstimators_UnseenNGram_GetPositiveProbability()
    {
        var counts = NGramCounts.Count(Corpus, 3);
        NGramVocabulary v = counts.Vocabulary;
        // Find a trigram context that was seen and a word never seen after it.
        int ctx = Enumerable.Range(0, counts.Table(2).Count).First(e => !counts.Table(2).Key(e).Contains(v.EosId));
        int[] h = counts.Table(2).Key(ctx).ToArray();
        int unseen = Enumerable.Range(0, v.Count).First(w => w != v.BosId && counts.Table(3).Find([h[0], h[1], w]) < 0);
        foreach (INGramEstimator estimator in NGramTestCorpus.Estimators())
        {
            double p = Math.Pow(10, estimator.Estimate(counts).LogProb10(h, unseen));
            if (estimator is MaximumLikelihood) Assert.True(p < 1e-90, $"MLE gave {p}.");
            else Assert.True(p > 0, $"{estimator.Name}: p(unseen) = {p}.");
        }
    }

    [Fact]
    public void AddK_GrowingK_TendsToUniform()
    {
        var counts = NGramCounts.Count(Corpus, 3);
        double uniform = 1.0 / (counts.Vocabulary.Count - 1);
        double previous = double.MaxValue;
        foreach (double k in new[] { 0.01, 1, 100, 1e4, 1e7 })
        {
            BackoffModel model = new AddK(k).Estimate(counts);
            double worst = 0;
            foreach (NGramState state in EveryStoredContext(model))
                for (int w = 0; w < counts.Vocabulary.Count; w++)
                    if (w != counts.Vocabulary.BosId)
                        worst = Math.Max(worst, Math.Abs(Math.Pow(10, model.LogProb10(state, w, null)) - uniform));
            Assert.True(worst < previous, $"k = {k}: max |p − 1/V| = {worst}, not below {previous}.");
            previous = worst;
        }
        Assert.True(previous < 1e-5 * uniform + 1e-7);
    }

    [Fact]
    public void UniformModel_PerplexityEqualsVocabularySize()
    {
        const int v = 37; // predictable symbols: </s>, <unk> and 35 words
        string[] words = Enumerable.Range(0, v - 2).Select(i => $"u{i}").ToArray();
        float logP = (float)-Math.Log10(v);
        string arpa = $"\\data\\\nngram 1={v + 1}\n\n\\1-grams:\n0\t<s>\n{logP}\t</s>\n{logP}\t<unk>\n"
            + string.Concat(words.Select(w => $"{logP}\t{w}\n")) + "\n\\end\\\n";
        BackoffModel model = ArpaReader.Read(new StringReader(arpa), "uniform.arpa");
        LanguageModelScore score = model.Evaluate(NGramTestCorpus.Random(3, 20, 50, 12).Select(l => l.Replace('w', 'u')));
        Assert.True(Math.Abs(score.Perplexity - v) < 1e-4 * v, $"perplexity {score.Perplexity}, expected {v}.");
        Assert.True(Math.Abs(score.BitsPerToken - Math.Log2(v)) < 1e-5);
    }

    [Fact]
    public void ModifiedKneserNey_Discounts_FollowChenGoodman()
    {
        MknDiscounts d = MknDiscounts.Estimate([0, 10, 5, 3, 2])!.Value;
        // Y = 10/(10+2·5) = 0.5; D1 = 1 − 2·0.5·5/10; D2 = 2 − 3·0.5·3/5; D3+ = 3 − 4·0.5·2/3.
        Assert.Equal(0.5, d.D1, 12);
        Assert.Equal(1.1, d.D2, 12);
        Assert.Equal(3 - 4.0 / 3, d.D3Plus, 12);
        Assert.Null(MknDiscounts.Estimate([0, 10, 5, 0, 2]));
    }

    [Fact]
    public void ModifiedKneserNey_TinyCorpus_ClearErrorOrFallback()
    {
        var counts = NGramCounts.Count(["a b c", "a b d"], 3);
        var e = Assert.Throws<NGramEstimationException>(() => new ModifiedKneserNey().Estimate(counts));
        Assert.Contains("fallback", e.Message);
        Assert.Contains("order", e.Message);
        BackoffModel model = new ModifiedKneserNey(MknDiscounts.KenLmFallback).Estimate(counts);
        Assert.True(model.LogProb10([counts.Vocabulary.IdOrUnk("a")], counts.Vocabulary.IdOrUnk("b")) > -1);
        Assert.Throws<NGramEstimationException>(() => new KneserNey().Estimate(NGramCounts.Count(["a a a a", "a a"], 2)));
    }
}
