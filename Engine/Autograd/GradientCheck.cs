using System.Globalization;
using SeqLearn.Tensors;

namespace SeqLearn.Autograd;

/// <summary>
/// Compares the gradients that backward computes (analytical) with central differences of the forward pass
/// (numerical), in float64, like <c>torch.autograd.gradcheck</c>:
/// <code>GradientCheck.Check(v => Ops.Sum(Ops.Tanh(v[0])), Tensor&lt;double&gt;.Normal([3, 4], 0, 1, rng));</code>
/// For an output y = f(x₀, x₁, …) and upstream gradient u (1 for a scalar output), backward gives
/// g_j = J_jᵀu for each input x_j; each element is compared with
/// (uᵀf(…, x_j + eps·e_k, …) − uᵀf(…, x_j − eps·e_k, …)) / 2eps, passing when |g − n| ≤ atol + rtol·|n|.
/// The function must be deterministic (draw any randomness from a SeededRng created inside it).
/// </summary>
public static class GradientCheck
{
    /// <summary>Checks with the default options (eps 1e-6, atol 1e-5, rtol 1e-3); throws <see cref="GradientCheckException"/> on a mismatch.</summary>
    public static GradientCheckResult Check(Func<Var<double>[], Var<double>> f, params Tensor<double>[] inputs) =>
        Check(f, GradientCheckOptions.Default, inputs);

    /// <summary>Checks with the given options. The caller's input tensors are not modified.</summary>
    public static GradientCheckResult Check(Func<Var<double>[], Var<double>> f, GradientCheckOptions options, params Tensor<double>[] inputs)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate("GradientCheck", nameof(options));
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException("GradientCheck: needs at least one input tensor.", nameof(inputs));
        for (int j = 0; j < inputs.Length; j++)
            if (inputs[j] is null) throw new ArgumentException($"GradientCheck: input {j} is null.", nameof(inputs));
        var xs = inputs.Select(t => t.Clone()).ToArray();
        var rng = new SeededRng(options.Seed);

        // Analytical: one recorded forward and one backward with upstream u.
        var leaves = xs.Select((x, j) => new Var<double>(x, requiresGrad: true, name: $"input {j}")).ToArray();
        var y = f(leaves) ?? throw new ArgumentException("GradientCheck: f returned null; it must return the output of the checked ops.", nameof(f));
        if (!y.RequiresGrad)
            throw new ArgumentException("GradientCheck: the output does not depend on any input through recorded ops (was it computed inside a NoGradScope, or from detached values?).", nameof(f));
        var (nodeTypes, opNames) = DescribeGraph(y);
        var u = Upstream(y.Value, options, rng);
        y.Backward(u);
        var analytical = leaves.Select(v => v.Grad ?? Tensor<double>.ZerosLike(v.Value)).ToArray();

