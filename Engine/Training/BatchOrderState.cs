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
    /// <summary>The state: <c>{"batch_size": B, "seed": s, countKey: N}</c>.</summary>
    public static JsonObject Save(int batchSize, ulong seed, string countKey, int count) =>
        new() { ["batch_size"] = batchSize, ["seed"] = seed, [countKey] = count };

    /// <summary>Throws <see cref="IncompatibleCheckpointException"/> unless <paramref name="state"/> records the same three values.</summary>
    public static void Check<T>(JsonObject? state, int batchSize, ulong seed, string countKey, int count, string examples)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (Read<int>(state, "batch_size") != batchSize || Read<ulong>(state, "seed") != seed || Read<int>(state, countKey) != count)
            throw Trainer<T>.Incompatible($"it was trained with other batches ({state?.ToJsonString() ?? "no task state"}; this task: batch {batchSize}, seed {seed}, {count} {examples})");
    }

    private static TValue? Read<TValue>(JsonObject? state, string key) where TValue : struct =>
        state?[key] is JsonValue v && v.TryGetValue(out TValue value) ? value : null;
}
