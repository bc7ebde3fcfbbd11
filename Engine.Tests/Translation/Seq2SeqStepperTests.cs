using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The kernel-level <see cref="Seq2SeqStepper{T}"/> equals the decoder's autograd ops (<see cref="Seq2SeqGraphStepper{T}"/>)
/// bit for bit, step after step, through beam reorderings; and a step allocates nothing.
/// </summary>
public sealed class Seq2SeqStepperTests
{
    public static TheoryData<AttentionKind, RecurrentCell, bool> Decoders() => new()
    {
        { AttentionKind.Bahdanau, RecurrentCell.Gru, false },
        { AttentionKind.Bahdanau, RecurrentCell.Lstm, false },
        { AttentionKind.LuongGeneral, RecurrentCell.Gru, false },
        { AttentionKind.LuongGeneral, RecurrentCell.Lstm, true },
        { AttentionKind.LuongDot, RecurrentCell.Gru, true },
        { AttentionKind.LuongDot, RecurrentCell.Lstm, false },
        { AttentionKind.None, RecurrentCell.Gru, false },
        { AttentionKind.None, RecurrentCell.Lstm, false },
    };

    /// <summary>A random model of <paramref name="attention"/> and <paramref name="cell"/> with random sizes, and random sources.</summary>
    private static (Seq2Seq<T> Model, int[][] Sources) Random<T>(AttentionKind attention, RecurrentCell cell, bool feed, int seed)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(0xDA7A_0000UL + (ulong)seed);   // the data's stream, apart from the weights' SeededRng(seed)
        int h = rng.Next(3, 20);
        bool bidirectional = attention != AttentionKind.LuongDot && rng.Next(2) == 1;
        var config = new Seq2SeqConfig(rng.Next(5, 15), rng.Next(5, 40), EmbeddingSize: rng.Next(2, 12), HiddenSize: h,
            NumLayers: rng.Next(1, 3), Cell: cell, Bidirectional: bidirectional, Attention: attention, InputFeeding: feed,
            AttentionSize: attention == AttentionKind.Bahdanau ? rng.Next(2, 17) : null, Dropout: 0.2);
        var model = new Seq2Seq<T>(config, new SeededRng((ulong)seed));
        foreach (var p in model.Parameters())                                       // non-zero biases, larger weights: every term counts
        {
            var v = p.Value.Span;
            for (int i = 0; i < v.Length; i++) v[i] = T.CreateTruncating(rng.NextDouble() * 1.6 - 0.8);
        }
        model.Eval();
        var sources = Enumerable.Range(0, rng.Next(1, 6))
            .Select(_ => Enumerable.Range(0, rng.Next(1, 9)).Select(_ => rng.Next(3, config.SourceVocabulary)).ToArray()).ToArray();
        return (model, sources);
    }

    private static void StepsEqualGraph<T>(AttentionKind attention, RecurrentCell cell, bool feed, int seed, int copies, WorkerPool? pool)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (model, sources) = Random<T>(attention, cell, feed, seed);
        var reference = new Seq2SeqGraphStepper<T>(model, sources, copies, 0, pool);
        using var stepper = new Seq2SeqStepper<T>(model, sources, copies, 0, pool);
        Assert.Equal(reference.SourceLengths, stepper.SourceLengths);
        Assert.Equal(reference.SourceSteps, stepper.SourceSteps);
        CompareSteps(reference, stepper, new SeededRng((ulong)(seed + 1)), 6, copies, $"{attention}, {cell}, feed {feed}, seed {seed}, copies {copies}");
    }

    /// <summary>Random previous tokens for <paramref name="steps"/> steps, each followed by a random beam reordering within each source's rows.</summary>
    private static void CompareSteps(ITranslationStepper reference, ITranslationStepper stepper, SeededRng rng, int steps, int copies, string what)
    {
        int b = stepper.Rows, v = stepper.Vocabulary, s = stepper.SourceSteps;
        var (expected, actual) = (new double[b * v], new double[b * v]);
        var (expectedAlpha, actualAlpha) = (new double[b * s], new double[b * s]);
        var previous = new int[b];
        var parents = new int[b];
        for (int t = 0; t < steps; t++)
        {
            for (int r = 0; r < b; r++) previous[r] = rng.Next(v);
            reference.Step(previous, expected, expectedAlpha);
            stepper.Step(previous, actual, actualAlpha);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"log p differ at step {t} ({what})");
            Assert.True(expectedAlpha.AsSpan().SequenceEqual(actualAlpha), $"α differ at step {t} ({what})");
            for (int r = 0; r < b; r++) parents[r] = r / copies * copies + rng.Next(copies);   // a beam keeps each source's rows together
            reference.Reorder(parents);
            stepper.Reorder(parents);
        }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Step_EqualsTheDecodersOps_BitForBit_Float(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        using var pool = new WorkerPool(2);
        for (int seed = 0; seed < 6; seed++)
            foreach (int copies in new[] { 1, 3 })
            {
                StepsEqualGraph<float>(attention, cell, feed, 100 * seed + 7, copies, null);
                StepsEqualGraph<float>(attention, cell, feed, 100 * seed + 7, copies, pool);
            }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Step_AfterReordersThatMoveDropAndCopyRows_EqualsTheDecodersOps(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        // Decoders drop finished rows and move the rest together, and beam search widens one row per source to K: any row
        // may take any row's state, and Rows shrinks and grows up to the rows built.
        using var pool = new WorkerPool(2);
        for (int seed = 0; seed < 4; seed++)
        {
            var (model, sources) = Random<float>(attention, cell, feed, 100 * seed + 11);
            var reference = new Seq2SeqGraphStepper<float>(model, sources, 3, 0, pool);
            using var stepper = new Seq2SeqStepper<float>(model, sources, 3, 0, pool);
            var rng = new SeededRng((ulong)seed);
            int v = stepper.Vocabulary, s = stepper.SourceSteps;
            for (int t = 0; t < 6 && stepper.Rows > 0; t++)
            {
                int b = stepper.Rows;
                var previous = Enumerable.Range(0, b).Select(_ => rng.Next(v)).ToArray();
                var (expected, actual, expectedAlpha, actualAlpha) = (new double[b * v], new double[b * v], new double[b * s], new double[b * s]);
                reference.Step(previous, expected, expectedAlpha);
                stepper.Step(previous, actual, actualAlpha);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"log p differ at step {t}, {b} rows ({attention}, {cell}, seed {seed})");
                Assert.True(expectedAlpha.AsSpan().SequenceEqual(actualAlpha), $"α differ at step {t}, {b} rows ({attention}, {cell}, seed {seed})");
                var parents = Enumerable.Range(0, rng.Next(1, sources.Length * 3 + 1)).Select(_ => rng.Next(b)).ToArray();   // fewer or more rows, up to those built
                reference.Reorder(parents);
                stepper.Reorder(parents);
                Assert.Equal(parents.Length, stepper.Rows);
            }
        }
    }

    [Fact]
    public void Reorder_MoreParentsThanRowsBuilt_IsRefused()
    {
        var (model, sources) = Random<float>(AttentionKind.Bahdanau, RecurrentCell.Gru, false, 5);
        using var stepper = new Seq2SeqStepper<float>(model, sources, 2, 0, null);
        int built = stepper.Rows;
        stepper.Reorder(Enumerable.Range(0, built - 1).ToArray());
        stepper.Reorder(new int[built]);                                            // widening back to the rows built is allowed
        Assert.Equal(built, stepper.Rows);
        var error = Assert.Throws<ArgumentException>(() => stepper.Reorder(new int[built + 1]));
        Assert.Contains("Seq2SeqStepper.Reorder", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Reorder([built]));
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Step_EqualsTheDecodersOps_BitForBit_Double(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        for (int seed = 0; seed < 3; seed++) StepsEqualGraph<double>(attention, cell, feed, 100 * seed + 9, 2, null);
    }

    [Fact]
    public void Step_WithTheShapesOfTheTranslationModel_EqualsTheDecodersOps()
    {
        // The CLI's model (E = H = 256, biGRU encoder) at a beam batch: 16 sources × 5 rows, GEMMs of every blocking path.
        var config = new Seq2SeqConfig(300, 700, EmbeddingSize: 256, HiddenSize: 256, Bidirectional: true, Attention: AttentionKind.Bahdanau, Dropout: 0.2);
        var model = new Seq2Seq<float>(config, new SeededRng(5));
        model.Eval();
        var rng = new SeededRng(3);
        var sources = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(3, 300)).ToArray()).ToArray();
        using var pool = new WorkerPool(2);
        var reference = new Seq2SeqGraphStepper<float>(model, sources, 5, 0, pool);
        using var stepper = new Seq2SeqStepper<float>(model, sources, 5, 0, pool);
        CompareSteps(reference, stepper, rng, 3, 5, "E = H = 256, 16 sources × 5");
    }

    [Theory]
    [InlineData(AttentionKind.Bahdanau, RecurrentCell.Gru, false)]
    [InlineData(AttentionKind.LuongGeneral, RecurrentCell.Lstm, true)]
    [InlineData(AttentionKind.None, RecurrentCell.Gru, false)]
    public void StepAndReorder_AllocateNothing(AttentionKind attention, RecurrentCell cell, bool feed)
    {
        var (model, sources) = Random<float>(attention, cell, feed, 11);
        using var pool = new WorkerPool(2);
        using var stepper = new Seq2SeqStepper<float>(model, sources, 3, 0, pool);
        int b = stepper.Rows;
        var logProbs = new double[b * stepper.Vocabulary];
        var alpha = new double[b * stepper.SourceSteps];
        var previous = new int[b];
        var parents = Enumerable.Range(0, b).Select(r => r / 3 * 3 + (r + 1) % 3).ToArray();
        int token = 0;
        Assert.Equal(0, AllocationMeter.SmallestOf(3, () =>
        {
            previous.AsSpan().Fill(token++ % stepper.Vocabulary);
            stepper.Step(previous, logProbs, alpha);
            stepper.Reorder(parents);
        }, repeats: 100));
    }

    [Fact]
    public void LogSoftmax_EqualsTheScalarFormula_OnOddWidths()
    {
        var rng = new SeededRng(17);
        foreach (int v in new[] { 1, 3, 7, 17, 65, 4523 })
        {
            var z = Enumerable.Range(0, 3 * v).Select(_ => (float)(rng.NextDouble() * 40 - 20)).ToArray();
            var logProbs = new double[3 * v];
            Seq2SeqStepper<float>.LogSoftmax(z, v, logProbs, new double[v]);
            for (int r = 0; r < 3; r++)
            {
                var row = z.AsSpan(r * v, v).ToArray().Select(x => (double)x).ToArray();
                double max = row.Max(), logSum = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
                for (int j = 0; j < v; j++) Assert.Equal(row[j] - logSum, logProbs[r * v + j], 1e-12);
                Assert.Equal(1.0, logProbs.Skip(r * v).Take(v).Sum(Math.Exp), 1e-12);
            }
        }
    }

    [Fact]
    public void Step_BadToken_NamesRowAndRange()
    {
        var (model, sources) = Random<float>(AttentionKind.Bahdanau, RecurrentCell.Gru, false, 4);
        using var stepper = new Seq2SeqStepper<float>(model, sources, 1, 0, null);
        var previous = new int[stepper.Rows];
        previous[^1] = stepper.Vocabulary;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            stepper.Step(previous, new double[stepper.Rows * stepper.Vocabulary], new double[stepper.Rows * stepper.SourceSteps]));
        Assert.Contains($"token {stepper.Vocabulary} of row {stepper.Rows - 1}", e.Message);
    }
}
