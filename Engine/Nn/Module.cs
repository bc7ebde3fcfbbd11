using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Nn;

/// <summary>
/// The base of every layer: a named list of parameters (leaf <see cref="Var{T}"/>s that require gradients)
/// and of child modules, in registration order. Names follow PyTorch's <c>state_dict</c> keys, so weights
/// move between the two by name: a parameter <c>weight_ih_l0</c> of a child registered as <c>rnn</c> is
/// <c>rnn.weight_ih_l0</c>.
/// </summary>
/// <remarks>
/// A module holds parameters only, never activations or recurrent state: <c>Forward</c>-style methods
/// take their inputs and state as arguments and return new values. <see cref="Training"/> is a plain
/// per-module flag (set recursively by <see cref="Train"/>/<see cref="Eval"/>) that layers such as dropout
/// read; there is no global mode.
/// </remarks>
public abstract class Module<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly List<KeyValuePair<string, Var<T>>> _parameters = [];
    private readonly List<KeyValuePair<string, Module<T>>> _children = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers <paramref name="value"/> as a trainable parameter called <paramref name="name"/>.</summary>
    protected Var<T> AddParameter(string name, Tensor<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckNewName(name);
        var p = new Var<T>(value, requiresGrad: true, name);
        _parameters.Add(new(name, p));
        return p;
    }

    /// <summary>
    /// Registers an existing leaf as a parameter called <paramref name="name"/>: for a module built over given weights,
    /// or for weight tying, where one leaf is registered in two places (an output layer reusing an embedding table).
    /// A tied leaf is listed under each of its names by <see cref="NamedParameters"/> and <see cref="StateDict"/>
    /// (as PyTorch's <c>state_dict</c>), and once by <see cref="Parameters"/>, so an optimizer updates it once.
    /// </summary>
    protected Var<T> AddParameter(string name, Var<T> parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.IsLeaf)
            throw new ArgumentException($"{Checks.TypeName(GetType())}: parameter '{name}' must be a leaf (a parameter of another module, or new Var<T>(tensor, requiresGrad: true)), not the result of an op.", nameof(parameter));
        CheckNewName(name);
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers <paramref name="child"/>; its parameters are listed as <c>name.param</c>.</summary>
    protected TModule AddModule<TModule>(string name, TModule child) where TModule : Module<T>
    {
        ArgumentNullException.ThrowIfNull(child);
        CheckNewName(name);
        _children.Add(new(name, child));
        return child;
    }

    /// <summary>
    /// Every parameter with its dotted name, this module's own first, then each child's in order. A leaf registered
    /// under several names (tied weights) appears under each.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters()
    {
        foreach (var p in _parameters) yield return p;
        foreach (var (prefix, child) in _children)
            foreach (var (name, p) in child.NamedParameters())
                yield return new($"{prefix}.{name}", p);
    }

    /// <summary>Every distinct parameter, in the order of <see cref="NamedParameters"/> (a tied leaf once, at its first name).</summary>
    public IEnumerable<Var<T>> Parameters() => Distinct(NamedParameters());

    /// <summary>The parameter with dotted name <paramref name="name"/>.</summary>
    public Var<T> Parameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (n, p) in NamedParameters())
            if (n == name) return p;
        throw new KeyNotFoundException($"{Checks.TypeName(GetType())}: no parameter named '{name}'. Known: {string.Join(", ", NamedParameters().Select(p => p.Key))}.");
    }

    /// <summary>The number of trainable values: the sum of every parameter's element count.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Value.Length);

    /// <summary>
    /// A table of the direct children (name, type, parameter count) and the total, like Keras's <c>model.summary()</c>:
    /// <code>
    /// 0  Embedding  1,280
    /// 1  Lstm       6,272
    /// …
    /// total         7,618 parameters
    /// </code>
    /// </summary>
    public string Summary()
    {
        var rows = new List<(string Name, string Type, long Count)>();
        long own = Distinct(_parameters).Sum(p => (long)p.Value.Length);   // a leaf registered under two own names counts once
        if (own > 0) rows.Add(("(own)", Checks.TypeName(GetType()), own));
        foreach (var (name, child) in _children) rows.Add((name, Checks.TypeName(child.GetType()), child.ParameterCount()));
        int nameWidth = Math.Max(5, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length)), typeWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Type.Length);
        var text = new System.Text.StringBuilder();
        var c = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var (name, type, count) in rows)
            text.AppendLine(string.Create(c, $"{name.PadRight(nameWidth)}  {type.PadRight(typeWidth)}  {count,12:N0}"));
        text.Append(string.Create(c, $"{"total".PadRight(nameWidth)}  {"".PadRight(typeWidth)}  {ParameterCount(),12:N0} parameters"));
        return text.ToString();
    }

    /// <summary>Zeroes the gradient of every parameter (gradients accumulate across backward passes until you do).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>The parameter values by name (shared storage, not copies), like PyTorch's <c>state_dict()</c>.</summary>
    public IReadOnlyDictionary<string, Tensor<T>> StateDict() => NamedParameters().ToDictionary(p => p.Key, p => p.Value.Value);

    /// <summary>
    /// Copies values into the parameters by name. Every parameter must be present with its exact shape;
    /// extra or missing keys are an error naming them. All names and shapes are checked before anything is copied,
    /// so a load that throws leaves every parameter as it was.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor<T>> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = NamedParameters().ToList();
        var missing = own.Where(p => !state.ContainsKey(p.Key)).Select(p => p.Key).ToList();
        var extra = state.Keys.Where(k => own.All(p => p.Key != k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ArgumentException($"LoadStateDict: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}].", nameof(state));
        foreach (var (name, p) in own)   // every value is checked before any is copied: a refused load changes nothing
        {
            var src = state[name] ?? throw new ArgumentException($"LoadStateDict: the value of '{name}' is null.", nameof(state));
            ShapeUtil.RequireSame(p.Value.Shape, src.Shape, $"LoadStateDict '{name}' (parameter vs. given)", nameof(state));
            src.ThrowIfReleased();
            p.Value.ThrowIfReleased();
        }
        foreach (var (name, p) in own) state[name].Span.CopyTo(p.Value.Span);
    }

    /// <summary>Switches this module and its children to training mode (or evaluation mode when false).</summary>
    public void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in _children) child.Train(training);
    }

    /// <summary>Switches this module and its children to evaluation mode (dropout off).</summary>
    public void Eval() => Train(false);

    // The leaves of named parameters, each once (tied weights are one leaf under several names), in first-name order.
    private static IEnumerable<Var<T>> Distinct(IEnumerable<KeyValuePair<string, Var<T>>> named) =>
        named.Select(p => p.Value).Distinct(ReferenceEqualityComparer.Instance).Cast<Var<T>>();

    private void CheckNewName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('.'))
            throw new ArgumentException($"{Checks.TypeName(GetType())}: name '{name}' must not contain '.' (dots separate child modules).", nameof(name));
        if (_parameters.Any(p => p.Key == name) || _children.Any(c => c.Key == name))
            throw new ArgumentException($"{Checks.TypeName(GetType())}: '{name}' is already registered.", nameof(name));
    }
}