        var cmp = new Comparison(options, opNames);
        for (int j = 0; j < xs.Length; j++)
        {
            double Output() => WeightedOutput(f, xs, u);
            if (options.FastMode) CheckDirectional(xs[j], Output, j, analytical[j], rng, options.Eps, cmp);
            else CheckElements(xs[j], Output, j, analytical[j], options.Eps, cmp);
        }
        var result = new GradientCheckResult(cmp.Failure is null, nodeTypes, opNames, cmp.MaxError, cmp.Count, cmp.Failure);
        if (!result.Passed && options.ThrowOnFailure) throw new GradientCheckException(result);
        return result;
    }

    /// <summary>
    /// Checks the gradients of a scalar <paramref name="loss"/> with respect to leaves it reads, such as a module's
    /// <c>Parameters()</c>: each element is perturbed in place by ±eps (and restored) and the loss re-evaluated without a
    /// graph. This is how a whole model is checked, where <see cref="Check(Func{Var{double}[], Var{double}}, Tensor{double}[])"/>
    /// needs the inputs as arguments. <paramref name="loss"/> must be deterministic (seed any dropout inside it).
    /// Gradients already accumulated on the parameters are cleared first.
    /// </summary>
    public static GradientCheckResult CheckParameters(Func<Var<double>> loss, IReadOnlyList<Var<double>> parameters, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameters);
        options ??= GradientCheckOptions.Default;
        options.Validate("GradientCheck.CheckParameters", nameof(options));
        for (int j = 0; j < parameters.Count; j++)
            if (parameters[j] is null) throw new ArgumentException($"GradientCheck.CheckParameters: parameter {j} is null.", nameof(parameters));
        foreach (var p in parameters) p.ZeroGrad();
        var y = loss() ?? throw new ArgumentException("GradientCheck.CheckParameters: loss returned null; it must return the scalar loss.", nameof(loss));
        if (y.Value.Length != 1) throw new ArgumentException($"GradientCheck.CheckParameters: the loss must be a scalar, got {y.Value.ShapeString}.", nameof(loss));
        var (nodeTypes, opNames) = DescribeGraph(y);
        y.Backward();
        var cmp = new Comparison(options, opNames);
        var rng = new SeededRng(options.Seed);
        for (int j = 0; j < parameters.Count; j++)
        {
            var x = parameters[j].Value;
            var analytical = parameters[j].Grad ?? Tensor<double>.ZerosLike(x);
            if (options.FastMode) CheckDirectional(x, () => Evaluate(loss), j, analytical, rng, options.Eps, cmp);
            else CheckElements(x, () => Evaluate(loss), j, analytical, options.Eps, cmp);
        }
        var result = new GradientCheckResult(cmp.Failure is null, nodeTypes, opNames, cmp.MaxError, cmp.Count, cmp.Failure);
        if (!result.Passed && options.ThrowOnFailure) throw new GradientCheckException(result);
        return result;

        static double Evaluate(Func<Var<double>> loss)
        {
            using var _ = new NoGradScope();
            return loss().Value.Span[0];
        }
    }

    /// <summary>Exhaustive: one central difference per element of input <paramref name="j"/>, perturbing <paramref name="x"/> in place.</summary>
    private static void CheckElements(Tensor<double> x, Func<double> output, int j, Tensor<double> analytical, double eps, Comparison cmp)
    {
        var xs = x.Span;
        for (int k = 0; k < xs.Length; k++)
        {
            double saved = xs[k];
            xs[k] = saved + eps;
            double plus = output();
            xs[k] = saved - eps;
            double minus = output();
            xs[k] = saved;
            cmp.Add(j, k, x.Shape, analytical.Span[k], (plus - minus) / (2 * eps));
        }
    }

    /// <summary>Fast: vᵀ(analytical gradient) against the directional derivative along a random unit v.</summary>
    private static void CheckDirectional(Tensor<double> x, Func<double> output, int j, Tensor<double> analytical, SeededRng rng, double eps, Comparison cmp)
    {
        var saved = x.Clone();
        var v = Tensor<double>.Normal(x.ShapeArray(), 0.0, 1.0, rng);
        double norm = TensorPrimitives.Norm<double>(v.Span);
        if (norm > 0) TensorPrimitives.Divide(v.Span, norm, v.Span);
        TensorPrimitives.MultiplyAdd<double>(v.Span, eps, saved.Span, x.Span);
        double plus = output();
        TensorPrimitives.MultiplyAdd<double>(v.Span, -eps, saved.Span, x.Span);
        double minus = output();
        saved.Span.CopyTo(x.Span);
        cmp.Add(j, -1, x.Shape, TensorPrimitives.Dot<double>(analytical.Span, v.Span), (plus - minus) / (2 * eps));
    }

    /// <summary>uᵀ f(xs), evaluated without recording a graph.</summary>
    private static double WeightedOutput(Func<Var<double>[], Var<double>> f, Tensor<double>[] xs, Tensor<double> u)
    {
        using var _ = new NoGradScope();
        var y = f(xs.Select(x => new Var<double>(x)).ToArray());
        ShapeUtil.RequireSame(u.Shape, y.Value.Shape, "GradientCheck (output shape changed between evaluations)", nameof(f));
        return TensorPrimitives.Dot<double>(u.Span, y.Value.Span);
    }

    private static Tensor<double> Upstream(Tensor<double> y, GradientCheckOptions options, SeededRng rng)
    {
        if (y.Length == 1 || !options.RandomUpstream) return Tensor<double>.Ones(y.ShapeArray());
        return Tensor<double>.Normal(y.ShapeArray(), 0.0, 1.0, rng);
    }

    /// <summary>The distinct node classes (generic definitions) and op names reachable from <paramref name="y"/>, before backward releases them.</summary>
    internal static (IReadOnlyList<Type> Types, IReadOnlyList<string> OpNames) DescribeGraph(Var<double> y)
    {
        var types = new List<Type>();
        var names = new List<string>();
        var seen = new HashSet<Node<double>>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node<double>>();
        if (y.Creator is not null) stack.Push(y.Creator);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            var type = node.GetType();
            if (type.IsGenericType) type = type.GetGenericTypeDefinition();
            if (!types.Contains(type)) types.Add(type);
            if (!names.Contains(node.OpName)) names.Add(node.OpName);
            foreach (var input in node.Inputs)
                if (input.Creator is not null) stack.Push(input.Creator);
        }
        return (types, names);
    }

    /// <summary>Accumulates comparisons and remembers the first failure and the worst error.</summary>
    private sealed class Comparison(GradientCheckOptions options, IReadOnlyList<string> opNames)
    {
        private string? _firstBad;
        private int _bad;

        public double MaxError { get; private set; }
        public int Count { get; private set; }

        public void Add(int input, int flat, ReadOnlySpan<int> shape, double analytical, double numerical)
        {
            Count++;
            double err = Math.Abs(analytical - numerical);
            bool ok = err <= options.Atol + options.Rtol * Math.Abs(numerical);
            if (double.IsNaN(err)) { ok = false; err = double.PositiveInfinity; }
            MaxError = Math.Max(MaxError, err);
            if (ok) return;
            _bad++;
            if (_firstBad is not null) return;
            string where = flat < 0 ? "along a random direction v (fast mode compares vᵀ·gradient)" : $"element {FormatIndex(flat, shape)} (flat {flat})";
            _firstBad = string.Create(CultureInfo.InvariantCulture,
                $"input {input} {ShapeUtil.Format(shape)}, {where}: analytical {analytical:R}, numerical {numerical:R}");
        }

        /// <summary>The failure message, or null when every comparison passed.</summary>
        public string? Failure => _firstBad is null ? null : string.Create(CultureInfo.InvariantCulture,
            $"GradientCheck failed for the graph of ops [{string.Join(", ", opNames)}]: {_bad} of {Count} comparisons out of tolerance " +
            $"(atol {options.Atol:G3}, rtol {options.Rtol:G3}, eps {options.Eps:G3}). First: {_firstBad}. Max error {MaxError:G6}.");
    }

    private static string FormatIndex(int flat, ReadOnlySpan<int> shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return "(" + string.Join(", ", idx) + ")";
    }
}
