using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// docs/training.md §4: a sequence scored alone and inside a padded batch gives bit-identical outputs, losses and
/// gradients. For attention the padded width S of the batch must not change a row's bits: with realistic widths
/// (H = 40, sources of up to 30 tokens) the Luong scores q·kᵀ were one GEMM over all S keys, whose rounding depends on S.
/// </summary>
public sealed class AttentionPaddingIdentityTests
{
    private static readonly SpecialTokens Specials = ReverseTaskTests.Specials;

    public static TheoryData<string> Kinds() => new() { "dot", "general", "bahdanau" };

    private static Attention<float> Make(string kind, int width, SeededRng rng) => kind switch
    {
        "dot" => new LuongAttention<float>(width, width, general: false, rng),
        "general" => new LuongAttention<float>(width, width, general: true, rng),
        _ => new BahdanauAttention<float>(width, width, width / 2, rng),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Attend_RowAloneAndInsideAWiderPaddedBatch_BitIdenticalValuesAndGradients(string kind)
    {
        const int width = 40, u = 3, steps = 31;
        int[] lengths = [31, 11, 5, 17];
        var rng = new SeededRng(8);
        var attention = Make(kind, width, rng);
        var memory = Tensor<float>.Normal([lengths.Length, steps, width], 0f, 1f, rng);
        for (int b = 0; b < lengths.Length; b++) memory.Span.Slice((b * steps + lengths[b]) * width, (steps - lengths[b]) * width).Clear();   // as the encoder leaves it
        var queries = Tensor<float>.Normal([lengths.Length, u, width], 0f, 1f, rng);
        var weights = Tensor<float>.Normal([lengths.Length, u, width], 0f, 1f, new SeededRng(9));

        var (m, q) = (new Var<float>(memory.Clone(), requiresGrad: true), new Var<float>(queries.Clone(), requiresGrad: true));
        var (context, alpha) = attention.Attend(q, attention.Keys(m), m, lengths);
        Ops.Sum(context * new Var<float>(weights)).Backward();
        for (int b = 1; b < lengths.Length; b++)
        {
            int n = lengths[b];
            var m1 = new Var<float>(Tensor<float>.FromArray(memory.Span.Slice(b * steps * width, n * width).ToArray(), 1, n, width), requiresGrad: true);
            var q1 = new Var<float>(Tensor<float>.FromArray(queries.Span.Slice(b * u * width, u * width).ToArray(), 1, u, width), requiresGrad: true);
            var (c1, a1) = attention.Attend(q1, attention.Keys(m1), m1, [n]);
            Ops.Sum(c1 * new Var<float>(Tensor<float>.FromArray(weights.Span.Slice(b * u * width, u * width).ToArray(), 1, u, width))).Backward();
            string what = $"{kind} row {b} (length {n} of {steps})";
            TensorAssert.BitEqual<float>(c1.Value.Span, context.Value.Span.Slice(b * u * width, u * width), what + " context");
            for (int t = 0; t < u; t++)
                TensorAssert.BitEqual<float>(a1.Value.Span.Slice(t * n, n), alpha.Value.Span.Slice((b * u + t) * steps, n), what + $" weights of query {t}");
            TensorAssert.BitEqual<float>(q1.Grad!.Span, q.Grad!.Span.Slice(b * u * width, u * width), what + " ∂queries");
            TensorAssert.BitEqual<float>(m1.Grad!.Span, m.Grad!.Span.Slice(b * steps * width, n * width), what + " ∂memory");
        }
    }

    // TensorPrimitives.Tanh computes fewer than 4 floats with the scalar tanh and more with its vector approximation, so
    // tanh over each (b, u) block of S·A values would round a short source (n·A < 4, A < 4) differently alone (block n·A)
    // than padded (block S·A). Ops.AdditiveScores takes tanh per key (A values), the same span alone and padded.
    [Fact]
    public void Bahdanau_AttentionWidthBelowFour_ShortRowAloneAndPadded_BitIdenticalWeights()
    {
        const int width = 8, steps = 6, rows = 16;
        var rng = new SeededRng(12);
        var attention = new BahdanauAttention<float>(width, width, 1, rng);
        int[] lengths = [steps, .. Enumerable.Repeat(2, rows - 1)];
        var memory = Tensor<float>.Normal([rows, steps, width], 0f, 1f, rng);
        for (int b = 0; b < rows; b++) memory.Span.Slice((b * steps + lengths[b]) * width, (steps - lengths[b]) * width).Clear();
        var queries = Tensor<float>.Normal([rows, 1, width], 0f, 1f, rng);
        var m = new Var<float>(memory);
        var (_, alpha) = attention.Attend(new Var<float>(queries), attention.Keys(m), m, lengths);
        for (int b = 1; b < rows; b++)
        {
            var m1 = new Var<float>(Tensor<float>.FromArray(memory.Span.Slice(b * steps * width, 2 * width).ToArray(), 1, 2, width));
            var q1 = new Var<float>(Tensor<float>.FromArray(queries.Span.Slice(b * width, width).ToArray(), 1, 1, width));
            var (_, a1) = attention.Attend(q1, attention.Keys(m1), m1, [2]);
            TensorAssert.BitEqual<float>(a1.Value.Span, alpha.Value.Span.Slice(b * steps, 2), $"row {b} weights");
        }
    }

    public static TheoryData<AttentionKind, RecurrentCell, bool> Models() => new()
    {
        { AttentionKind.LuongDot, RecurrentCell.Gru, false },
        { AttentionKind.LuongGeneral, RecurrentCell.Lstm, true },
        { AttentionKind.LuongGeneral, RecurrentCell.Gru, false },
        { AttentionKind.Bahdanau, RecurrentCell.Gru, false },
    };

    private static Seq2Seq<float> Model(AttentionKind attention, RecurrentCell cell, bool feed) =>
        new(new Seq2SeqConfig(40, 40, EmbeddingSize: 24, HiddenSize: 40, NumLayers: 2, Cell: cell, Attention: attention, InputFeeding: feed,
            Bidirectional: attention != AttentionKind.LuongDot, AttentionSize: 20), new SeededRng(5));

    private static List<int[]> Sequences(int count, int minLength, ulong seed)
    {
        var rng = new SeededRng(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, minLength + rng.NextInt(30)).Select(_ => 4 + rng.NextInt(36)).ToArray())];
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TeacherForcedLogits_PairAloneAndInsideAPaddedBatch_BitIdentical(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        var model = Model(attention, cell, feed);
        model.Eval();
        List<int[]> sources = Sequences(12, 1, 98), targets = Sequences(12, 0, 97);
        using var pool = new WorkerPool(2);
        var context = new LayerContext(Pool: pool);
        using var _ = new NoGradScope();
        var batch = PairBatch.Pad(sources, targets, Enumerable.Range(0, sources.Count).ToArray(), 0, 1, 2);
        var logits = model.Logits(batch, context).Value;
        int u = batch.DecoderInput.Steps, v = model.Config.TargetVocabulary;
        for (int r = 0; r < sources.Count; r++)
        {
            var alone = model.Logits(PairBatch.Pad(sources, targets, [r], 0, 1, 2), context).Value;
            TensorAssert.BitEqual<float>(alone.Span, logits.Span.Slice(r * u * v, (targets[r].Length + 1) * v), $"{attention} pair {r} logits");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Decode_SentenceAloneAndInsideAPaddedBatch_BitIdenticalScores(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        var model = Model(attention, cell, feed);
        var sources = Sequences(12, 1, 99);
        var options = new DecodingOptions(BeamWidth: 3, MaxLengthA: 0.5, MaxLengthB: 4);
        using var pool = new WorkerPool(2);
        var greedy = Seq2SeqDecoding.Greedy(model, sources, Specials, options, pool);
        var beam = Seq2SeqDecoding.Beam(model, sources, Specials, options, pool);
        for (int i = 0; i < sources.Count; i++)
        {
            var aloneGreedy = Seq2SeqDecoding.Greedy(model, [sources[i]], Specials, options, pool)[0];
            var aloneBeam = Seq2SeqDecoding.Beam(model, [sources[i]], Specials, options, pool)[0];
            Assert.Equal(aloneGreedy.Tokens, greedy[i].Tokens);
            Assert.Equal(BitConverter.DoubleToInt64Bits(aloneGreedy.Score), BitConverter.DoubleToInt64Bits(greedy[i].Score));
            Assert.Equal(aloneBeam.Select(h => BitConverter.DoubleToInt64Bits(h.Score)), beam[i].Select(h => BitConverter.DoubleToInt64Bits(h.Score)));
        }
    }
}
