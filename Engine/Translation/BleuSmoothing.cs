namespace SeqLearn.Translation;

/// <summary>
/// How BLEU treats an n-gram order with no match (sacreBLEU's <c>smooth_method</c>; Chen and Cherry 2014, methods 1–3).
/// With m_n matches out of t_n hypothesis n-grams:
/// <list type="bullet">
/// <item><see cref="None"/>: p_n = m_n / t_n; one zero precision makes BLEU 0.</item>
/// <item><see cref="Floor"/>: p_n = ε / t_n when m_n = 0 (ε = 0.1 by default).</item>
/// <item><see cref="AddK"/>: p_n = (m_n + k) / (t_n + k) for n ≥ 2 (k = 1 by default); unigrams are not smoothed.</item>
/// <item><see cref="Exp"/>: the i-th order with m_n = 0 gets p_n = 1 / (2^i t_n) (mteval-v13a's smoothing; the default).</item>
/// </list>
/// </summary>
public enum BleuSmoothing
{
    /// <summary>No smoothing.</summary>
    None,

    /// <summary>A zero count becomes ε (default 0.1).</summary>
    Floor,

    /// <summary>k is added to matches and totals of orders 2 and up (default k = 1).</summary>
    AddK,

    /// <summary>Zero counts become 1/2, 1/4, 1/8, … in turn (mteval-v13a).</summary>
    Exp,
}
