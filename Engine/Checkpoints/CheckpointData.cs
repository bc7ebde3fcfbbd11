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
    public required IReadOnlyList<NamedTensor<T>> Parameters { get; init; }

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
    public IReadOnlyDictionary<string, RngState> RngStates { get; init; } = new Dictionary<string, RngState>();

    /// <summary>Snapshots <paramref name="parameters"/> (values are cloned); every Var needs a unique <see cref="Var{T}.Name"/>.</summary>
    public static IReadOnlyList<NamedTensor<T>> Snapshot(IReadOnlyList<Var<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var result = new NamedTensor<T>[parameters.Count];
        for (int i = 0; i < result.Length; i++)
        {
            string name = parameters[i].Name ?? throw new ArgumentException($"CheckpointData.Snapshot: parameter {i} (shape {parameters[i].Value.ShapeString}) has no Name; checkpoints store parameters by name.");
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
        module.LoadStateDict(Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal));
    }

    /// <summary>
    /// Copies the stored values into <paramref name="parameters"/>, matched by name. Every parameter must be
    /// present with the same shape; extra stored tensors are an error too (a different model).
    /// </summary>
    public void RestoreInto(IReadOnlyList<Var<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var stored = Parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            string name = p.Name ?? throw new ArgumentException($"CheckpointData.RestoreInto: a parameter of shape {p.Value.ShapeString} has no Name.");
            if (!stored.Remove(name, out var t))
                throw new ArgumentException($"CheckpointData.RestoreInto: the checkpoint has no parameter '{name}' (it has: {string.Join(", ", Parameters.Select(x => x.Name))}).");
            ShapeUtil.RequireSame(p.Value.Shape, t.Shape, $"CheckpointData.RestoreInto ('{name}': model vs. checkpoint)");
            t.Span.CopyTo(p.Value.Span);
        }
        if (stored.Count > 0)
            throw new ArgumentException($"CheckpointData.RestoreInto: the checkpoint has parameters the model lacks: {string.Join(", ", stored.Keys)}.");
    }
}
