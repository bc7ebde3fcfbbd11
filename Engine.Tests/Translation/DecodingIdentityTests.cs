using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
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

    /// <summary>
    /// A stepper that computes every row to the end, as decoders did before they dropped finished rows: the decoder sees
    /// the rows it keeps, the inner stepper keeps all of them (dropped rows continue from row 0, fed token 0).
    /// </summary>
    private sealed class KeepAllRows(ITranslationStepper inner) : ITranslationStepper
    {
        private readonly int[] _previous = new int[inner.Rows];
        private readonly double[] _logProbs = new double[inner.Rows * inner.Vocabulary], _attention = new double[inner.Rows * inner.SourceSteps];
        private readonly int[] _parents = new int[inner.Rows];

        public int Rows { get; private set; } = inner.Rows;
        public int Vocabulary => inner.Vocabulary;
        public int SourceSteps => inner.SourceSteps;

        public void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention)
        {
            Array.Clear(_previous);
            previous.CopyTo(_previous);
            inner.Step(_previous, _logProbs, _attention);
            _logProbs.AsSpan(0, logProbs.Length).CopyTo(logProbs);
            _attention.AsSpan(0, attention.Length).CopyTo(attention);
        }

        public void Reorder(ReadOnlySpan<int> parents)
        {
            Array.Clear(_parents);
            parents.CopyTo(_parents);
            inner.Reorder(_parents);
            Rows = parents.Length;
        }
    }

    private static string ShowAll(Hypothesis h) =>
        $"{Show(h)} | {h.NormalizedScore:R} | {h.Ended} | {string.Join(";", h.Attention?.Select(a => string.Join(" ", a.Select(x => x.ToString("R")))) ?? [])}";

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_DroppingFinishedRows_GivesWhatComputingThemGave(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        var model = Model(attention, cell, feed);
        model.Eval();
        var (sources, _) = ReverseTaskTests.Reverse(7, 79);
        var rng = new SeededRng(4);
        sources = sources.Select(x => x.Take(rng.Next(1, x.Length + 1)).ToArray()).ToList();   // mixed lengths: rows finish apart
        var options = new DecodingOptions(BeamWidth: 3, MaxLengthA: 1, MaxLengthB: 2, KeepAttention: true);
        using var pool = new WorkerPool(2);
        string Run(bool keepAll)
        {
            using var greedy = new Seq2SeqStepper<float>(model, sources, 1, Specials.Pad, pool);
            using var beam = new Seq2SeqStepper<float>(model, sources, options.BeamWidth, Specials.Pad, pool);
            var greedyOut = GreedyDecoder.Decode(keepAll ? new KeepAllRows(greedy) : greedy, greedy.SourceLengths, Specials, options);
            var beamOut = BeamSearchDecoder.Decode(keepAll ? new KeepAllRows(beam) : beam, sources.Select(x => x.Length).ToArray(), Specials, options);
            return string.Join("\n", greedyOut.Select(ShowAll).Concat(beamOut.SelectMany(b => b).Select(ShowAll)));
        }
        Assert.Equal(Run(keepAll: true), Run(keepAll: false));
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
