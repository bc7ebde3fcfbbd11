using SeqLearn.Tensors;

namespace SeqLearn.Generation;

/// <summary>
/// Turns logits into a next token. <see cref="Probabilities"/> is the whole policy as a pure function of the
/// logits and the options (testable on hand-made distributions); <see cref="Sample"/> adds one uniform draw.
/// The instance only holds scratch buffers of size V, so sampling allocates nothing per token.
/// <code>
/// z_i = l_i / τ
/// p_i = exp(z_i − max z) / Σ_j exp(z_j − max z)          (computed as exp((l_i − max l) / τ))
/// top-k:  p_i ← 0 where l_i &lt; (k-th largest l);  renormalise
/// top-p:  sort p descending (ties by lower id); keep the shortest prefix with Σ p ≥ p_top;  renormalise
/// token = min { i : Σ_{j ≤ i} p_j &gt; u },  u ~ U[0, 1)
/// </code>
/// See docs/generation.md.
/// </summary>
public sealed class Sampler
{
    private const double CumulativeTolerance = 1e-12;
    private readonly double[] _p;
    private readonly (double NegLogit, int Id)[] _order;
    private readonly int[] _visited;

    /// <summary>Creates scratch space for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public Sampler(int vocabularySize)
    {
        if (vocabularySize <= 0) throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"Sampler: V must be positive, got {vocabularySize}.");
        _p = new double[vocabularySize];
        _order = new (double, int)[vocabularySize];
        _visited = new int[vocabularySize];
    }

    /// <summary>V.</summary>
    public int VocabularySize => _p.Length;

    /// <summary>The index of the largest logit (the lowest index among ties). Throws on NaN, and when every logit is −∞ (no token is possible).</summary>
    public static int Greedy(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("Sampler.Greedy: no logits.", nameof(logits));
        int best = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (float.IsNaN(logits[i])) throw new ArgumentException($"Sampler.Greedy: logit {i} is NaN.", nameof(logits));
            if (logits[i] > logits[best]) best = i;
        }
        if (float.IsNegativeInfinity(logits[best])) throw new ArgumentException("Sampler.Greedy: every logit is −∞ (no token is possible).", nameof(logits));
        return best;
    }

    /// <summary>
    /// The distribution the next token is drawn from (length V, sums to 1), after temperature, top-k and top-p.
    /// With τ = 0 it is one-hot on <see cref="Greedy"/>. The span is valid until the next call.
    /// </summary>
    public ReadOnlySpan<double> Probabilities(ReadOnlySpan<float> logits, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (logits.Length != _p.Length)
            throw new ArgumentException($"Sampler: {logits.Length} logits for a sampler of V = {_p.Length}.", nameof(logits));
        var p = _p.AsSpan();
        if (options.Temperature == 0)
        {
            p.Clear();
            p[Greedy(logits)] = 1;
            return p;
        }

        double tau = options.Temperature;
        double lMax = double.NegativeInfinity;
        for (int i = 0; i < p.Length; i++)
        {
            if (!float.IsFinite(logits[i]) && !float.IsNegativeInfinity(logits[i]))
                throw new ArgumentException($"Sampler: logit {i} is {logits[i]}; logits must be finite (−∞ masks a token).", nameof(logits));
            lMax = Math.Max(lMax, logits[i]);
        }
        if (double.IsNegativeInfinity(lMax)) throw new ArgumentException("Sampler: every logit is −∞; there is nothing to sample.", nameof(logits));
        // p_i ∝ exp(z_i − max z) with z = l / τ, written as exp((l_i − max l) / τ): never ∞ − ∞, even for tiny τ.
        for (int i = 0; i < p.Length; i++) p[i] = Math.Exp((logits[i] - lMax) / tau);

        bool filterK = options.TopK > 0 && options.TopK < p.Length;
        if (filterK || options.TopP < 1) Filter(logits, p, options, filterK);
        double z = Sum(p);
        for (int i = 0; i < p.Length; i++) p[i] /= z;
        return p;
    }

    /// <summary>Draws the next token from <see cref="Probabilities"/> with one uniform from <paramref name="rng"/>.</summary>
    public int Sample(ReadOnlySpan<float> logits, SamplingOptions options, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options);
        if (logits.Length != _p.Length)
            throw new ArgumentException($"Sampler: {logits.Length} logits for a sampler of V = {_p.Length}.", nameof(logits));
        options.Validate();
        if (options.Temperature == 0) return Greedy(logits);
        return Draw(Probabilities(logits, options), rng.NextDouble());
    }

    /// <summary>
    /// Inverse-CDF draw: the first i with p_0 + … + p_i &gt; u (skipping zero-probability tokens); u ∈ [0, 1), and the
    /// weights p (normalised or not) finite and ≥ 0 as far as the draw reads them.
    /// </summary>
    public static int Draw(ReadOnlySpan<double> p, double u)
    {
        if (!(u >= 0 && u < 1)) throw new ArgumentOutOfRangeException(nameof(u), $"Sampler.Draw: u must be in [0, 1), got {u}.");
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= 0 && double.IsFinite(p[i])))
                throw new ArgumentException($"Sampler.Draw: p[{i}] is {p[i]}; weights must be finite and ≥ 0.", nameof(p));
            if (p[i] == 0) continue;
            cumulative += p[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last >= 0 ? last : throw new ArgumentException("Sampler.Draw: the distribution has no positive entry.", nameof(p));
    }

    /// <summary>
    /// Zeroes the tokens removed by top-k and top-p. Tokens are visited in the order p descending (ties by lower
    /// id) by popping a heap, so only as many as the filters need are ordered: O(V + m log V) for m visited
    /// tokens instead of a full sort.
    /// </summary>
    private void Filter(ReadOnlySpan<float> logits, Span<double> p, SamplingOptions options, bool filterK)
    {
        var heap = _order.AsSpan();
        // Keyed by the logit, not by p: p is a non-decreasing function of the logit, so this is an order by p descending,
        // but distinct logits whose p rounded to the same double stay in logit order (top-k's k-th largest logit).
        for (int i = 0; i < p.Length; i++) heap[i] = (-(double)logits[i], i);
        int size = heap.Length;
        for (int i = size / 2 - 1; i >= 0; i--) SiftDown(heap[..size], i);
        var visited = _visited.AsSpan();
        int popped = 0;
        if (filterK)
        {
            while (popped < options.TopK) Pop(heap, ref size, visited, ref popped);
            float kth = logits[visited[options.TopK - 1]];
            while (size > 0 && logits[heap[0].Id] >= kth) Pop(heap, ref size, visited, ref popped);     // ties with the k-th logit stay
            for (int i = 0; i < p.Length; i++) if (logits[i] < kth) p[i] = 0;
        }
        if (options.TopP < 1)
        {
            double total = Sum(p), cumulative = 0;
            int keep = 0;
            while (true)
            {
                if (keep == popped && (filterK || size == 0)) break;   // with top-k every survivor is already visited
                if (keep == popped) Pop(heap, ref size, visited, ref popped);
                int id = visited[keep];
                if (p[id] <= 0) break;
                cumulative += p[id] / total;
                keep++;
                if (cumulative >= options.TopP - CumulativeTolerance) break;
            }
            for (int r = keep; r < popped; r++) p[visited[r]] = 0;
            for (int r = 0; r < size; r++) p[heap[r].Id] = 0;
        }
    }

    /// <summary>Moves the heap's top (the most probable remaining token) to the end of the visited list.</summary>
    private static void Pop(Span<(double NegLogit, int Id)> heap, ref int size, Span<int> visited, ref int popped)
    {
        visited[popped++] = heap[0].Id;
        heap[0] = heap[--size];
        SiftDown(heap[..size], 0);
    }

    /// <summary>Restores the heap property below <paramref name="i"/> (a min-heap in <see cref="ByProbabilityDescending"/> order).</summary>
    private static void SiftDown(Span<(double NegLogit, int Id)> heap, int i)
    {
        var order = default(ByProbabilityDescending);
        while (true)
        {
            int smallest = i, left = 2 * i + 1, right = left + 1;
            if (left < heap.Length && order.Compare(heap[left], heap[smallest]) < 0) smallest = left;
            if (right < heap.Length && order.Compare(heap[right], heap[smallest]) < 0) smallest = right;
            if (smallest == i) return;
            (heap[i], heap[smallest]) = (heap[smallest], heap[i]);
            i = smallest;
        }
    }

    /// <summary>Orders (−logit, id) pairs: logit (so p) descending, then id ascending (a struct so the sort inlines it).</summary>
    private readonly struct ByProbabilityDescending : IComparer<(double NegLogit, int Id)>
    {
        public int Compare((double NegLogit, int Id) x, (double NegLogit, int Id) y) =>
            x.NegLogit < y.NegLogit ? -1 : x.NegLogit > y.NegLogit ? 1 : x.Id.CompareTo(y.Id);
    }

    private static double Sum(ReadOnlySpan<double> p)
    {
        double s = 0;
        foreach (double x in p) s += x;
        return s;
    }
}
