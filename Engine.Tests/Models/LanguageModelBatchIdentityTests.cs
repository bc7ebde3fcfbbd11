using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Models;

/// <summary>
/// docs/masking.md §3.4 for the language model's full windows: the gradient of a loss that reads one window of a (B, T)
/// batch (the other windows' targets are the ignore index) is bit-identical to that window's gradient alone, B = 1, also
/// where B·T exceeds one GEMM k slice and T does not divide KC = 256 (PTB's B = T = 20), and on two threads.
/// </summary>
public class LanguageModelBatchIdentityTests
{
    public static TheoryData<RecurrentCell, int, int, int> Shapes() => new()
    {
        { RecurrentCell.Lstm, 20, 20, 2 },     // PTB's window: 400 rows, a window straddles k = 256
        { RecurrentCell.Gru, 22, 31, 1 },
        { RecurrentCell.Rnn, 9, 37, 2 },
        { RecurrentCell.Lstm, 6, 64, 1 },      // T divides 256: slices fall on windows anyway
        { RecurrentCell.Lstm, 3, 290, 1 },     // T > 256: a window is two slices alone, and in the batch the same two
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OneWindowsLoss_InABatch_EqualsTheWindowAlone(RecurrentCell cell, int batch, int steps, int layers)
    {
        const int V = 13;
        var lm = new LanguageModel<float>(new LanguageModelConfig(V, EmbeddingSize: 5, HiddenSize: 6, NumLayers: layers, Cell: cell), new SeededRng(7));
        var rng = new SeededRng(11);
        int[] inputs = [.. Enumerable.Range(0, batch * steps).Select(_ => rng.NextInt(V))];
        int[] targets = [.. Enumerable.Range(0, batch * steps).Select(_ => rng.NextInt(V))];
        using var pool = new WorkerPool(2);
        // The first and last windows, and every window whose rows straddle a multiple of KC = 256 in the batch.
        foreach (int row in new[] { 0, batch - 1 }.Concat(Enumerable.Range(1, batch * steps / 256).Select(s => s * 256 / steps)).Distinct())
        {
            var alone = Gradients(lm, inputs.AsSpan(row * steps, steps), targets.AsSpan(row * steps, steps).ToArray(), 1, steps, null);
            int[] mine = [.. Enumerable.Repeat(-100, batch * steps)];
            targets.AsSpan(row * steps, steps).CopyTo(mine.AsSpan(row * steps));
            foreach (var p in new[] { null, pool })
            {
                var batched = Gradients(lm, inputs, mine, batch, steps, p);
                foreach (var (name, g) in alone)
                    Assert.True(g.Span.SequenceEqual(batched[name].Span),
                        $"{cell} B = {batch}, T = {steps}, window {row}, {(p is null ? 1 : 2)} threads: {name} differs from the window alone");
            }
        }
    }

    private static Dictionary<string, Tensor<float>> Gradients(LanguageModel<float> lm, ReadOnlySpan<int> inputs, int[] targets, int batch, int steps, WorkerPool? pool)
    {
        lm.ZeroGrad();
        lm.Loss(inputs, targets, batch, steps, pool: pool).Loss.Backward();
        return lm.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad!.Clone());
    }
}
