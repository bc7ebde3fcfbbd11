namespace SeqLearn.Translation;

/// <summary>
/// The BLEU variant of d2l.ai (§10.7, <c>bleu(pred_seq, label_seq, k)</c>), for comparison with that book only;
/// corpus results use <see cref="Bleu"/>. One prediction, one label, whitespace tokens:
/// <code>score = exp(min(0, 1 − len_label / len_pred)) · Π_{n=1..min(k, len_pred)} p_n^(1/2^n)</code>
/// where p_n is the fraction of the prediction's n-grams matched in the label (each label n-gram used at most once).
/// Examples: "il est riche ." vs "il est calme ." with k = 2 → (3/4)^(1/2) · (1/3)^(1/4) ≈ 0.658.
/// </summary>
public static class D2lBleu
{
    /// <summary>d2l's score of <paramref name="prediction"/> against <paramref name="label"/> up to order <paramref name="k"/>.</summary>
    /// <exception cref="ArgumentException">The prediction is empty (the formula divides by its length) or k &lt; 1.</exception>
    public static double Score(string prediction, string label, int k)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        string[] pred = FraEngText.Tokenize(prediction), lab = FraEngText.Tokenize(label);
        if (pred.Length == 0) throw new ArgumentException("d2l BLEU: the prediction is empty.", nameof(prediction));
        double score = Math.Exp(Math.Min(0.0, 1.0 - (double)lab.Length / pred.Length));
        for (int n = 1; n <= Math.Min(k, pred.Length); n++)
        {
            Dictionary<string, int> labelGrams = BleuStatistics.NGrams(lab, n);
            int matches = 0;
            for (int i = 0; i + n <= pred.Length; i++)
            {
                string gram = string.Join(' ', pred[i..(i + n)]);
                if (labelGrams.GetValueOrDefault(gram) > 0) { matches++; labelGrams[gram]--; }
            }
            double pN = (double)matches / (pred.Length - n + 1);
            score *= Math.Pow(pN, Math.Pow(0.5, n));
        }
        return score;
    }
}
