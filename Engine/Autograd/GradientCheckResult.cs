namespace SeqLearn.Autograd;

/// <summary>Settings of <see cref="GradientCheck"/>; eps, atol and rtol default to PyTorch gradcheck's for float64.</summary>
public sealed record GradientCheckOptions
{
    /// <summary>The defaults: eps 1e-6, atol 1e-5, rtol 1e-3, exhaustive mode, random upstream gradient, seed 1.</summary>
    public static GradientCheckOptions Default { get; } = new();

    /// <summary>Step of the central difference (f(x + eps) − f(x − eps)) / 2eps.</summary>
    public double Eps { get; init; } = 1e-6;

    /// <summary>Absolute tolerance: an element passes when |analytical − numerical| ≤ atol + rtol·|numerical|.</summary>
    public double Atol { get; init; } = 1e-5;

    /// <summary>Relative tolerance (see <see cref="Atol"/>).</summary>
    public double Rtol { get; init; } = 1e-3;

    /// <summary>
    /// Fast mode: instead of one numerical derivative per input element, compare vᵀ(Jᵀu) with the directional
    /// derivative uᵀ(f(x + eps·v) − f(x − eps·v)) / 2eps for one random direction v per input (two forward passes
    /// per input instead of two per element). For large inputs.
    /// </summary>
    public bool FastMode { get; init; }

    /// <summary>
    /// For a non-scalar output, the upstream gradient u: random normal draws (true, the default, which also
    /// catches errors that cancel under a uniform weighting) or all ones (false, i.e. checking Σ f).
    /// </summary>
    public bool RandomUpstream { get; init; } = true;

    /// <summary>Seed of the <see cref="Tensors.SeededRng"/> that draws u and the fast-mode directions.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>When true (the default) a failed check throws <see cref="GradientCheckException"/>; otherwise the result says so.</summary>
    public bool ThrowOnFailure { get; init; } = true;

    /// <summary>Refuses a step that is not positive and finite and tolerances that are negative or NaN, naming the setting.</summary>
    internal void Validate(string caller, string paramName)
    {
        if (!(Eps > 0) || double.IsPositiveInfinity(Eps))
            throw new ArgumentOutOfRangeException(paramName, $"{caller}: Eps must be positive and finite (got {Eps}).");
        if (!(Atol >= 0)) throw new ArgumentOutOfRangeException(paramName, $"{caller}: Atol must be ≥ 0 (got {Atol}).");
        if (!(Rtol >= 0)) throw new ArgumentOutOfRangeException(paramName, $"{caller}: Rtol must be ≥ 0 (got {Rtol}).");
    }
}

/// <summary>What a <see cref="GradientCheck"/> compared and found.</summary>
public sealed class GradientCheckResult
{
    internal GradientCheckResult(bool passed, IReadOnlyList<Type> nodeTypes, IReadOnlyList<string> opNames, double maxError,
        int comparisons, string? failure)
    {
        Passed = passed;
        NodeTypes = nodeTypes;
        OpNames = opNames;
        MaxError = maxError;
        Comparisons = comparisons;
        Failure = failure;
    }

    /// <summary>True when every analytical value matched its numerical estimate within tolerance.</summary>
    public bool Passed { get; }

    /// <summary>
    /// The node classes in the checked graph, as generic type definitions (e.g. <c>TanhNode&lt;&gt;</c>), in the order first met
    /// walking back from the output. This is what coverage tests count: an op is covered only when its node was
    /// really in a checked graph.
    /// </summary>
    public IReadOnlyList<Type> NodeTypes { get; }

    /// <summary>The op names of the nodes in the graph (<see cref="Node{T}.OpName"/>), distinct, in the same order.</summary>
    public IReadOnlyList<string> OpNames { get; }

    /// <summary>The largest |analytical − numerical| over all comparisons.</summary>
    public double MaxError { get; }

    /// <summary>How many numbers were compared (elements, or one per input in fast mode).</summary>
    public int Comparisons { get; }

    /// <summary>The failure description (null when passed); the message of the exception thrown on failure.</summary>
    public string? Failure { get; }

    /// <summary>
    /// One line: <c>passed: 12 comparisons, max |error| 3.1E-10, ops Tanh, MatMul</c>, or <c>failed: </c> and
    /// <see cref="Failure"/>.
    /// </summary>
    public override string ToString() => Passed
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"passed: {Comparisons} comparisons, max |error| {MaxError:G3}, ops {string.Join(", ", OpNames)}")
        : $"failed: {Failure}";
}

/// <summary>
/// Thrown by <see cref="GradientCheck"/> when an analytical gradient disagrees with the numerical one. The message
/// names the ops in the graph, the input and element, both values and the max error.
/// </summary>
public sealed class GradientCheckException : Exception
{
    /// <summary>Wraps a failed result.</summary>
    public GradientCheckException(GradientCheckResult result) : base(result?.Failure ?? "Gradient check failed.") => Result = result!;

    /// <summary>The full result of the failed check.</summary>
    public GradientCheckResult Result { get; }
}
