using SeqLearn.Autograd;
using SeqLearn.Kernels;

namespace SeqLearn.Optim;

/// <summary>
/// Gradient clipping over a whole parameter list (PyTorch's <c>clip_grad_norm_</c> / <c>clip_grad_value_</c>),
/// applied between <c>Backward()</c> and the optimizer's <c>Step()</c>. Parameters whose Grad is null are skipped.
/// See docs/optim.md#gradient-clipping.
/// </summary>
public static class GradClip
{
    /// <summary>The ε in the clip coefficient maxNorm / (‖g‖ + ε), as in PyTorch.</summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>
    /// Rescales all gradients together so that their global norm is at most <paramref name="maxNorm"/>:
    /// <code>
    /// ‖g‖_p = (Σ_params Σ_i |g_i|^p)^(1/p)       ‖g‖_∞ = max_params max_i |g_i|
    /// c = maxNorm / (‖g‖ + 1e-6)
    /// g ← c g      only when c &lt; 1
    /// </code>
    /// The norm is accumulated in double. A non-finite norm (a NaN or ±∞ anywhere) never scales the gradients:
    /// with <paramref name="errorIfNonFinite"/> it throws an <see cref="ArgumentException"/> naming the first
    /// parameter whose gradient is non-finite; otherwise the gradients are left untouched and the result says so
    /// (<see cref="ClipResult.IsFinite"/> false, <see cref="ClipResult.NonFiniteParameter"/> set) so the caller can skip the step.
    /// </summary>
    /// <param name="parameters">All parameters whose gradients are clipped together.</param>
    /// <param name="maxNorm">The largest allowed global norm (≥ 0).</param>
    /// <param name="normType">p &gt; 0 of the p-norm (a norm for p ≥ 1), or <see cref="double.PositiveInfinity"/> for the max norm.</param>
    /// <param name="errorIfNonFinite">Throw instead of reporting a non-finite norm.</param>
    /// <returns>The global norm before clipping and what was done.</returns>
    public static ClipResult ClipGradNorm<T>(IReadOnlyList<Var<T>> parameters, double maxNorm, double normType = 2, bool errorIfNonFinite = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ClipGradNorm(parameters, maxNorm, pool: null, normType, errorIfNonFinite);

    /// <summary>
    /// <see cref="ClipGradNorm{T}(IReadOnlyList{Var{T}}, double, double, bool)"/> for any sequence of parameters, such as
    /// <c>model.Parameters()</c>, as PyTorch's <c>clip_grad_norm_(model.parameters(), max_norm)</c>.
    /// </summary>
    public static ClipResult ClipGradNorm<T>(IEnumerable<Var<T>> parameters, double maxNorm, double normType = 2, bool errorIfNonFinite = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ClipGradNorm(AsList(parameters), maxNorm, pool: null, normType, errorIfNonFinite);

    /// <summary>
    /// <see cref="ClipGradNorm{T}(IReadOnlyList{Var{T}}, double, double, bool)"/> with the norm and the scaling on
    /// <paramref name="pool"/>: the same chunks are summed in the same order, so the result is bit-identical on any pool.
    /// </summary>
    public static ClipResult ClipGradNorm<T>(IReadOnlyList<Var<T>> parameters, double maxNorm, WorkerPool? pool, double normType = 2, bool errorIfNonFinite = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = MeasureGradNorm(parameters, maxNorm, pool, normType, errorIfNonFinite);
        if (!result.Clipped) return result;
        GradientSweep<T>.Scale(parameters, T.CreateTruncating(result.Scale), pool);
        return result;
    }

    /// <summary>
    /// What <see cref="ClipGradNorm{T}(IReadOnlyList{Var{T}}, double, WorkerPool?, double, bool)"/> would do, with the
    /// gradients left untouched: the global norm, and in <see cref="ClipResult.Scale"/> the coefficient c (1 when not clipped),
    /// for an optimizer that applies it inside its update (<see cref="Optimizer{T}.Step(double, bool)"/>), which saves the
    /// pass over every gradient that scaling in place costs.
    /// </summary>
    public static ClipResult MeasureGradNorm<T>(IReadOnlyList<Var<T>> parameters, double maxNorm, WorkerPool? pool, double normType = 2, bool errorIfNonFinite = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Optimizer<T>.CheckParameterList(parameters, "ClipGradNorm", "its gradient would be counted and scaled twice");
        return Measure(parameters, maxNorm, pool, normType, errorIfNonFinite);
    }

    /// <summary>
    /// <see cref="MeasureGradNorm{T}"/> on a parameter list checked once already (the trainer's, which its optimizer
    /// checked when it was built), so the step loop does not repeat the duplicate check.
    /// </summary>
    internal static ClipResult Measure<T>(IReadOnlyList<Var<T>> parameters, double maxNorm, WorkerPool? pool, double normType = 2, bool errorIfNonFinite = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"ClipGradNorm: maxNorm must be ≥ 0, got {maxNorm}.");
        CheckNormType(normType, "ClipGradNorm");

        double norm = Norm(parameters, normType, pool);
        if (!double.IsFinite(norm))
        {
            string name = FirstNonFinite(parameters);
            if (errorIfNonFinite)
                throw new ArgumentException(
                    $"ClipGradNorm: the total {FormatNormType(normType)} norm of the gradients is {norm}; parameter '{name}' has a non-finite gradient. " +
                    "Gradients were left unchanged. Pass errorIfNonFinite: false to get this reported in the result instead.", nameof(parameters));
            return new ClipResult(norm, 1.0, Clipped: false, NonFiniteParameter: name);
        }

        double c = maxNorm / (norm + NormEpsilon);
        return c >= 1 ? new ClipResult(norm, 1.0, Clipped: false, NonFiniteParameter: null) : new ClipResult(norm, c, Clipped: true, NonFiniteParameter: null);
    }

    /// <summary>
    /// Clamps every gradient element into [−<paramref name="clipValue"/>, <paramref name="clipValue"/>]
    /// (NaN stays NaN, as in PyTorch's clamp).
    /// </summary>
    public static void ClipGradValue<T>(IReadOnlyList<Var<T>> parameters, double clipValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Optimizer<T>.CheckParameterList(parameters, "ClipGradValue", "it would be clipped twice");
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"ClipGradValue: clipValue must be ≥ 0, got {clipValue}.");
        T hi = T.CreateTruncating(clipValue), lo = -hi;
        for (int p = 0; p < parameters.Count; p++)
        {
            if (parameters[p].Grad is not { } g) continue;
            var s = g.Span;
            for (int i = 0; i < s.Length; i++)
                if (s[i] > hi) s[i] = hi;
                else if (s[i] < lo) s[i] = lo;
        }
    }

