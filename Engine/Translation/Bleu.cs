using System.Globalization;

namespace SeqLearn.Translation;

/// <summary>
/// Corpus and sentence BLEU-N (Papineni et al. 2002) with sacreBLEU's rules, on tokens given by the caller
/// (here: whitespace tokens of <see cref="FraEngText"/>-preprocessed text; no further tokenisation).
/// <code>
/// m_n = Σ_sentences Σ_g min(c_hyp(g), max_refs c_ref(g))     t_n = Σ_sentences (|hyp| − n + 1)⁺
/// c = Σ |hyp|      r = Σ |closest reference| (ties → the shorter)
/// p_n = m_n / t_n  (smoothed as <see cref="BleuSmoothing"/>)      BP = min(1, exp(1 − r/c))
/// BLEU = 100 · BP · exp((1/N) Σ_{n=1..N} log p_n)
/// </code>
/// As sacreBLEU: no match of any order gives 0 whatever the smoothing; an order with no hypothesis n-gram stops
/// the loop (its precision stays 0, so BLEU is 0 unless effective order is on, which averages over the orders seen).
/// </summary>
public static class Bleu
{
    /// <summary>N of BLEU-4.</summary>
    public const int MaxOrder = 4;

    /// <summary>Version tag of these rules in <see cref="Signature"/>.</summary>
    public const string Version = "seqlearn-1";

    /// <summary>The tokenisation named in <see cref="Signature"/>: whitespace tokens after <see cref="FraEngText.Preprocess"/>.</summary>
    public const string Tokenization = "d2l-fra-eng+whitespace";

    private const double LogOfZero = -9999999999; // sacreBLEU's my_log(0): a zero precision drives the mean log to −∞ in effect

    /// <summary>ε of floor smoothing and k of add-k smoothing are counts added to n-gram totals: finite and ≥ 0.</summary>
    private static void CheckSmoothValue(double? smoothValue)
    {
        if (smoothValue is double v && !(v >= 0 && double.IsFinite(v)))
            throw new ArgumentOutOfRangeException(nameof(smoothValue), v, "Bleu: the smoothing value must be a finite number ≥ 0.");
    }

    /// <summary>The default ε of <see cref="BleuSmoothing.Floor"/> (0.1) and k of <see cref="BleuSmoothing.AddK"/> (1); 0 for the others.</summary>
    public static double DefaultSmoothValue(BleuSmoothing smoothing) => smoothing switch
    {
        BleuSmoothing.Floor => 0.1,
        BleuSmoothing.AddK => 1,
        _ => 0,
    };

