using System.Globalization;
using SeqLearn.NGrams;
using SeqLearn.Tests.Support;
using SeqLearn.Text;

namespace SeqLearn.Tests.NGrams;

/// <summary>
/// Agreement with KenLM (shared/fixtures/kenlm): lmplz's modified Kneser-Ney 3-gram ARPA on the PTB validation
/// text, and `query` output on the first 500 test sentences.
/// </summary>
public class KenLmAgreementTests
{
    private static readonly string Dir = SharedData.PathOf("fixtures/kenlm");
    private static readonly Lazy<BackoffModel> KenLm = new(() => ArpaReader.Read(Path.Combine(Dir, "valid-3gram.arpa")));
    private static readonly Lazy<BackoffModel> Ours = new(() =>
        new ModifiedKneserNey().Estimate(NGramCounts.Count(TextFile.ReadLines(Path.Combine(Dir, "train-valid-unk-mapped.txt")), 3)));

    [Fact]
    public void ModifiedKneserNey_MatchesKenLmArpa_EveryProbabilityAndBackoff()
    {
        BackoffModel kenlm = KenLm.Value, ours = Ours.Value;
        Assert.Equal(kenlm.Order, ours.Order);
        Span<int> mapped = stackalloc int[3];
        for (int k = 1; k <= 3; k++)
        {
            Assert.Equal(kenlm.Table(k).Count, ours.Table(k).Count);
            double worstP = 0, worstB = 0;
            for (int e = 0; e < kenlm.Table(k).Count; e++)
            {
                ReadOnlySpan<int> key = kenlm.Table(k).Key(e);
                for (int i = 0; i < k; i++)
                    Assert.True(ours.Vocabulary.TryGetId(kenlm.Vocabulary.TokenOf(key[i]), out mapped[i]), kenlm.Vocabulary.TokenOf(key[i]));
                int o = ours.Table(k).Find(mapped[..k]);
                Assert.True(o >= 0, $"{k}-gram '{Words(kenlm, key)}' is missing from SeqLearn's model.");
                double dp = Math.Abs(kenlm.LogProbs(k)[e] - ours.LogProbs(k)[o]);
                Assert.True(dp <= 1e-4, $"{k}-gram '{Words(kenlm, key)}': KenLM log10 p {kenlm.LogProbs(k)[e]}, SeqLearn {ours.LogProbs(k)[o]}.");
                worstP = Math.Max(worstP, dp);
                if (k < 3)
                {
                    double db = Math.Abs(kenlm.LogBackoffs(k)[e] - ours.LogBackoffs(k)[o]);
                    Assert.True(db <= 1e-4, $"{k}-gram '{Words(kenlm, key)}': KenLM back-off {kenlm.LogBackoffs(k)[e]}, SeqLearn {ours.LogBackoffs(k)[o]}.");
                    worstB = Math.Max(worstB, db);
                }
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Query_PerSentenceTotalsAndPerplexities_MatchKenLm(bool useKenLmArpa)
    {
        BackoffModel model = useKenLmArpa ? KenLm.Value : Ours.Value;
        string[] test = TextFile.ReadLines(Path.Combine(Dir, "test-500.txt"));
        string[] expected = File.ReadAllLines(Path.Combine(Dir, "query-sentence.txt"));
        Assert.Equal(test.Length, expected.Length);
        for (int i = 0; i < test.Length; i++)
        {
            string[] f = expected[i].Split(' ', StringSplitOptions.RemoveEmptyEntries); // Total: x OOV: n
            double total = double.Parse(f[1], CultureInfo.InvariantCulture);
            int oov = int.Parse(f[3], CultureInfo.InvariantCulture);
            var scores = model.ScoreSentence(test[i]);
            double ours = scores.Sum(s => (double)s.Log10Prob);
            Assert.True(Math.Abs(ours - total) <= 1e-4 * Math.Abs(total) + 2e-4, $"sentence {i + 1}: KenLM {total}, SeqLearn {ours}.");
            Assert.Equal(oov, scores.Count(s => s.IsOov));
        }

        var summary = File.ReadAllLines(Path.Combine(Dir, "query-summary.txt"))
            .Select(l => l.Split('\t')).ToDictionary(p => p[0].TrimEnd(':'), p => double.Parse(p[1], CultureInfo.InvariantCulture));
        LanguageModelScore score = model.Evaluate(test);
        Assert.Equal((long)summary["Tokens"], score.Tokens);
        Assert.Equal((long)summary["OOVs"], score.Oovs);
        AssertRelative(summary["Perplexity including OOVs"], score.Perplexity, 1e-4);
        AssertRelative(summary["Perplexity excluding OOVs"], score.PerplexityExcludingOovs, 1e-4);
    }

    private static void AssertRelative(double expected, double actual, double rtol) =>
        Assert.True(Math.Abs(actual - expected) <= rtol * Math.Abs(expected), $"expected {expected}, got {actual} (rtol {rtol}).");

    private static string Words(BackoffModel m, ReadOnlySpan<int> key)
    {
        var parts = new string[key.Length];
        for (int i = 0; i < key.Length; i++) parts[i] = m.Vocabulary.TokenOf(key[i]);
        return string.Join(' ', parts);
    }
}
