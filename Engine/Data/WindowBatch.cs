using SeqLearn.Tensors;

namespace SeqLearn.Data;

/// <summary>
/// Fixed-length float windows for regression (forecasting): inputs (B, T, F) — T past steps of F features — and
/// targets (B, K) — the K values to predict after each window.
/// </summary>
/// <param name="Inputs">x (B, T, F).</param>
/// <param name="Targets">y (B, K).</param>
public sealed record WindowBatch<T>(Tensor<T> Inputs, Tensor<T> Targets) where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>B.</summary>
    public int BatchSize => Inputs.Dim(0);

    /// <summary>
    /// Gathers windows <paramref name="rows"/> from all windows stored row-major: <paramref name="inputs"/> (N, T, F) and
    /// <paramref name="targets"/> (N, K).
    /// </summary>
    public static WindowBatch<T> Gather(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int steps, int features, int horizon, ReadOnlySpan<int> rows)
    {
        if (steps < 1 || features < 1 || horizon < 1)
            throw new ArgumentException($"WindowBatch.Gather: T, F and K must be ≥ 1, got {steps}, {features}, {horizon}.",
                steps < 1 ? nameof(steps) : features < 1 ? nameof(features) : nameof(horizon));
        long width = (long)steps * features;   // T·F above an array's length: no input can hold one window
        if (width > Array.MaxLength || inputs.Length % width != 0 || targets.Length % horizon != 0 || inputs.Length / width != targets.Length / horizon)
            throw new ArgumentException($"WindowBatch.Gather: {inputs.Length} inputs and {targets.Length} targets do not form N windows of (T, F) = ({steps}, {features}) and K = {horizon}.",
                width > Array.MaxLength || inputs.Length % width != 0 ? nameof(inputs) : nameof(targets));
        var batch = new WindowBatch<T>(Tensor<T>.Zeros(rows.Length, steps, features), Tensor<T>.Zeros(rows.Length, horizon));
        batch.Fill(inputs, targets, rows);
        return batch;
    }

    /// <summary>
    /// Overwrites this batch with windows <paramref name="rows"/> (B of them) of <paramref name="inputs"/> (N, T, F) and
    /// <paramref name="targets"/> (N, K), stored as this batch's T, F and K (checked by the caller): a batch refilled
    /// step after step allocates nothing.
    /// </summary>
    internal void Fill(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, ReadOnlySpan<int> rows)
    {
        int inWidth = Inputs.Dim(1) * Inputs.Dim(2), horizon = Targets.Dim(1), n = inputs.Length / inWidth;
        Span<T> x = Inputs.Span, y = Targets.Span;
        for (int b = 0; b < rows.Length; b++)
        {
            int r = rows[b];
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), $"WindowBatch.Gather: window {r} is outside [0, {n}).");
            inputs.Slice(r * inWidth, inWidth).CopyTo(x.Slice(b * inWidth, inWidth));
            targets.Slice(r * horizon, horizon).CopyTo(y.Slice(b * horizon, horizon));
        }
    }
}
