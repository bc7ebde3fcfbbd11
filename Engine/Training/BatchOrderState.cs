using System.Text.Json.Nodes;

namespace SeqLearn.Training;

/// <summary>
/// The task state of a task whose batches follow from (batch size, seed, number of training examples): what its
/// checkpoint records, and the check that a resumed task draws the same batches. A field that is missing or of another
/// JSON type counts as different, so an edited checkpoint is refused with the reason instead of failing inside the
/// JSON reader.
/// </summary>
internal static class BatchOrderState
{
    /// <summary>The state: <c>{"batch_size": B, "seed": s, countKey: N}</c>, and <c>"train_data": data</c> when given.</summary>
    public static JsonObject Save(int batchSize, ulong seed, string countKey, int count, string? data = null)
    {
        var state = new JsonObject { ["batch_size"] = batchSize, ["seed"] = seed, [countKey] = count };
        if (data is not null) state["train_data"] = data;
        return state;
    }

    /// <summary>
    /// Throws <see cref="IncompatibleCheckpointException"/> when <paramref name="state"/> records another <c>train_data</c>
    /// fingerprint than <paramref name="data"/> (a state without one is not checked): the same count of other examples
    /// would continue the run on other batches.
    /// </summary>
    public static void CheckData<T>(JsonObject? state, string data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (state?["train_data"] is not { } stored) return;
        if (!(stored is JsonValue v && v.TryGetValue(out string? text) && text == data))
            throw Trainer<T>.Incompatible($"it was trained on other training data ({stored.ToJsonString()}; this task's is \"{data}\")");
    }

    /// <summary>Throws <see cref="IncompatibleCheckpointException"/> unless <paramref name="state"/> records the same three values.</summary>
    public static void Check<T>(JsonObject? state, int batchSize, ulong seed, string countKey, int count, string examples)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Read<int>(state, "batch_size") != batchSize || Read<ulong>(state, "seed") != seed || Read<int>(state, countKey) != count)
            throw Trainer<T>.Incompatible($"it was trained with other batches ({state?.ToJsonString() ?? "no task state"}; this task: batch {batchSize}, seed {seed}, {count} {examples})");
    }

    private static TValue? Read<TValue>(JsonObject? state, string key) where TValue : struct =>
        state?[key] is JsonValue v && v.TryGetValue(out TValue value) ? value : null;

    /// <summary>
    /// A fingerprint of training data for <see cref="Save"/>: the 64-bit FNV-1a hash of the values' bytes (little-endian on
    /// every platform .NET runs on), added span after span, printed as <c>"fnv1a HASH"</c>. Not a cryptographic hash: it
    /// catches other data, not a deliberate collision.
    /// </summary>
    public struct Fingerprint()
    {
        private ulong _hash = 14695981039346656037UL;

        public void Add<TValue>(ReadOnlySpan<TValue> values) where TValue : unmanaged
        {
            foreach (byte b in System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)) _hash = (_hash ^ b) * 1099511628211UL;
        }

        /// <summary>The hash of the values added so far.</summary>
        public readonly ulong Hash => _hash;

        public readonly override string ToString() => $"fnv1a {_hash:x16}";
    }
}
