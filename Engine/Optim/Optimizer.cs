using System.Globalization;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Optim;

/// <summary>
/// Base of the first-order optimizers: holds the parameters and the learning rate, zeroes gradients, and
/// defines the state export used by checkpoints. <see cref="Step()"/> reads each parameter's
/// <see cref="Var{T}.Grad"/> and updates its <see cref="Var{T}.Value"/> in place; parameters whose Grad is
/// null (never reached by a backward pass) are skipped, their state untouched, as in PyTorch.
/// </summary>
/// <remarks>
/// Usage per training step: <c>opt.ZeroGrad(); loss.Backward(); opt.Step();</c>. Gradients accumulate in
/// <see cref="Var{T}.Grad"/> until zeroed, so <see cref="ZeroGrad"/> is explicit. See docs/optim.md.
/// </remarks>
public abstract class Optimizer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private double _learningRate;

    /// <summary>Registers <paramref name="parameters"/>, any sequence such as <c>model.Parameters()</c> (copied in order; the Vars are shared).</summary>
    protected Optimizer(IEnumerable<Var<T>> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToArray();
        if (list.Length == 0) throw new ArgumentException($"{Name}: the parameter list is empty.", nameof(parameters));
        CheckParameterList(list, Name, "it would be updated twice per step");
        Parameters = list;
        RequireFiniteNonNegative(learningRate, "learning rate", nameof(learningRate));
        _learningRate = learningRate;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="op"/> when <paramref name="parameters"/> is null, holds a
    /// null or holds one Var twice (<paramref name="twice"/> says what would go wrong).
    /// </summary>
    internal static void CheckParameterList(IReadOnlyList<Var<T>> parameters, string op, string twice)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        // Pairwise up to 64 parameters, so that clipping on every step allocates nothing; a set above, where n² would cost.
        var seen = parameters.Count > 64 ? new Dictionary<Var<T>, int>(parameters.Count, ReferenceEqualityComparer.Instance) : null;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i] ?? throw new ArgumentException($"{op}: parameter {i} is null.", nameof(parameters));
            int first = -1;
            if (seen is null)
            {
                for (int j = 0; j < i && first < 0; j++)
                    if (ReferenceEquals(parameters[j], p)) first = j;
            }
            else if (!seen.TryAdd(p, i)) first = seen[p];
            if (first >= 0)
                throw new ArgumentException($"{op}: parameter {i} ({p.Name ?? "unnamed"}) is the same Var as parameter {first}; {twice}.", nameof(parameters));
        }
    }

    /// <summary>
    /// Throws an <see cref="ArgumentOutOfRangeException"/> "<c>{optimizer}[.{method}]: {what} must be finite and ≥ 0, got {value}.</c>"
    /// unless it is (the message is built only then: the learning rate is set on every step).
    /// </summary>
    private protected void RequireFiniteNonNegative(double value, string what, string paramName, string? method = null)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(paramName, $"{Name}{(method is null ? "" : "." + method)}: {what} must be finite and ≥ 0, got {value}.");
    }

    /// <summary>The optimizer's name in messages (<c>Sgd</c>, <c>Adam</c>, <c>AdamW</c>).</summary>
    private protected string Name => Checks.TypeName(GetType());

    /// <summary>The parameters updated by <see cref="Step()"/>, in registration order.</summary>
    public IReadOnlyList<Var<T>> Parameters { get; }

    /// <summary>The learning rate η used by the next <see cref="Step()"/> (schedules set it).</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            RequireFiniteNonNegative(value, "learning rate", nameof(value));
            _learningRate = value;
        }
    }

    /// <summary>
    /// The pool Adam's and AdamW's <see cref="Step()"/> run their element-wise updates on, and <see cref="ZeroGrad"/> and the
    /// scaling of <see cref="Step(double, bool)"/> use (null, the default: the calling thread; SGD's update always runs there).
    /// Each element is updated on its own, so the result is the same on any pool.
    /// </summary>
    public WorkerPool? Pool { get; set; }

    /// <summary>Which algorithm this is (recorded in checkpoints).</summary>
    public abstract OptimizerKind Kind { get; }

    /// <summary>
    /// The fixed hyperparameters besides η under PyTorch's <c>param_groups</c> names (<c>betas</c> split into
    /// <c>beta1</c>/<c>beta2</c>, <c>nesterov</c> as 0 or 1): recorded by <see cref="ExportState"/> and compared by
    /// <see cref="ImportState"/>. Empty for an optimizer that declares none.
    /// </summary>
    public virtual IReadOnlyDictionary<string, double> Hyperparameters => EmptyHyperparameters;

    private static readonly IReadOnlyDictionary<string, double> EmptyHyperparameters = new Dictionary<string, double>();

    /// <summary>
    /// Applies one update to every parameter that has a gradient. A gradient whose shape differs from its parameter's is an
    /// <see cref="InvalidOperationException"/> (a state of the parameter, not an argument of the step) raised before any
    /// parameter or state changes.
    /// </summary>
    public abstract void Step();

    /// <summary>
    /// One update that reads every gradient as <paramref name="gradientScale"/>·g, then, with <paramref name="zeroGradients"/>,
    /// sets every gradient to zero: bit for bit what multiplying the gradients by the scale in place (as
    /// <see cref="GradClip.ClipGradNorm{T}(IReadOnlyList{Var{T}}, double, WorkerPool?, double, bool)"/> does with its
    /// coefficient), <see cref="Step()"/> and <see cref="ZeroGrad"/> give, without leaving scaled gradients behind.
    /// Adam and AdamW do it in one pass over the gradients instead of three (docs/optim.md#the-fused-step); the others scale, step and zero in turn.
    /// </summary>
    /// <param name="gradientScale">The factor, finite and ≥ 0 (<see cref="ClipResult.Scale"/> of <see cref="GradClip.MeasureGradNorm{T}"/>; 1 for none).</param>
    /// <param name="zeroGradients">Set every gradient to zero after the update.</param>
    public virtual void Step(double gradientScale, bool zeroGradients)
    {
        T scale = CheckScale(gradientScale);
        if (scale != T.One)
        {
            CheckGradients();                                          // before the scaling changes any gradient (Step checks again)
            GradientSweep<T>.Scale(Parameters, scale, Pool);
        }
        Step();                                                        // checks the gradients before it changes anything
        if (zeroGradients) ZeroGrad();
    }

    /// <summary>The gradient scale in <typeparamref name="T"/>, after checking it is finite and ≥ 0 (in <typeparamref name="T"/> too: 1e39 is ∞ in float).</summary>
    private protected T CheckScale(double gradientScale)
    {
        RequireFiniteNonNegative(gradientScale, "the gradient scale", nameof(gradientScale), method: "Step");
        T scale = T.CreateTruncating(gradientScale);
        if (!T.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(gradientScale), gradientScale, $"{Checks.TypeName(GetType())}.Step: the gradient scale {gradientScale} is beyond the range of {typeof(T).Name}.");
        return scale;
    }

    /// <summary>Sets every parameter's gradient to zero (buffers are kept, as PyTorch 1.13's default), on <see cref="Pool"/> when set.</summary>
    public void ZeroGrad() => GradientSweep<T>.Zero(Parameters, Pool);

    /// <summary>A deep copy of the optimizer's state (moment buffers, step counts, learning rate).</summary>
    public abstract OptimizerState<T> ExportState();

    /// <summary>
    /// Restores a state from <see cref="ExportState"/> (or a checkpoint). Checks the algorithm, the parameter
    /// count, every buffer's shape and every parameter's slots before it changes anything (a refused state leaves this
    /// optimizer as it was), then copies the buffers (the given state is not aliased).
    /// </summary>
    public abstract void ImportState(OptimizerState<T> state);

    /// <summary>Throws an <see cref="ArgumentException"/> naming <c>state</c> when <paramref name="state"/> cannot be parameter <paramref name="index"/>'s state in this optimizer.</summary>
    private protected virtual void CheckParameterState(int index, ParameterState<T> state)
    {
    }

    /// <summary>A readable name for parameter <paramref name="index"/>: its Var name, or <c>param{index}</c>.</summary>
    protected string ParameterName(int index) => Parameters[index].Name ?? $"param{index}";

    /// <summary>
    /// Validates <paramref name="state"/> against this optimizer before an import: the algorithm, the parameter count, every
    /// buffer's shape and each parameter's state (<see cref="CheckParameterState"/>); only then sets the learning rate, so an
    /// invalid state changes nothing.
    /// </summary>
    protected void CheckImport(OptimizerState<T> state)
    {
        CheckState(state);
        _learningRate = state.LearningRate;   // checked by CheckState
    }

    /// <summary>
    /// Throws the <see cref="ArgumentException"/> that <see cref="ImportState"/> would throw for <paramref name="state"/>
    /// (its learning rate included), changing nothing.
    /// </summary>
    internal void CheckState(OptimizerState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string op = $"{Name}.ImportState";
        if (state.Kind != Kind)
            throw new ArgumentException($"{op}: the state was written by {state.Kind}, this optimizer is {Kind}.", nameof(state));
        if (state.Parameters is null) throw new ArgumentException($"{op}: the state has no parameter list.", nameof(state));
        if (state.Parameters.Count != Parameters.Count)
            throw new ArgumentException($"{op}: the state has {state.Parameters.Count} parameters, this optimizer has {Parameters.Count}.", nameof(state));
        for (int i = 0; i < Parameters.Count; i++)
        {
            var s = state.Parameters[i] ?? throw new ArgumentException($"{op}: the state of {ParameterName(i)} is null.", nameof(state));
            if (s.Step < 0) throw new ArgumentException($"{op}: {ParameterName(i)} has a negative step count {s.Step}.", nameof(state));
            foreach (var (slot, buffer) in s.Buffers())
            {
                if (!buffer.SameShape(Parameters[i].Value))
                    throw new ArgumentException($"{op} ({ParameterName(i)}.{slot} vs. parameter): shapes {ShapeUtil.Format(Parameters[i].Value.Shape)} and {ShapeUtil.Format(buffer.Shape)} must be equal.", nameof(state));
                buffer.ThrowIfReleased();
            }
            CheckParameterState(i, s);
        }
        if (state.Hyperparameters is { } stored) CheckHyperparameters(stored, op, nameof(state));
        RequireFiniteNonNegative(state.LearningRate, "the state's learning rate", nameof(state), method: "ImportState");
    }

    /// <summary>
    /// Refuses a state recorded with other hyperparameters than this optimizer's. PyTorch's <c>load_state_dict</c> takes the
    /// state's values instead; these are fixed when an optimizer is built, so a mismatch would continue the run with other
    /// β, ε, momentum or weight decay than it had, without a word.
    /// </summary>
    private void CheckHyperparameters(IReadOnlyDictionary<string, double> stored, string op, string paramName)
    {
        var own = Hyperparameters;
        foreach (var (name, value) in stored)
        {
            if (!own.TryGetValue(name, out double mine))
                throw new ArgumentException($"{op}: the state records a hyperparameter '{name}' that {Name} does not have (it has {Format(own)}).", paramName);
            if (!value.Equals(mine))
                throw new ArgumentException($"{op}: the state was recorded with {name} = {value.ToString(CultureInfo.InvariantCulture)}; this optimizer has {name} = {mine.ToString(CultureInfo.InvariantCulture)}. Build it with the state's hyperparameters ({Format(stored)}).", paramName);
        }
        foreach (var name in own.Keys)
            if (!stored.ContainsKey(name))
                throw new ArgumentException($"{op}: the state records no '{name}' (it records {Format(stored)}).", paramName);
    }

    private static string Format(IReadOnlyDictionary<string, double> values) =>
        values.Count == 0 ? "none" : string.Join(", ", values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} = {kv.Value.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>
    /// Checks every gradient's shape against its parameter's (<see cref="GradientOf"/>) before a step touches anything, so a
    /// step that throws leaves every parameter and every moment as it was.
    /// </summary>
    private protected void CheckGradients()
    {
        for (int p = 0; p < Parameters.Count; p++) GradientOf(p);
    }

    /// <summary>
    /// The gradient of parameter <paramref name="index"/>, checked against its value's shape (an <see cref="InvalidOperationException"/>
    /// naming the optimizer, the parameter and both shapes); null if absent.
    /// </summary>
    protected Tensor<T>? GradientOf(int index)
    {
        var p = Parameters[index];
        if (p.Grad is null) return null;
        if (!p.Grad.SameShape(p.Value))
            throw new InvalidOperationException(ShapeUtil.Mismatch(p.Value.Shape, p.Grad.Shape, $"{Name}.Step ({ParameterName(index)} value vs. grad)"));
        return p.Grad;
    }
}

/// <summary>The optimization algorithms, as recorded in checkpoints.</summary>
public enum OptimizerKind
{
    /// <summary><see cref="Sgd{T}"/>.</summary>
    Sgd,
    /// <summary><see cref="Adam{T}"/>.</summary>
    Adam,
    /// <summary><see cref="AdamW{T}"/>.</summary>
    AdamW,
}