    /// <summary>
    /// <see cref="ClipGradValue{T}(IReadOnlyList{Var{T}}, double)"/> for any sequence of parameters, such as
    /// <c>model.Parameters()</c>, as PyTorch's <c>clip_grad_value_(model.parameters(), clip_value)</c>.
    /// </summary>
    public static void ClipGradValue<T>(IEnumerable<Var<T>> parameters, double clipValue)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => ClipGradValue(AsList(parameters), clipValue);

    // The sequence as a list, enumerated once; null stays an ArgumentNullException naming the parameter.
    private static IReadOnlyList<Var<T>> AsList<T>(IEnumerable<Var<T>> parameters) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return parameters as IReadOnlyList<Var<T>> ?? [.. parameters];
    }

    /// <summary>
    /// The global p-norm (or max norm) of all non-null gradients; 0 when there are none. Sums run as SIMD
    /// reductions over parts of 4,096 elements, accumulated across parts in double; a part whose
    /// partial sum overflows T is redone element by element in double, so only a truly infinite norm is reported
    /// as such. Any NaN gives NaN.
    /// </summary>
    public static double GlobalNorm<T>(IReadOnlyList<Var<T>> parameters, double normType = 2)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => GlobalNorm(parameters, normType, pool: null);

    /// <summary>
    /// <see cref="GlobalNorm{T}(IReadOnlyList{Var{T}}, double)"/> with the parts computed on <paramref name="pool"/>; they are
    /// combined in the same order, so the norm is bit-identical on any pool.
    /// </summary>
    public static double GlobalNorm<T>(IReadOnlyList<Var<T>> parameters, double normType, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Optimizer<T>.CheckParameterList(parameters, "GlobalNorm", "its gradient would be counted twice");
        CheckNormType(normType, "GlobalNorm");
        return Norm(parameters, normType, pool);
    }

    /// <summary>Throws unless <paramref name="normType"/> is a p &gt; 0 or +∞.</summary>
    private static void CheckNormType(double normType, string op)
    {
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), $"{op}: normType must be positive or +∞, got {normType}.");
    }

    /// <summary><see cref="GlobalNorm{T}(IReadOnlyList{Var{T}}, double, WorkerPool?)"/> on a checked parameter list and norm type.</summary>
    internal static double Norm<T>(IReadOnlyList<Var<T>> parameters, double normType, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool inf = double.IsPositiveInfinity(normType);
        double acc;
        if (GradientSweep<T>.UsesPool(pool))
        {
            acc = GradientSweep<T>.CombinedParts(parameters, normType, pool!);
            if (double.IsNaN(acc)) return double.NaN;
        }
        else
        {
            acc = 0;
            for (int p = 0; p < parameters.Count; p++)
            {
                if (parameters[p].Grad is not { } g) continue;
                ReadOnlySpan<T> s = g.Span;
                for (int start = 0; start < s.Length; start += GradientSweep<T>.PartSize)
                {
                    double part = Part(s.Slice(start, Math.Min(GradientSweep<T>.PartSize, s.Length - start)), normType);
                    if (double.IsNaN(part)) return double.NaN;
                    acc = inf ? Math.Max(acc, part) : acc + part;
                }
            }
        }
        if (inf || normType == 1) return acc;
        return normType == 2 ? Math.Sqrt(acc) : Math.Pow(acc, 1 / normType);
    }

    /// <summary>
    /// One part of a global norm: max |g_i| (∞-norm) or Σ |g_i|^p over <paramref name="chunk"/> as a SIMD reduction in T,
    /// redone element by element in double when that is not finite.
    /// </summary>
    internal static double Part<T>(ReadOnlySpan<T> chunk, double normType) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double part = double.IsPositiveInfinity(normType) ? double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(chunk)))
            : normType == 2 ? double.CreateTruncating(TensorPrimitives.SumOfSquares(chunk))
            : normType == 1 ? double.CreateTruncating(TensorPrimitives.SumOfMagnitudes(chunk))
            : double.PositiveInfinity;                  // other p: always the scalar path below
        return double.IsFinite(part) ? part : ScalarPart(chunk, normType);
    }

    /// <summary>max |g_i| or Σ |g_i|^p over <paramref name="chunk"/>, in double, one element at a time.</summary>
    private static double ScalarPart<T>(ReadOnlySpan<T> chunk, double normType) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool inf = double.IsPositiveInfinity(normType);
        double part = 0;
        foreach (T x in chunk)
        {
            double a = Math.Abs(double.CreateTruncating(x));
            if (double.IsNaN(a)) return double.NaN;
            part = inf ? Math.Max(part, a) : part + (normType == 2 ? a * a : normType == 1 ? a : Math.Pow(a, normType));
        }
        return part;
    }

    private static string FirstNonFinite<T>(IReadOnlyList<Var<T>> parameters) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int p = 0; p < parameters.Count; p++)
        {
            if (parameters[p].Grad is not { } g) continue;
            foreach (var x in g.Span)
                if (!T.IsFinite(x)) return parameters[p].Name ?? $"param{p}";
        }
        // All elements finite but the p-th powers overflowed double: no single culprit.
        return "(none: the norm overflowed although every gradient element is finite)";
    }

    private static string FormatNormType(double normType) => double.IsPositiveInfinity(normType) ? "inf" : normType.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What <c>GradClip.ClipGradNorm</c> measured and did (or, from <c>MeasureGradNorm</c>, would do).</summary>
/// <param name="TotalNorm">The global norm of the gradients before clipping (may be NaN or ∞).</param>
/// <param name="Scale">The clip coefficient c the gradients are multiplied by (1 when not clipped).</param>
/// <param name="Clipped">True when c &lt; 1: the gradients are rescaled (by <c>ClipGradNorm</c>; <c>MeasureGradNorm</c> leaves them).</param>
/// <param name="NonFiniteParameter">Name of the first parameter with a non-finite gradient when the norm is not finite, else null.</param>
public readonly record struct ClipResult(double TotalNorm, double Scale, bool Clipped, string? NonFiniteParameter)
{
    /// <summary>False when the norm is NaN or ∞: the gradients were left unchanged and the step should be skipped.</summary>
    public bool IsFinite => double.IsFinite(TotalNorm);
}
