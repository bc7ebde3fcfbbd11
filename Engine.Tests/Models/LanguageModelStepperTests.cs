using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Models;

public class LanguageModelStepperTests
{
    private static readonly int[] Tokens = [3, 0, 7, 7, 1, 5, 2, 6];

    public static TheoryData<RecurrentCell, int, bool> Configs()
    {
        var data = new TheoryData<RecurrentCell, int, bool>();
        foreach (var cell in Enum.GetValues<RecurrentCell>())
            foreach (int layers in new[] { 1, 2 })
                foreach (bool tied in new[] { false, true })
                    data.Add(cell, layers, tied);
        return data;
    }

    /// <summary>E ≠ H untied; H = 40 is one full chunk of 32 units and a ragged one of 8.</summary>
    private static LanguageModel<float> Model(RecurrentCell cell, int layers, bool tied, int seed = 11)
    {
        var config = new LanguageModelConfig(9, EmbeddingSize: tied ? 40 : 17, HiddenSize: 40, NumLayers: layers, Cell: cell, TieWeights: tied);
        var model = new LanguageModel<float>(config, new SeededRng((ulong)seed));
        model.Eval();
        return model;
    }

    /// <summary>
    /// Same equations, different summation order (mat-vecs vs GEMM tiles) and the same gate kernels: the
    /// fused-vs-composed float tolerance of docs/testing.md (rtol 1e-4, atol 1e-5) over 8 steps.
    /// </summary>
    [Theory]
    [MemberData(nameof(Configs))]
    public void Step_Logits_EqualForward(RecurrentCell cell, int layers, bool tied)
    {
        var model = Model(cell, layers, tied);
        Tensor<float> expected;
        using (new NoGradScope()) expected = model.Forward(Tokens, 1, Tokens.Length).Logits.Value;   // (T, V)
        var stepper = new LanguageModelStepper(model);
        var state = stepper.InitialState();
        var logits = new float[9];
        for (int t = 0; t < Tokens.Length; t++)
        {
            state = stepper.Step(Tokens[t], state, logits);
            TensorAssert.AllClose<float>(expected.Span.Slice(t * 9, 9), logits, 1e-4, 1e-5, $"{cell} L={layers} tied={tied} step {t}");
        }
        var (_, final) = model.Forward(Tokens, 1, Tokens.Length);
        var ours = state.ToRecurrentState();
        TensorAssert.AllClose(final.H.Value, ours.H.Value, 1e-4, 1e-5, "final h");
        if (final.C is not null) TensorAssert.AllClose(final.C.Value, ours.C!.Value, 1e-4, 1e-5, "final c");
    }

    public static TheoryData<RecurrentCell, int, bool, StepperPrecision> QuantisedConfigs()
    {
        var data = new TheoryData<RecurrentCell, int, bool, StepperPrecision>();
        foreach (var precision in new[] { StepperPrecision.BFloat16, StepperPrecision.Int8 })
            foreach (object[] row in Configs())
                data.Add((RecurrentCell)row[0], (int)row[1], (bool)row[2], precision);
        return data;
    }