    /// <summary>Corpus BLEU of token sequences: statistics summed over sentences, then one score.</summary>
    /// <param name="hypotheses">One hypothesis per sentence.</param>
    /// <param name="references">For each sentence, its references (any number ≥ 1, may differ between sentences).</param>
    /// <param name="smoothing">Smoothing (sacreBLEU's default <see cref="BleuSmoothing.Exp"/>).</param>
    /// <param name="smoothValue">ε or k; null for <see cref="DefaultSmoothValue"/>.</param>
    /// <param name="maxOrder">N (default 4).</param>
    /// <exception cref="ArgumentException">The two lists differ in length, a sentence has no reference, or (N ≥ 2) a token holds a space.</exception>
    public static BleuScore Corpus(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references,
        BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null, int maxOrder = MaxOrder)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"BLEU: {hypotheses.Count} hypotheses but {references.Count} reference sets.", nameof(references));
        var stats = new BleuStatistics(maxOrder);
        for (int i = 0; i < hypotheses.Count; i++) stats.Add(hypotheses[i], references[i]);
        return FromStatistics(stats, smoothing, smoothValue);
    }

    /// <summary><see cref="Corpus"/> on sentences given as text, split on whitespace.</summary>
    /// <exception cref="ArgumentNullException">A list, a sentence's reference list or a sentence is null.</exception>
    public static BleuScore CorpusOfText(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references,
        BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null, int maxOrder = MaxOrder)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        return Corpus(hypotheses.Select((h, i) => FraEngText.Tokenize(h ?? throw new ArgumentNullException(nameof(hypotheses), $"BLEU: hypothesis {i} is null."))).ToArray(),
            references.Select((rs, i) => (IReadOnlyList<IReadOnlyList<string>>)(rs ?? throw new ArgumentNullException(nameof(references), $"BLEU: the references of sentence {i} are null."))
                .Select((r, j) => FraEngText.Tokenize(r ?? throw new ArgumentNullException(nameof(references), $"BLEU: reference {j} of sentence {i} is null."))).ToArray()).ToArray(),
            smoothing, smoothValue, maxOrder);
    }

    /// <summary>
    /// BLEU of one sentence. The defaults are sacreBLEU's <c>sentence_bleu</c>: <see cref="BleuSmoothing.Exp"/> and
    /// effective order on (orders the hypothesis is too short for are left out of the mean).
    /// </summary>
    public static BleuScore Sentence(IReadOnlyList<string> hypothesis, IReadOnlyList<IReadOnlyList<string>> references,
        BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null, bool effectiveOrder = true, int maxOrder = MaxOrder)
    {
        var stats = new BleuStatistics(maxOrder);
        stats.Add(hypothesis, references);
        return FromStatistics(stats, smoothing, smoothValue, effectiveOrder);
    }

    /// <summary>The score of summed statistics (sacreBLEU's <c>compute_bleu</c>).</summary>
    public static BleuScore FromStatistics(BleuStatistics stats, BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null,
        bool effectiveOrder = false)
    {
        ArgumentNullException.ThrowIfNull(stats);
        Checks.Defined(smoothing, "Bleu", nameof(smoothing));
        CheckSmoothValue(smoothValue);
        double value = smoothValue ?? DefaultSmoothValue(smoothing);
        long c = stats.HypothesisLength, r = stats.ReferenceLength;
        double bp = c >= r ? 1.0 : c > 0 ? Math.Exp(1.0 - (double)r / c) : 0.0;
        double ratio = r > 0 ? (double)c / r : 0.0;
        int order = stats.MaxOrder;
        var p = new double[order];
        bool anyMatch = false;
        foreach (long m in stats.Matches) anyMatch |= m > 0;
        if (!anyMatch) return new BleuScore(0.0, p, bp, ratio, c, r);

        double mteval = 1.0;
        int effective = order;
        for (int n = 1; n <= order; n++)
        {
            double m = stats.Matches[n - 1], t = stats.Totals[n - 1];
            if (smoothing == BleuSmoothing.AddK && n > 1) { m += value; t += value; }
            if (t == 0) break;
            if (effectiveOrder) effective = n;
            if (m > 0) p[n - 1] = 100.0 * m / t;
            else if (smoothing == BleuSmoothing.Exp) { mteval *= 2; p[n - 1] = 100.0 / (mteval * t); }
            else if (smoothing == BleuSmoothing.Floor) p[n - 1] = 100.0 * value / t;
        }
        double logSum = 0;
        for (int n = 0; n < effective; n++) logSum += p[n] > 0 ? Math.Log(p[n]) : LogOfZero;
        return new BleuScore(bp * Math.Exp(logSum / effective), p, bp, ratio, c, r);
    }

    /// <summary>
    /// sacreBLEU's signature for a score of this class, e.g.
    /// <c>nrefs:var|case:lc|eff:no|tok:d2l-fra-eng+whitespace|smooth:exp|version:seqlearn-1</c>.
    /// </summary>
    /// <param name="referenceCount">References per sentence, or null when it varies (<c>var</c>).</param>
    /// <param name="smoothing">The smoothing; floor and add-k print their value as <c>floor[0.10]</c>.</param>
    /// <param name="smoothValue">ε or k; null for the default.</param>
    /// <param name="effectiveOrder">Whether effective order was on.</param>
    public static string Signature(int? referenceCount, BleuSmoothing smoothing = BleuSmoothing.Exp, double? smoothValue = null,
        bool effectiveOrder = false)
    {
        if (referenceCount < 1) throw new ArgumentOutOfRangeException(nameof(referenceCount), referenceCount, "Bleu.Signature: a corpus has at least one reference per sentence (null: a varying number).");
        Checks.Defined(smoothing, "Bleu.Signature", nameof(smoothing));
        CheckSmoothValue(smoothValue);
        string smooth = smoothing switch
        {
            BleuSmoothing.None => "none",
            BleuSmoothing.Exp => "exp",
            BleuSmoothing.Floor => string.Create(CultureInfo.InvariantCulture, $"floor[{smoothValue ?? DefaultSmoothValue(smoothing):F2}]"),
            _ => string.Create(CultureInfo.InvariantCulture, $"add-k[{smoothValue ?? DefaultSmoothValue(smoothing):F2}]"),
        };
        string nrefs = referenceCount?.ToString(CultureInfo.InvariantCulture) ?? "var";
        return $"nrefs:{nrefs}|case:lc|eff:{(effectiveOrder ? "yes" : "no")}|tok:{Tokenization}|smooth:{smooth}|version:{Version}";
    }
}
