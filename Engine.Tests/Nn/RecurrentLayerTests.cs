using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Nn;

public class RecurrentLayerTests
{
    [Fact]
    public void Lstm_ParameterNamesAndShapes_MatchPyTorch()
    {
        var lstm = new Lstm<float>(5, 7, new SeededRng(1), new RecurrentOptions(NumLayers: 2, Bidirectional: true));
        var shapes = lstm.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Value.ShapeString);
        Assert.Equal(16, shapes.Count);
        Assert.Equal("(28, 5)", shapes["weight_ih_l0"]);
        Assert.Equal("(28, 7)", shapes["weight_hh_l0_reverse"]);
        Assert.Equal("(28, 14)", shapes["weight_ih_l1"]);
        Assert.Equal("(28)", shapes["bias_hh_l1_reverse"]);
        Assert.Equal("weight_ih_l0", lstm.NamedParameters().First().Key);
    }

    [Fact]
    public void Gru_Init_IsWithinOneOverSqrtH()
    {
        var gru = new Gru<double>(3, 16, new SeededRng(2));
        Assert.All(gru.Parameters().SelectMany(p => p.Value.ToArray()), v => Assert.InRange(v, -0.25, 0.25));
    }

    [Theory]
    [InlineData(RecurrentPath.Fused)]
    [InlineData(RecurrentPath.Composed)]
    public void Lstm_Lengths_PaddedOutputsAreZero_AndFinalStateIsAtLastValidStep(RecurrentPath path)
    {
        var rng = new SeededRng(3);
        var lstm = new Lstm<double>(2, 3, rng, new RecurrentOptions(Bidirectional: true, Path: path));
        var x = Tensor<double>.Normal([2, 5, 2], 0, 1, rng);
        var (y, state) = lstm.Forward(new Var<double>(x), lengths: [5, 3]);
        for (int t = 3; t < 5; t++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(0.0, y.Value[1, t, j]);

        // Row 1 alone, truncated to its 3 steps, gives the same outputs and final state.
        var alone = Tensor<double>.FromArray(x.ToArray().AsSpan(10, 6).ToArray(), 1, 3, 2);
        var (yAlone, sAlone) = lstm.Forward(new Var<double>(alone));
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(yAlone.Value[0, t, j], y.Value[1, t, j], 12);
        for (int d = 0; d < 2; d++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(sAlone.H.Value[d, 0, j], state.H.Value[d, 1, j], 12);
                Assert.Equal(sAlone.C!.Value[d, 0, j], state.C!.Value[d, 1, j], 12);
            }
    }

    [Theory]
    [InlineData(RecurrentPath.Fused)]
    [InlineData(RecurrentPath.Composed)]
    public void Gru_TwoWindowsWithCarriedState_EqualOneLongRun(RecurrentPath path)
    {
        var rng = new SeededRng(4);
        var gru = new Gru<double>(3, 4, rng, new RecurrentOptions(NumLayers: 2, Path: path));
        var x = Tensor<double>.Normal([2, 6, 3], 0, 1, rng);
        var (yLong, hLong) = gru.Forward(new Var<double>(x));
        var first = new Var<double>(Tensor<double>.FromArray([.. x.ToArray()[0..9], .. x.ToArray()[18..27]], 2, 3, 3));
        var second = new Var<double>(Tensor<double>.FromArray([.. x.ToArray()[9..18], .. x.ToArray()[27..36]], 2, 3, 3));
        var (_, h1) = gru.Forward(first);
        var (y2, h2) = gru.Forward(second, h1.Detach());
        TensorAssert.AllClose(hLong.H.Value, h2.H.Value, 1e-12, 1e-12, "final state");
        Assert.Equal(yLong.Value[1, 5, 2], y2.Value[1, 2, 2], 12);
    }

    [Fact]
    public void Lstm_LossOnFinalStateOnly_FusedGradientsEqualComposed()
    {
        Tensor<double> GradX(RecurrentPath path)
        {
            var rng = new SeededRng(9);
            var lstm = new Lstm<double>(3, 4, rng, new RecurrentOptions(NumLayers: 2, Bidirectional: true, Path: path));
            var x = new Var<double>(Tensor<double>.Normal([2, 5, 3], 0, 1, rng), requiresGrad: true);
            var (_, s) = lstm.Forward(x, lengths: [5, 2]);
            Ops.Sum(s.C! * s.C!).Backward(); // the output sequence is not used at all
            return x.Grad!;
        }
        var fused = GradX(RecurrentPath.Fused);
        Assert.Contains(fused.ToArray(), v => v != 0);
        TensorAssert.AllClose(GradX(RecurrentPath.Composed), fused, 1e-10, 1e-12, "∂L/∂x");
    }

    [Fact]
    public void Gru_ForwardInNoGradScope_EqualsRecordedForward_AndRecordsNothing()
    {
        var rng = new SeededRng(10);
        var gru = new Gru<float>(5, 9, rng, new RecurrentOptions(NumLayers: 2, Bidirectional: true));
        var x = new Var<float>(Tensor<float>.Normal([3, 4, 5], 0f, 1f, rng), requiresGrad: true);
        var (recorded, _) = gru.Forward(x, lengths: [4, 1, 3]);
        for (int i = 0; i < 3; i++) // buffers go back to the pool after each untracked call
        {
            using var scope = new NoGradScope();
            var (y, h) = gru.Forward(x, lengths: [4, 1, 3]);
            Assert.Null(y.Creator);
            Assert.Null(h.H.Creator);
            TensorAssert.BitEqual<float>(recorded.Value.Span, y.Value.Span);
        }
    }

    [Fact]
    public void TruncatedBptt_DetachedState_StopsGradientAtWindowBoundary()
    {
        var rng = new SeededRng(5);
        var rnn = new Rnn<double>(2, 3, rng);
        var (_, h1) = rnn.Forward(new Var<double>(Tensor<double>.Normal([1, 4, 2], 0, 1, rng)));
        var carried = h1.Detach();
        var (y2, _) = rnn.Forward(new Var<double>(Tensor<double>.Normal([1, 4, 2], 0, 1, rng)), carried);
        Ops.Sum(y2).Backward();
        Assert.Null(carried.H.Grad);
        Assert.False(carried.H.RequiresGrad);
    }

    [Fact]
    public void Forward_BuffersPastOneArray_NameLayerAndInputShape()
    {
        // B·T·G·H = 1 · 2²⁰ · 4 · 512 = 2³¹ (wraps to int.MinValue): about 8 MB of input and weights, refused before any buffer.
        var lstm = new Lstm<float>(1, 512, new SeededRng(7));
        var x = new Var<float>(Tensor<float>.Zeros(1, 1 << 20, 1));
        var ex = Assert.Throws<ArgumentException>(() => lstm.Forward(x));
        Assert.StartsWith("Lstm.Forward: input (1, 1048576, 1) with H = 512 needs (B, T, 4·H) buffers: B·T·4·H = 1·1048576·4·512 = 2147483648 values exceed one array", ex.Message);
    }

    [Fact]
    public void Forward_BadShapes_NameLayerAndShapes()
    {
        var lstm = new Lstm<float>(4, 3, new SeededRng(6), new RecurrentOptions(NumLayers: 2));
        var x = new Var<float>(Tensor<float>.Zeros(2, 5, 4));
        var ex = Assert.Throws<ArgumentException>(() => lstm.Forward(new Var<float>(Tensor<float>.Zeros(2, 5, 3))));
        Assert.Contains("Lstm.Forward", ex.Message);
        Assert.Contains("(2, 5, 3)", ex.Message);
        var badState = new RecurrentState<float>(new Var<float>(Tensor<float>.Zeros(1, 2, 3)), new Var<float>(Tensor<float>.Zeros(2, 2, 3)));
        Assert.Contains("(2, 2, 3)", Assert.Throws<ArgumentException>(() => lstm.Forward(x, badState)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(x, lengths: [5, 6]));
        foreach (var path in new[] { RecurrentPath.Fused, RecurrentPath.Composed })
        {
            var gru = new Gru<float>(4, 3, new SeededRng(6), new RecurrentOptions(NumLayers: 2, Bidirectional: true, Path: path));
            Assert.Contains("Gru.Forward: expected at least one sequence of at least one step, got input (0, 5, 4)",
                Assert.Throws<ArgumentException>(() => gru.Forward(new Var<float>(Tensor<float>.Zeros(0, 5, 4)))).Message);
            Assert.Contains("(2, 0, 4)", Assert.Throws<ArgumentException>(() => gru.Forward(new Var<float>(Tensor<float>.Zeros(2, 0, 4)))).Message);
        }
    }

    [Fact]
    public void Dropout_InTraining_RequiresExplicitRng_AndIsOffInEval()
    {
        var rng = new SeededRng(7);
        var lstm = new Lstm<double>(2, 3, rng, new RecurrentOptions(NumLayers: 2, Dropout: 0.5));
        var x = new Var<double>(Tensor<double>.Normal([2, 3, 2], 0, 1, rng));
        Assert.Contains("dropoutRng", Assert.Throws<ArgumentException>(() => lstm.Forward(x)).Message);
        var (a, _) = lstm.Forward(x, dropoutRng: new SeededRng(1));
        var (b, _) = lstm.Forward(x, dropoutRng: new SeededRng(1));
        TensorAssert.BitEqual(a.Value.Span, b.Value.Span);
        var (c, _) = lstm.Forward(x, dropoutRng: new SeededRng(2));
        Assert.NotEqual(a.Value.ToArray(), c.Value.ToArray());
        lstm.Eval();
        var (e1, _) = lstm.Forward(x);
        var (e2, _) = lstm.Forward(x, dropoutRng: new SeededRng(2));
        TensorAssert.BitEqual(e1.Value.Span, e2.Value.Span);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fused_IsBitIdentical_WhateverThePoolSize(bool parallelSteps)
    {
        var rng = new SeededRng(8);
        var lstm = new Lstm<float>(8, 32, rng, new RecurrentOptions(NumLayers: 2, Bidirectional: true, ParallelSteps: parallelSteps));
        var x = Tensor<float>.Normal([4, 6, 8], 0f, 1f, rng);
        Tensor<float> Grad(SeqLearn.Kernels.WorkerPool? pool)
        {
            lstm.ZeroGrad();
            var xv = new Var<float>(x.Clone(), requiresGrad: true);
            var (y, s) = lstm.Forward(xv, lengths: [6, 2, 5, 6], pool: pool);
            (Ops.Sum(y * y) + Ops.Sum(s.C!)).Backward();
            return xv.Grad!;
        }
        var serial = Grad(null);
        var wIhSerial = lstm.Parameter("weight_ih_l1_reverse").Grad!.Clone();
        using var pool = new SeqLearn.Kernels.WorkerPool(2);
        TensorAssert.BitEqual<float>(serial.Span, Grad(pool).Span);
        TensorAssert.BitEqual<float>(wIhSerial.Span, lstm.Parameter("weight_ih_l1_reverse").Grad!.Span);
    }

    [Theory]
    [InlineData("lstm", 33, 37)]
    [InlineData("lstm", 7, 300)]
    [InlineData("gru", 33, 193)]
    [InlineData("gru", 7, 300)]
    [InlineData("rnn_tanh", 33, 193)]
    [InlineData("rnn_relu", 7, 300)]
    [InlineData("gru", 1, 65)]
    [InlineData("lstm", 33, 37, true)]
    [InlineData("lstm", 7, 300, true)]
    [InlineData("gru", 33, 193, true)]
    [InlineData("rnn_relu", 7, 300, true)]
    public void Fused_RowSequences_BitIdenticalWhateverThePoolSize(string cell, int batch, int hidden, bool vector128 = false)
    {
        // vector128: the same on the ARM64 path (KernelPath.Vector128, forced here), 6 × 16 tiles and 128-bit gate kernels.
        // On a pool with a packed W_hh of at most FusedRecurrentSteps.RowSequencesMaxPackedBytes the whole time loop of
        // each direction is one pool call over blocks of batch rows (RowSequences: LSTM 37, GRU 193, both RNNs); above
        // it (LSTM and GRU at 300), with one row or without a pool the steps run one by one, each step's GEMM split by
        // columns. Odd sizes leave ragged row blocks, ragged GEMM tiles and dot-product columns; ragged lengths leave
        // rows that stop early in both directions.
        var rng = new SeededRng(9);
        var options = new RecurrentOptions(NumLayers: 2, Bidirectional: true) { Kernels = vector128 ? SeqLearn.Kernels.KernelPath.Vector128 : null };
        var x = Tensor<float>.Normal([batch, 4, 5], 0f, 1f, rng);
        int[] lengths = [.. Enumerable.Range(0, batch).Select(b => 1 + b % 4)];
        (Tensor<float> Y, Tensor<float> Dx, Tensor<float> DWhh) Run(SeqLearn.Kernels.WorkerPool? pool)
        {
            var layerRng = new SeededRng(10);
            var xv = new Var<float>(x.Clone(), requiresGrad: true);
            RecurrentLayer<float> layer = cell switch
            {
                "lstm" => new Lstm<float>(5, hidden, layerRng, options),
                "gru" => new Gru<float>(5, hidden, layerRng, options),
                _ => new Rnn<float>(5, hidden, layerRng, options, cell == "rnn_relu" ? ActivationFunction.Relu : ActivationFunction.Tanh),
            };
            var (y, state) = layer.Forward(xv, lengths: lengths, pool: pool);
            var loss = Ops.Sum(y * y) + Ops.Sum(state.H);
            if (state.C is not null) loss += Ops.Sum(state.C);
            loss.Backward();
            return (y.Value, xv.Grad!, layer.Parameter("weight_hh_l0_reverse").Grad!.Clone());
        }
        var serial = Run(null);
        foreach (int threads in new[] { 2, 3 })
        {
            using var pool = new SeqLearn.Kernels.WorkerPool(threads);
            var parallel = Run(pool);
            TensorAssert.BitEqual<float>(serial.Y.Span, parallel.Y.Span);
            TensorAssert.BitEqual<float>(serial.Dx.Span, parallel.Dx.Span);
            TensorAssert.BitEqual<float>(serial.DWhh.Span, parallel.DWhh.Span);
        }
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, typeof(Lstm<float>), 4, true)]
    [InlineData(RecurrentCell.Gru, typeof(Gru<float>), 3, false)]
    [InlineData(RecurrentCell.Rnn, typeof(Rnn<float>), 1, false)]
    [InlineData(RecurrentCell.RnnRelu, typeof(Rnn<float>), 1, false)]
    public void Create_BuildsTheCellsLayer_WithItsGatesAndState(RecurrentCell cell, Type type, int gates, bool hasC)
    {
        var layer = RecurrentLayer<float>.Create(cell, 5, 6, new SeededRng(11), new RecurrentOptions(NumLayers: 2, Bidirectional: true));
        Assert.IsType(type, layer);
        Assert.Equal(cell, layer.Cell);
        Assert.Equal(hasC, layer.HasCellState);
        Assert.Equal($"({gates * 6}, 5)", layer.Parameter("weight_ih_l0").Value.ShapeString);
        var zero = layer.InitialState(3);
        Assert.Equal("(4, 3, 6)", zero.H.Value.ShapeString);
        Assert.Equal(hasC, zero.C is not null);
        Assert.Equal(3, zero.BatchSize);

        // The zero state is what a missing state means.
        var x = new Var<float>(Tensor<float>.Normal([3, 4, 5], 0f, 1f, new SeededRng(12)));
        var (yDefault, sDefault) = layer.Forward(x);
        var (yZero, sZero) = layer.Forward(x, zero);
        TensorAssert.BitEqual<float>(yDefault.Value.Span, yZero.Value.Span);
        TensorAssert.BitEqual<float>(sDefault.H.Value.Span, sZero.H.Value.Span);
        Assert.Equal(hasC, sZero.C is not null);
    }

    [Fact]
    public void Rnn_Nonlinearity_IsTanhOrRelu()
    {
        Assert.Equal(RecurrentCell.RnnRelu, new Rnn<float>(2, 3, new SeededRng(1), nonlinearity: ActivationFunction.Relu).Cell);
        Assert.Equal(ActivationFunction.Tanh, new Rnn<float>(2, 3, new SeededRng(1)).Nonlinearity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rnn<float>(2, 3, new SeededRng(1), nonlinearity: ActivationFunction.Sigmoid));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RnnCell<float>(2, 3, new SeededRng(1), ActivationFunction.Sigmoid));
    }

    [Fact]
    public void Forward_StateWithoutCOrWithAnExtraC_IsRejected()
    {
        var x = new Var<float>(Tensor<float>.Zeros(2, 3, 4));
        var h = new Var<float>(Tensor<float>.Zeros(1, 2, 5));
        var lstm = new Lstm<float>(4, 5, new SeededRng(1));
        Assert.Contains("needs c", Assert.Throws<ArgumentException>(() => lstm.Forward(x, new RecurrentState<float>(h))).Message);
        var gru = new Gru<float>(4, 5, new SeededRng(1));
        Assert.Contains("has no c", Assert.Throws<ArgumentException>(() => gru.Forward(x, new RecurrentState<float>(h, h))).Message);
    }

    [Fact]
    public void Constructors_HiddenSizesWhoseWeightsCannotBeATensor_AndNaNDropout_AreRefused()
    {
        var rng = new SeededRng(1);
        // 4 · 2^30 wraps to 0 in int: the check must see G·H before any weight is drawn.
        var layer = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm<float>(1, 1 << 30, rng));
        Assert.Equal("hiddenSize", layer.ParamName);
        Assert.Contains("hidden size 1073741824 with 4 gate(s) makes a weight matrix of 4294967296 × 1073741824", layer.Message);
        Assert.Equal("hiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Gru<float>(1, 1 << 30, rng)).ParamName);
        Assert.Equal("hiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => new LstmCell<float>(1, 1 << 29, rng)).ParamName);
        Assert.Equal("hiddenSize", Assert.Throws<ArgumentOutOfRangeException>(() => new RnnCell<float>(70000, 40000, rng)).ParamName);
        // Bidirectional: layer 2 reads 2H inputs.
        var bi = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm<float>(1, 1 << 14, rng, new RecurrentOptions(NumLayers: 2, Bidirectional: true)));
        Assert.Contains("hidden size 16384 with 4 gate(s) makes a weight matrix of 65536 × 32768 = 2147483648 elements", bi.Message);
        var nan = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm<float>(2, 3, rng, new RecurrentOptions(Dropout: double.NaN)));
        Assert.StartsWith("Lstm: dropout must be in [0, 1), got NaN", nan.Message);
        var path = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru<float>(2, 3, rng, new RecurrentOptions(Path: (RecurrentPath)7)));
        Assert.StartsWith("Gru: 7 is not a RecurrentPath", path.Message);
    }

    [Fact]
    public void WeightsOf_LayerOrDirectionOutsideTheStack_ThrowsNamingTheRange()
    {
        var lstm = new Lstm<float>(3, 4, new SeededRng(1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.WeightsOf(5, 0));
        Assert.Equal("layer", e.ParamName);
        Assert.Contains("Lstm.WeightsOf: layer 5 is outside [0, 1)", e.Message);
        Assert.Equal("direction", Assert.Throws<ArgumentOutOfRangeException>(() => lstm.WeightsOf(0, 1)).ParamName);
        Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => lstm.WeightsOf(-1, 0)).ParamName);
    }
}
