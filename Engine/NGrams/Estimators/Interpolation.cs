namespace SeqLearn.NGrams;

/// <summary>
/// Converts estimates to back-off form. Two shapes cover every estimator here:
/// <list type="bullet">
/// <item>Interpolated: p_k(w | h) = α_k(h w) + γ_k(h) · p_{k−1}(w | h'), with p_0 uniform over the V−1 symbols other
/// than &lt;s&gt;. For an unseen h w only the second term remains, so the ARPA back-off of h is exactly γ_k(h).</item>
/// <item>Backed off: p(w | h) = p*(h w) if h w was seen, else bo(h) · p(w | h') with
/// bo(h) = (1 − Σ_{seen w} p*(h w)) / (1 − Σ_{seen w} p(w | h')), which makes each distribution sum to 1.</item>
/// </list>
/// &lt;s&gt; is never predicted (it is context only): its unigram log10 p is written as 0, as lmplz does.
/// </summary>
internal static class Interpolation
{
    /// <summary>Back-off model of an interpolated estimate. <paramref name="gamma"/>[k−1] is indexed by the contexts of order k; NaN = never a context.</summary>
    public static BackoffModel FromInterpolated(NGramCounts counts, double[][] alpha, double[][] gamma)
    {
        int n = counts.Order;
        var p = new double[n][];
        int symbols = counts.Vocabulary.Count - 1; // all but <s>
        p[0] = new double[alpha[0].Length];
        for (int w = 0; w < p[0].Length; w++)
            p[0][w] = alpha[0][w] + gamma[0][0] / symbols;
        for (int k = 2; k <= n; k++)
        {
            ReadOnlySpan<int> ctx = counts.ContextOf(k), suffix = counts.SuffixOf(k);
            var pk = new double[alpha[k - 1].Length];
            for (int e = 0; e < pk.Length; e++)
                pk[e] = alpha[k - 1][e] + gamma[k - 1][ctx[e]] * p[k - 2][suffix[e]];
            p[k - 1] = pk;
        }
        var backoff = new double[n - 1][];
        for (int k = 1; k < n; k++) backoff[k - 1] = gamma[k];
        return Build(counts, p, backoff);
    }

    /// <summary>Back-off model of a backed-off estimate p*(h w) for the seen n-grams (all unigrams are "seen").</summary>
    public static BackoffModel FromBackedOff(NGramCounts counts, double[][] pStar)
    {
        int n = counts.Order;
        var backoff = new double[n - 1][];
        for (int k = 2; k <= n; k++)
        {
            ReadOnlySpan<int> ctx = counts.ContextOf(k), suffix = counts.SuffixOf(k);
            int contexts = counts.ContextCount(k);
            var seenHigher = new double[contexts];
            var seenLower = new double[contexts];
            var extended = new bool[contexts];
            double[] lower = pStar[k - 2]; // a stored (k−1)-gram's final probability is its p*
            for (int e = 0; e < pStar[k - 1].Length; e++)
            {
                seenHigher[ctx[e]] += pStar[k - 1][e];
                seenLower[ctx[e]] += lower[suffix[e]];
                extended[ctx[e]] = true;
            }
            var bo = new double[contexts];
            for (int h = 0; h < contexts; h++)
            {
                double left = Math.Max(0, 1 - seenHigher[h]), room = Math.Max(0, 1 - seenLower[h]);
                bo[h] = !extended[h] ? double.NaN : room <= 1e-12 ? (left <= 1e-12 ? double.NaN : 0) : left / room;
            }
            backoff[k - 2] = bo;
        }
        return Build(counts, pStar, backoff);
    }

    /// <summary>Packs double-precision probabilities and back-offs (linear scale) into a float log10 model.</summary>
    public static BackoffModel Build(NGramCounts counts, double[][] p, double[][] backoff)
    {
        // With no token every estimate is 0/0: the model would hold NaN or log10 0 everywhere and score nothing.
        if (counts.TokenCount == 0)
            throw new NGramEstimationException("The counts hold no token (an empty corpus: no line, not even an empty one); there is nothing to estimate.");
        int n = counts.Order;
        var tables = new NGramTable[n];
        var logProb = new float[n][];
        var logBackoff = new float[n][];
        for (int k = 1; k <= n; k++)
        {
            tables[k - 1] = counts.Table(k);
            logProb[k - 1] = ToLog10(p[k - 1]);
            logBackoff[k - 1] = k < n ? ToLog10Backoff(backoff[k - 1]) : [];
        }
        logProb[0][counts.Vocabulary.BosId] = 0f; // never predicted; lmplz writes 0 here (SRILM writes −99)
        return new BackoffModel(counts.Vocabulary, tables, logProb, logBackoff);
    }

    private static float[] ToLog10(double[] p)
    {
        var log = new float[p.Length];
        for (int i = 0; i < p.Length; i++) log[i] = p[i] > 0 ? (float)Math.Log10(p[i]) : BackoffModel.LogZero;
        return log;
    }

    // NaN marks an n-gram that is never a context: back-off 1 (log 0), as KenLM writes it.
    private static float[] ToLog10Backoff(double[] bo)
    {
        var log = new float[bo.Length];
        for (int i = 0; i < bo.Length; i++)
            log[i] = double.IsNaN(bo[i]) ? 0f : bo[i] > 0 ? (float)Math.Log10(bo[i]) : BackoffModel.LogZero;
        return log;
    }
}
