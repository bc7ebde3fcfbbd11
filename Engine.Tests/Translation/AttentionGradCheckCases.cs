using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Autograd;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Gradient checks (float64, registry defaults) of the attention op and modules over padded memories, and of the whole
/// teacher-forced Seq2Seq loss for every attention kind: every input and every weight is checked.
/// </summary>
public sealed class AttentionGradCheckCases : IGradCheckCaseSource
{
    private static readonly int[] SourceLengths = [3, 1, 2];

    public IEnumerable<GradCheckCase> Cases()
    {
        var gen = new CaseGen(4242);
        yield return new("AdditiveScores k2x3x4 q2x2x4 v4", v => Ops.AdditiveScores(v[0], v[1], v[2]),
            [gen.Normal(2, 3, 4), gen.Normal(2, 2, 4), gen.Normal(4)]);
        yield return new("AdditiveScores k1x4x2 q1x1x2 v2", v => Ops.AdditiveScores(v[0], v[1], v[2]),
            [gen.Normal(1, 4, 2), gen.Normal(1, 1, 2), gen.Normal(2)]);

        // Memory (B 3, S 3, M 4) with lengths 3, 1, 2; queries (B 3, U 2, Q 4).
        var bahdanau = new BahdanauAttention<double>(4, 4, 3, gen.Rng);
        yield return ModuleGradCase.Of("BahdanauAttention.Attend M4 Q4 A3 masked", bahdanau, [gen.Normal(3, 3, 4), gen.Normal(3, 2, 4)], v =>
        {
            var (c, alpha) = bahdanau.Attend(v[1], bahdanau.Keys(v[0]), v[0], SourceLengths);
            return Ops.Concat([c, alpha], 2);
        });
        foreach (bool general in new[] { false, true })
        {
            var luong = new LuongAttention<double>(4, 4, general, gen.Rng);
            yield return ModuleGradCase.Of($"LuongAttention.Attend {(general ? "general" : "dot")} M4 Q4 masked + h̃", luong,
                [gen.Normal(3, 3, 4), gen.Normal(3, 2, 4)], v =>
                {
                    var (c, alpha) = luong.Attend(v[1], luong.Keys(v[0]), v[0], SourceLengths);
                    return Ops.Concat([luong.AttentionalVector(c, v[1]), alpha], 2);
                });
        }

        // The fused teacher-forced Bahdanau decoder as an op: embedded (B 3, U 3, E 2), keys (3, S 3, A 3), memory (3, 3, M 4),
        // s₀ (1, 3, H 2) (and c₀), W_q (A, H), v (1, A), W_ih (G·H, E + M), W_hh (G·H, H), b_ih, b_hh.
        foreach (var (cell, gates) in new[] { (RecurrentCell.Gru, 3), (RecurrentCell.Lstm, 4) })
        {
            bool lstm = cell == RecurrentCell.Lstm;
            Tensor<double>[] inputs = [gen.Normal(3, 3, 2), gen.Normal(3, 3, 3), gen.Normal(3, 3, 4), gen.Normal(1, 3, 2), .. lstm ? [gen.Normal(1, 3, 2)] : Array.Empty<Tensor<double>>(),
                gen.Normal(3, 2), gen.Normal(1, 3), gen.Normal(gates * 2, 6), gen.Normal(gates * 2, 2), gen.Normal(gates * 2), gen.Normal(gates * 2)];
            int w = lstm ? 5 : 4;
            yield return new($"FusedBahdanauDecoder {cell} B3 U3 S3 masked", v => FusedBahdanauDecoder.Run(cell, v[0], v[1], v[2], SourceLengths, v[3],
                lstm ? v[4] : null, v[w], v[w + 1], new RecurrentWeights<double>(v[w + 2], v[w + 3], v[w + 4], v[w + 5]), null).Y, inputs);
        }

        foreach (var (attention, cell, bi, feed, layers) in new[]
        {
            (AttentionKind.None, RecurrentCell.Gru, false, false, 1),
            (AttentionKind.Bahdanau, RecurrentCell.Gru, true, false, 1),
            (AttentionKind.Bahdanau, RecurrentCell.Lstm, false, false, 2),
            (AttentionKind.Bahdanau, RecurrentCell.Lstm, true, false, 1),
            (AttentionKind.LuongDot, RecurrentCell.Lstm, false, false, 1),
            (AttentionKind.LuongGeneral, RecurrentCell.Gru, true, false, 1),
            (AttentionKind.LuongGeneral, RecurrentCell.Lstm, true, true, 1),
        })
        {
            var config = new Seq2SeqConfig(5, 6, EmbeddingSize: 2, HiddenSize: 2, NumLayers: layers, Cell: cell, Bidirectional: bi, Attention: attention,
                InputFeeding: feed, AttentionSize: 2);
            var model = new Seq2Seq<double>(config, new SeededRng(17));
            var batch = TinyBatch();
            yield return ModuleGradCase.Of($"Seq2Seq loss {Seq2SeqConfig.AttentionName(attention)}{(feed ? "+feed" : "")} {cell} L{layers}{(bi ? " bi" : "")}",
                model, [], _ => model.Loss(batch, LayerContext.None));
        }

        // The attention products over each row's valid keys (lengths 3, 1, 2 of S 3; a 0 length in the second case).
        yield return new("ValidKeyScores q3x2x4 k3x3x4 masked", v => Ops.ValidKeyScores(v[0], v[1], SourceLengths),
            [gen.Normal(3, 2, 4), gen.Normal(3, 3, 4)]);
        yield return new("ValidKeyContext a3x2x3 m3x3x4 masked", v => Ops.ValidKeyContext(v[0], v[1], [3, 0, 2]),
            [gen.Normal(3, 2, 3), gen.Normal(3, 3, 4)]);
    }

    /// <summary>Three pairs with padding on both sides (source vocabulary 5, target 6; pad 0, bos 1, eos 2).</summary>
    internal static PairBatch TinyBatch() =>
        PairBatch.Pad([[3, 4, 3], [4], [3, 3]], [[3, 5], [4], [5, 3, 4]], [0, 1, 2], padId: 0, bosId: 1, eosId: 2);
}
