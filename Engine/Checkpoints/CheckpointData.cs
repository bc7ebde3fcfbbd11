using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Checkpoints;

/// <summary>A named tensor (a model parameter in a checkpoint).</summary>
public readonly record struct NamedTensor<T>(string Name, Tensor<T> Tensor) where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// Everything a training run needs to resume: the parameters by name, the optimizer state, the global step,
/// the RNG states, and two JSON documents owned by the caller (the model configuration and the vocabulary).
/// Saved and loaded by <see cref="Checkpoint"/>.
/// </summary>
public sealed class CheckpointData<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The model parameters, in the model's order; names are unique and must not start with <c>optim.</c>.</summary>
    public required IReadOnlyList<NamedTensor<T>> Parameters
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Parameters), "CheckpointData: Parameters is null; a checkpoint without parameters is an empty list.");
    }

    /// <summary>The optimizer state (index-aligned with <see cref="Parameters"/>), or null.</summary>
    public OptimizerState<T>? Optimizer { get; init; }

    /// <summary>The global training step (optimizer updates so far).</summary>
    public long Step { get; init; }

    /// <summary>The model's configuration, as the caller defines it (sizes, layer kinds...), or null.</summary>
    public JsonObject? ModelConfig { get; init; }

    /// <summary>The vocabulary (or tokenizer) description, as the caller defines it, or null.</summary>
    public JsonNode? Vocabulary { get; init; }

    /// <summary>
    /// Other resumable training state, as the caller defines it (epoch, window index, learning-rate schedule
    /// counters such as ReduceLROnPlateau's best / bad epochs / cooldown), or null.
    /// </summary>
    public JsonObject? TrainerState { get; init; }

    /// <summary>Named RNG states (e.g. "dropout", "shuffle") to restore with <see cref="SeededRng.SetState"/>.</summary>
    public IReadOnlyDictionary<string, RngState> RngStates
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(RngStates), "CheckpointData: RngStates is null; no RNG state is an empty dictionary.");
    } = new Dictionary<string, RngState>();

    /// <summary>Snapshots <paramref name="parameters"/> (values are cloned); every Var needs a unique <see cref="Var{T}.Name"/>.</summary>
    public static IReadOnlyList<NamedTensor<T>> Snapshot(IReadOnlyList<Var<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new NamedTensor<T>[parameters.Count];
        for (int i = 0; i < result.Length; i++)
        {
            string name = parameters[i].Name ?? throw new ArgumentException($"CheckpointData.Snapshot: parameter {i} (shape {parameters[i].Value.ShapeString}) has no Name; checkpoints store parameters by name.", nameof(parameters));
            result[i] = new NamedTensor<T>(name, parameters[i].Value.Clone());
        }
        return result;
    }

    /// <summary>
    /// Snapshots the parameters of <paramref name="module"/> under their full dotted names (<see cref="Module{T}.NamedParameters"/>,
    /// e.g. <c>rnn.weight_ih_l0</c>; values are cloned), in the module's order.
    /// </summary>
    public static IReadOnlyList<NamedTensor<T>> Snapshot(Module<T> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.NamedParameters().Select(p => new NamedTensor<T>(p.Key, p.Value.Value.Clone())).ToArray();
    }

    /// <summary>
    /// Copies the stored values into <paramref name="module"/>'s parameters by full dotted name
    /// (<see cref="Module{T}.LoadStateDict"/>): every parameter present with its shape, nothing extra.
    /// </summary>
    public void RestoreInto(Module<T> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.LoadStateDict(StoredByName());
    }

    /// <summary>
    /// Copies the stored values into <paramref name="parameters"/>, matched by name. Every parameter must be
    /// present with the same shape; extra stored tensors are an error too (a different model). Everything is checked before
    /// anything is copied: a refused restore changes no parameter.
    /// </summary>
    public void RestoreInto(IReadOnlyList<Var<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var stored = StoredByName();
        var sources = new Tensor<T>[parameters.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < parameters.Count; i++)   // every value is checked before any is copied: a refused restore changes nothing
        {
            var p = parameters[i] ?? throw new ArgumentException($"CheckpointData.RestoreInto: parameter {i} is null.", nameof(parameters));
            string name = p.Name ?? throw new ArgumentException($"CheckpointData.RestoreInto: a parameter of shape {p.Value.ShapeString} has no Name.", nameof(parameters));
            if (!names.Add(name)) throw new ArgumentException($"CheckpointData.RestoreInto: two parameters are named '{name}'.", nameof(parameters));
            if (!stored.Remove(name, out var t))
                throw new ArgumentException($"CheckpointData.RestoreInto: the checkpoint has no parameter '{name}' (it has: {string.Join(", ", Parameters.Select(x => x.Name))}).", nameof(parameters));
            ShapeUtil.RequireSame(p.Value.Shape, t.Shape, $"CheckpointData.RestoreInto ('{name}': model vs. checkpoint)", nameof(parameters));
            t.ThrowIfReleased();
            p.Value.ThrowIfReleased();
            sources[i] = t;
        }
        if (stored.Count > 0)
            throw new ArgumentException($"CheckpointData.RestoreInto: the checkpoint has parameters the model lacks: {string.Join(", ", stored.Keys)}.", nameof(parameters));
        for (int i = 0; i < sources.Length; i++) sources[i].Span.CopyTo(parameters[i].Value.Span);
    }

    /// <summary>The stored tensors by name; two stored under one name are an <see cref="ArgumentException"/> naming it.</summary>
    private Dictionary<string, Tensor<T>> StoredByName()
    {
        var stored = new Dictionary<string, Tensor<T>>(Parameters.Count, StringComparer.Ordinal);
        foreach (var p in Parameters)
            if (!stored.TryAdd(p.Name, p.Tensor))
                throw new ArgumentException($"CheckpointData.RestoreInto: the checkpoint holds two parameters named '{p.Name}'.", nameof(Parameters));
        return stored;
    }
}