    /// <summary>
    /// With bfloat16 or int8 matrices the stepper is the model whose matrices hold the stored values (bf16: rounded;
    /// int8: s_r·q per row, embedding and W_ih0 included, as the layer-0 table is built from them). bf16: the same
    /// tolerance as above. int8 also rounds each product's input vector to 16 bits (|Δx_k| ≤ max|x| / 65534), which
    /// moves a product's row r by at most Σ_k |W[r, k]|·max|x| / 65534, with every error of the row aligned: the absolute
    /// tolerance adds four times the largest such row sum over the model's matrices, with max|x| the largest |h| the
    /// float32 stepper reaches on these tokens (one for the layer above, one for the decoder, two for what the state
    /// carries to later steps). A worst-case bound: the errors seen are 2·10⁻⁶ to 2·10⁻⁴, the tolerance 1–2·10⁻³.
    /// </summary>
    [Theory]
    [MemberData(nameof(QuantisedConfigs))]
    public void Step_QuantisedMatrices_EqualForwardOfTheStoredModel(RecurrentCell cell, int layers, bool tied, StepperPrecision precision)
    {
        var model = Model(cell, layers, tied);
        var stepper = new LanguageModelStepper(model, precision: precision);
        double rowSum = 0;
        foreach (var (_, p) in model.NamedParameters())
            for (int r = 0; p.Value.Rank == 2 && r < p.Value.Dim(0); r++)
                rowSum = Math.Max(rowSum, System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(p.Value.Span.Slice(r * p.Value.Dim(1), p.Value.Dim(1))));
        double maxH = 1;
        var reference = new LanguageModelStepper(model);
        var referenceState = reference.InitialState();
        foreach (int token in Tokens)
        {
            reference.Advance(token, referenceState, new float[9]);
            for (int l = 0; l < layers; l++) maxH = Math.Max(maxH, System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(referenceState.H(l)));
        }
        double atol = precision == StepperPrecision.Int8 ? 1e-5 + 4 * rowSum * Math.Abs(maxH) / 65534 : 1e-5;
        foreach (var (_, p) in model.NamedParameters())
            if (p.Value.Rank == 2 && precision == StepperPrecision.BFloat16) MatVecBf16.Round(p.Value.Span);
            else if (p.Value.Rank == 2) MatVecInt8.Dequantize(p.Value.Span, p.Value.Dim(0), p.Value.Dim(1));
        Tensor<float> expected;
        using (new NoGradScope()) expected = model.Forward(Tokens, 1, Tokens.Length).Logits.Value;
        var state = stepper.InitialState();
        var logits = new float[9];
        for (int t = 0; t < Tokens.Length; t++)
        {
            state = stepper.Step(Tokens[t], state, logits);
            TensorAssert.AllClose<float>(expected.Span.Slice(t * 9, 9), logits, 1e-4, atol, $"{precision} {cell} L={layers} tied={tied} step {t} atol {atol:G3}");
        }
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, StepperPrecision.Float32)]
    [InlineData(RecurrentCell.Gru, StepperPrecision.Float32)]
    [InlineData(RecurrentCell.RnnRelu, StepperPrecision.Float32)]
    [InlineData(RecurrentCell.Lstm, StepperPrecision.BFloat16)]
    [InlineData(RecurrentCell.Gru, StepperPrecision.BFloat16)]
    [InlineData(RecurrentCell.Lstm, StepperPrecision.Int8)]
    [InlineData(RecurrentCell.Gru, StepperPrecision.Int8)]
    public void Step_TwoThreads_BitIdenticalToOne(RecurrentCell cell, StepperPrecision precision)
    {
        var model = Model(cell, 2, tied: false);
        using var pool = new WorkerPool(2);
        var one = new LanguageModelStepper(model, precision: precision);
        var two = new LanguageModelStepper(model, pool, precision);
        var (s1, s2) = (one.InitialState(), two.InitialState());
        var (l1, l2) = (new float[9], new float[9]);
        foreach (int token in Tokens)
        {
            s1 = one.Step(token, s1, l1);
            two.Advance(token, s2, l2);
            TensorAssert.BitEqual<float>(l1, l2, $"{cell} logits after {token}");
        }
    }

    /// <summary>
    /// The two-thread Advance (hidden-side products one step ahead) when the precomputed products do not fit the state:
    /// two states advanced in turn (every call a miss), a state changed by another stepper, L = 1 and 3, one chunk
    /// (H ≤ 32: the ahead role takes every chunk of the last layer) and a 3-thread pool. The logits stay bit-identical to
    /// the one-thread Step.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, 40, 2, StepperPrecision.Float32)]
    [InlineData(RecurrentCell.Gru, 3, 40, 2, StepperPrecision.Int8)]
    [InlineData(RecurrentCell.Lstm, 2, 24, 2, StepperPrecision.BFloat16)]
    [InlineData(RecurrentCell.Rnn, 2, 40, 3, StepperPrecision.Float32)]
    [InlineData(RecurrentCell.RnnRelu, 2, 24, 2, StepperPrecision.BFloat16)]
    [InlineData(RecurrentCell.Lstm, 3, 72, 3, StepperPrecision.Int8)]
    public void Advance_TwoThreads_SwitchingStates_BitIdenticalToStep(RecurrentCell cell, int layers, int hidden, int threads, StepperPrecision precision)
    {
        var config = new LanguageModelConfig(9, EmbeddingSize: 17, HiddenSize: hidden, NumLayers: layers, Cell: cell);
        var model = new LanguageModel<float>(config, new SeededRng(5));
        model.Eval();
        using var pool = new WorkerPool(threads);
        var one = new LanguageModelStepper(model, precision: precision);
        var two = new LanguageModelStepper(model, pool, precision);
        var other = new LanguageModelStepper(model, pool, precision);
        var (a1, b1) = (one.InitialState(), one.InitialState());
        var (a2, b2) = (two.InitialState(), two.InitialState());
        var (l1, l2) = (new float[9], new float[9]);
        for (int i = 0; i < Tokens.Length; i++)
        {
            int token = Tokens[i];
            a1 = one.Step(token, a1, l1);
            two.Advance(token, a2, l2);                       // a hit from the second call on, except after a switch
            TensorAssert.BitEqual<float>(l1, l2, $"{cell} L={layers} state a, step {i}");
            if (i % 3 == 2)
            {
                b1 = one.Step(token, b1, l1);                 // switch: the products computed ahead belong to a
                two.Advance(token, b2, l2);
                TensorAssert.BitEqual<float>(l1, l2, $"{cell} L={layers} state b, step {i}");
            }
            if (i == 4)
            {
                a1 = one.Step(1, a1, l1);                     // a changed behind the stepper's back (by another stepper)
                other.Advance(1, a2, l2);
            }
        }
    }

    /// <summary>
    /// The int8 stepper on each int8 kernel this machine runs (the ARM64 SDOT one with its dot product emulated) gives
    /// the scalar kernel's logits bit for bit, through Step and Advance, on one thread and on a two-thread pool: sizes
    /// whose chunks are not whole blocks of 32 rows, and 260 hidden units, past one 256-column int32 chunk.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Lstm, 2, 72)]
    [InlineData(RecurrentCell.Gru, 1, 260)]
    public void Int8_EveryKernel_BitIdenticalToTheScalarKernel(RecurrentCell cell, int layers, int hidden)
    {
        var config = new LanguageModelConfig(9, EmbeddingSize: 17, HiddenSize: hidden, NumLayers: layers, Cell: cell);
        var model = new LanguageModel<float>(config, new SeededRng(5));
        model.Eval();
        using var pool = new WorkerPool(2);
        var reference = new LanguageModelStepper(model, null, StepperPrecision.Int8, Int8Kernel.Scalar);
        var kernels = SeqLearn.Tests.Kernels.MatVecInt8Tests.VectorKernels().ToArray();
        Assert.NotEmpty(kernels);
        foreach (var kernel in kernels)
            foreach (var threads in new[] { 1, 2 })
            {
                var stepper = new LanguageModelStepper(model, threads == 2 ? pool : null, StepperPrecision.Int8, kernel);
                var (s1, s2, s3) = (reference.InitialState(), stepper.InitialState(), stepper.InitialState());
                var (l1, l2, l3) = (new float[9], new float[9], new float[9]);
                for (int i = 0; i < Tokens.Length; i++)
                {
                    reference.Advance(Tokens[i], s1, l1);
                    stepper.Advance(Tokens[i], s2, l2);
                    s3 = stepper.Step(Tokens[i], s3, l3);
                    TensorAssert.BitEqual<float>(l1, l2, $"{kernel}, {threads} thread(s), Advance, step {i}");
                    TensorAssert.BitEqual<float>(l1, l3, $"{kernel}, {threads} thread(s), Step, step {i}");
                }
            }
    }

    [Fact]
    public void Step_DoesNotChangeItsInput_AndAdvanceMatchesStep()
    {
        var model = Model(RecurrentCell.Lstm, 2, tied: false);
        var stepper = new LanguageModelStepper(model);
        var logits = new float[9];
        var state = stepper.Step(4, stepper.InitialState(), logits);
        float[] before = [.. state.Hidden(1), .. state.Cell(0)];
        var a = stepper.Step(2, state, logits);
        var b = stepper.Step(2, state, new float[9]);         // branching the same state twice
        Assert.Equal(before, state.Hidden(1).ToArray().Concat(state.Cell(0).ToArray()).ToArray());
        Assert.Equal(a.Hidden(1).ToArray(), b.Hidden(1).ToArray());
        var owned = state.Clone();
        var advanced = new float[9];
        stepper.Advance(2, owned, advanced);
        Assert.Equal(logits, advanced);
        Assert.Equal(a.Cell(1).ToArray(), owned.Cell(1).ToArray());
    }

    [Fact]
    public void Advance_AllocatesNothing()
    {
        var model = Model(RecurrentCell.Lstm, 2, tied: false);
        using var pool = new WorkerPool(2);
        foreach (var stepper in new[] { new LanguageModelStepper(model), new LanguageModelStepper(model, pool),
            new LanguageModelStepper(model, precision: StepperPrecision.Int8), new LanguageModelStepper(model, pool, StepperPrecision.Int8) })
        {
            var state = stepper.InitialState();
            var logits = new float[9];
            for (int i = 0; i < 10; i++) stepper.Advance(i % 9, state, logits);   // warm-up (JIT)
            int token = 0;
            Assert.Equal(0, AllocationMeter.AllocatedBy(() => stepper.Advance(token++ % 9, state, logits), repeats: 100));
        }
    }

    [Fact]
    public void Step_BadInput_ClearErrors()
    {
        var stepper = new LanguageModelStepper(Model(RecurrentCell.Gru, 1, tied: false));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Step(9, stepper.InitialState(), new float[9]));
        Assert.Contains("outside the vocabulary", e.Message);
        Assert.Throws<ArgumentException>(() => stepper.Step(1, stepper.InitialState(), new float[8]));
        var lstm = new LanguageModelStepper(Model(RecurrentCell.Lstm, 1, tied: false));
        Assert.Throws<ArgumentException>(() => stepper.Step(1, lstm.InitialState(), new float[9]));
    }

    /// <summary>
    /// An LSTM state (h and c) given to a GRU stepper of the same (L, H): the error must name the parameter and say what
    /// differs; it printed the same (L, H) twice, "(1, 40) … (1, 40) Gru", and had no ParamName. Wrong-length logits name theirs.
    /// </summary>
    [Fact]
    public void Step_StateOfAnotherCell_ErrorNamesTheStateAndTheCellState()
    {
        var gru = new LanguageModelStepper(Model(RecurrentCell.Gru, 1, tied: false));
        var lstm = new LanguageModelStepper(Model(RecurrentCell.Lstm, 1, tied: false));
        var e = Assert.Throws<ArgumentException>(() => gru.Step(1, lstm.InitialState(), new float[9]));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("cell state", e.Message);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => gru.Step(1, gru.InitialState(), new float[8])).ParamName);
    }

    /// <summary>
    /// A NaN or ±∞ in a matrix the int8 stepper quantises: the error names the model parameter, the matrix, and the row and
    /// column in the matrix's own order (the quantiser sees the rows regrouped into chunks of 32 units). bfloat16 and
    /// float32 keep the value, and it reaches the logits.
    /// </summary>
    [Fact]
    public void Int8_NonFiniteWeight_ErrorNamesTheMatrixRowAndColumn()
    {
        var config = new LanguageModelConfig(9, 5, 64, 2, RecurrentCell.Lstm);
        var model = new LanguageModel<float>(config, new SeededRng(1));
        model.Eval();
        var weightHh1 = model.NamedParameters().Single(p => p.Key == "rnn.weight_hh_l1").Value.Value;
        weightHh1.Span[200 * 64 + 3] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => new LanguageModelStepper(model, null, StepperPrecision.Int8));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("rnn.weight_hh_l1 holds NaN at row 200, column 3", e.Message);
        foreach (var precision in new[] { StepperPrecision.Float32, StepperPrecision.BFloat16 })
        {
            var stepper = new LanguageModelStepper(model, null, precision);
            var logits = new float[9];
            var state = stepper.InitialState();
            stepper.Advance(1, state, logits);
            stepper.Advance(2, state, logits);
            Assert.All(logits, v => Assert.True(float.IsNaN(v), $"{precision}: {v}"));
        }
        weightHh1.Span[200 * 64 + 3] = 0;
        foreach (var (name, p) in model.NamedParameters().Where(p => p.Value.Value.Rank == 2))
        {
            var w = p.Value;
            int last = w.Length - 1;
            float kept = w.Span[last];
            w.Span[last] = float.NegativeInfinity;
            e = Assert.Throws<ArgumentException>(() => new LanguageModelStepper(model, null, StepperPrecision.Int8));
            Assert.Contains($"{name} holds {float.NegativeInfinity} at row {w.Dim(0) - 1}, column {w.Dim(1) - 1}", e.Message);
            w.Span[last] = kept;
        }
        _ = new LanguageModelStepper(model, null, StepperPrecision.Int8);
    }

    [Fact]
    public void InputTable_LongerThanTheLargestArray_IsRefusedNamingItsSize()
    {
        Assert.Equal(65 * 4 * 256, StepperWeights.TableLength(65, 4, 256));
        var e = Assert.Throws<ArgumentException>(() => StepperWeights.TableLength(50_000, 4, 16_384));
        Assert.Contains("V·G·H = 50000·4·16384 = 3276800000", e.Message);
    }
}
