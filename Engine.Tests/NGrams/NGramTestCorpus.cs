using SeqLearn.NGrams;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.NGrams;

/// <summary>Small random corpora with fixed seeds for the n-gram property tests.</summary>
internal static class NGramTestCorpus
{
    /// <summary>Random lines over a Zipf-like vocabulary of <paramref name="words"/> words (some lines empty).</summary>
    public static string[] Random(ulong seed, int lines, int words, int maxLength)
    {
        var rng = new SeededRng(seed);
        var result = new string[lines];
        for (int i = 0; i < lines; i++)
        {
            int n = rng.NextInt(maxLength + 1);
            var line = new string[n];
            for (int j = 0; j < n; j++)
            {
                // Squaring a uniform draw skews towards small ids: frequent and rare words, like text.
                double u = rng.NextDouble();
                line[j] = "w" + (int)(u * u * words);
            }
            result[i] = string.Join(' ', line);
        }
        return result;
    }

    /// <summary>Every estimator with the options that make it work on tiny data.</summary>
    public static INGramEstimator[] Estimators() =>
    [
        new MaximumLikelihood(), new AddK(1), new AddK(0.05), new WittenBell(), new AbsoluteDiscounting(0.5),
        new KneserNey(0.5), new ModifiedKneserNey(MknDiscounts.KenLmFallback), new StupidBackoff(),
    ];
}
