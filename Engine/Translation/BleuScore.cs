using System.Globalization;

namespace SeqLearn.Translation;

/// <summary>
/// A BLEU result in sacreBLEU's units: <see cref="Score"/> and <see cref="Precisions"/> in percent (0–100).
/// <see cref="ToString"/> prints sacreBLEU's line, e.g.
/// <c>BLEU = 21.38 56.1/27.7/16.3/9.4 (BP = 0.968 ratio = 0.968 hyp_len = 9012 ref_len = 9306)</c>.
/// </summary>
/// <param name="Score">BLEU = BP · exp((1/N) Σ_n log p_n), in percent.</param>
/// <param name="Precisions">p_1..p_N in percent, after smoothing (0 for an order with no n-gram or no match under <see cref="BleuSmoothing.None"/>, and for every order when no order matches).</param>
/// <param name="BrevityPenalty">BP = 1 if c ≥ r, else exp(1 − r/c) (0 when c = 0 &lt; r).</param>
/// <param name="Ratio">c / r (0 when r = 0).</param>
/// <param name="HypothesisLength">c, hypothesis tokens.</param>
/// <param name="ReferenceLength">r, closest-reference tokens.</param>
public sealed record BleuScore(double Score, IReadOnlyList<double> Precisions, double BrevityPenalty, double Ratio,
    long HypothesisLength, long ReferenceLength)
{
    /// <summary>sacreBLEU's score line: <c>BLEU = S p1/p2/p3/p4 (BP = … ratio = … hyp_len = … ref_len = …)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"BLEU = {Score:F2} {string.Join('/', Precisions.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))} (BP = {BrevityPenalty:F3} ratio = {Ratio:F3} hyp_len = {HypothesisLength} ref_len = {ReferenceLength})");
}
