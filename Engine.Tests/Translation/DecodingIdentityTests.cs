using SeqLearn.Nn;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Decoding a sentence alone or inside a padded batch of other sentences gives the same output, and so do 1 and 2
/// worker threads (untrained models, so the outputs are long and the scores close: any leak between rows would show).
/// </summary>
public sealed class DecodingIdentityTests
{
    private static readonly SpecialTokens Specials = ReverseTaskTests.Specials;

    public static TheoryData<AttentionKind, RecurrentCell, bool> Models() => new()
    {
        { AttentionKind.Bahdanau, RecurrentCell.Gru, true },
        { AttentionKind.LuongGeneral, RecurrentCell.Lstm, false },
        { AttentionKind.LuongDot, RecurrentCell.Gru, false },
        { AttentionKind.None, RecurrentCell.Lstm, true },
    };

    private static Seq2Seq<float> Model(AttentionKind attention, RecurrentCell cell, bool feed) =>
        new(new Seq2SeqConfig(12, 12, EmbeddingSize: 8, HiddenSize: 8, NumLayers: 2, Cell: cell, Attention: attention,
            InputFeeding: feed && attention != AttentionKind.Bahdanau && attention != AttentionKind.None,
            Bidirectional: attention != AttentionKind.LuongDot), new SeededRng(21));

    private static string Show(Hypothesis h) => $"{string.Join(" ", h.Tokens)} | {string.Join(" ", h.AttentionSource)} | {h.Score:R}";

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_SentenceAloneAndInABatch_SameOutput(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        var model = Model(attention, cell, feed);
        var (sources, _) = ReverseTaskTests.Reverse(5, 77);
        var options = new DecodingOptions(BeamWidth: 3, MaxLengthA: 1, MaxLengthB: 3);
        using var pool = new WorkerPool(2);
        var greedy = Seq2SeqDecoding.Greedy(model, sources, Specials, options, pool);
        var beam = Seq2SeqDecoding.Beam(model, sources, Specials, options, pool);
        for (int i = 0; i < sources.Count; i++)
        {
            var aloneGreedy = Seq2SeqDecoding.Greedy(model, [sources[i]], Specials, options, pool)[0];
            var aloneBeam = Seq2SeqDecoding.Beam(model, [sources[i]], Specials, options, pool)[0];
            Assert.Equal(aloneGreedy.Tokens, greedy[i].Tokens);
            Assert.Equal(aloneGreedy.AttentionSource, greedy[i].AttentionSource);
            Assert.Equal(aloneGreedy.Score, greedy[i].Score, 5);
            Assert.Equal(aloneBeam.Select(h => string.Join(" ", h.Tokens)), beam[i].Select(h => string.Join(" ", h.Tokens)));
            for (int k = 0; k < aloneBeam.Length; k++) Assert.Equal(aloneBeam[k].Score, beam[i][k].Score, 5);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_OneAndTwoThreads_SameOutput(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        var model = Model(attention, cell, feed);
        var (sources, _) = ReverseTaskTests.Reverse(6, 78);
        var options = new DecodingOptions(BeamWidth: 3, MaxLengthA: 1, MaxLengthB: 3, KeepAttention: true);
        string Run(int threads)
        {
            using var pool = new WorkerPool(threads);
            return string.Join("\n", Seq2SeqDecoding.Greedy(model, sources, Specials, options, pool).Select(Show)
                .Concat(Seq2SeqDecoding.Beam(model, sources, Specials, options, pool).SelectMany(b => b).Select(Show)));
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Decode_KeepAttention_ReturnsOneWeightRowPerOutputStepSummingToOne()
    {
        var model = Model(AttentionKind.Bahdanau, RecurrentCell.Gru, false);
        int[] source = [4, 5, 6];
        var h = Seq2SeqDecoding.Greedy(model, [source, [4, 5, 6, 7, 8, 9]], Specials, new DecodingOptions(KeepAttention: true, MaxLengthB: 2), null)[0];
        Assert.NotNull(h.Attention);
        Assert.Equal(h.Tokens.Length + (h.Ended ? 1 : 0), h.Attention!.Length);
        foreach (var row in h.Attention)
        {
            Assert.Equal(source.Length, row.Length);                     // padding of the batch is cut off
            Assert.Equal(1.0, row.Sum(), 5);
        }
    }
}
