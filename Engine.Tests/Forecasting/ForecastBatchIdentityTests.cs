using FsCheck;
using FsCheck.Fluent;
using SeqLearn.Autograd;
using SeqLearn.Forecasting;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Forecasting;

/// <summary>
/// docs/training.md §4 and docs/forecasting.md for the recurrent forecaster: a window forecast alone (a batch of one,
/// as <see cref="RecurrentForecaster.ForecastPath(ReadOnlySpan{double})"/> runs it) gives the bits it gets inside a batch
/// (as <see cref="WindowRegressionTask{T}.PredictAll"/> and the training batches run it), with the gradient of a loss
/// that reads only that window, at any B·T (the network gives its recurrent layer lengths, all T, so the weight gradients
/// sum whole windows per GEMM k slice: docs/masking.md §3.4); the batch gives the same bits on 1, 2 and 3 threads; and a
/// fitted forecaster and a seed ensemble forecast the same on any thread count.
/// </summary>
public class ForecastBatchIdentityTests
{
    internal sealed record Case(RecurrentCell Cell, int Layers, int Hidden, int LookBack, bool Calendar, int Outputs, bool LinearPath, int Batch, int Threads, int Seed)
    {
        public int Features => Calendar ? 3 : 1;
    }

    private static Arbitrary<Case> Cases() =>
        (from cell in Gen.Elements(RecurrentCell.Lstm, RecurrentCell.Gru, RecurrentCell.Rnn)
         from layers in Gen.Choose(1, 2)
         from hidden in Gen.Elements(1, 3, 8, 17)
         from lookBack in Gen.Elements(1, 2, 5, 12, 24, 31)
         from calendar in Gen.Elements(false, true)
         from outputs in Gen.Choose(1, 4)
         from linear in Gen.Elements(false, true)
         from batch in Gen.Choose(2, 40)
         from threads in Gen.Choose(2, 3)
         from seed in Gen.Choose(0, 1_000_000)
         select new Case(cell, layers, hidden, lookBack, calendar, outputs, linear, batch, threads, seed)).ToArbitrary();

    // The output of window `row` of x and the gradients of its MSE against its own targets (window `row` of y); with
    // `lengths` the context carries them (all T), as a caller may give them, else the network supplies them itself.
    private static (Tensor<float> Out, Tensor<float>[] Grads) Run(RecurrentForecastNetwork<float> net, Tensor<float> x, int row, Tensor<float> y, int targetRow,
        WorkerPool? pool, bool lengths = false)
    {
        net.ZeroGrad();
        int[]? len = lengths ? [.. Enumerable.Repeat(x.Dim(1), x.Dim(0))] : null;
        var prediction = net.Forward(new Var<float>(x), new LayerContext(Pool: pool, Lengths: len));
        int k = prediction.Value.Dim(1);
        var mine = Ops.Slice(prediction, 0, row, 1);                                  // (1, K): the other windows' outputs are not read
        var target = new Var<float>(Tensor<float>.FromArray(y.Span.Slice(targetRow * k, k).ToArray(), 1, k));
        Ops.MseLoss(mine, target).Backward();
        return (mine.Value.Clone(), [.. net.Parameters().Select(p => p.Grad!.Clone())]);
    }

    private static Tensor<float> Row(Tensor<float> x, int row) =>
        Tensor<float>.FromArray(x.Span.Slice(row * x.Dim(1) * x.Dim(2), x.Dim(1) * x.Dim(2)).ToArray(), 1, x.Dim(1), x.Dim(2));

    [Fact]
    public void WindowAloneEqualsWindowInABatch_OutputAndGradients_AndThreadsDoNotChangeTheBatch()
    {
        Check.One(FsCheckReplay.Fixed(20261207, 200), Prop.ForAll(Cases(), c =>
        {
            var net = new RecurrentForecastNetwork<float>(c.Cell, c.LookBack, c.Features, c.Hidden, c.Layers, c.Outputs, c.LinearPath, new SeededRng((ulong)c.Seed));
            if (c.LinearPath)   // A starts at zero; give it values so the path is exercised
                Tensor<float>.Uniform([c.Outputs, c.LookBack * c.Features], -0.5f, 0.5f, new SeededRng((ulong)c.Seed + 1)).Span.CopyTo(net.Parameter("ar.weight").Value.Span);
            net.Eval();
            var x = Tensor<float>.Uniform([c.Batch, c.LookBack, c.Features], -2, 2, new SeededRng((ulong)c.Seed + 2));
            var y = Tensor<float>.Uniform([c.Batch, c.Outputs], -1, 1, new SeededRng((ulong)c.Seed + 3));
            var rng = new SeededRng((ulong)c.Seed + 4);
            using var pool = new WorkerPool(c.Threads);
            var names = net.NamedParameters().Select(p => p.Key).ToArray();
            foreach (int row in new[] { 0, c.Batch - 1, rng.NextInt(c.Batch) }.Distinct())
            {
                string what = $"{c}, window {row}";
                var alone = Run(net, Row(x, row), 0, y, row, null);
                foreach (var p in new[] { null, pool })
                    foreach (bool lengths in new[] { false, true })
                    {
                        var batched = Run(net, x, row, y, row, p, lengths);
                        string where = $"{what} on {(p is null ? 1 : c.Threads)} threads, lengths {lengths}";
                        TensorAssert.BitEqual<float>(alone.Out.Span, batched.Out.Span, $"{where}: output");
                        for (int i = 0; i < names.Length; i++)
                            TensorAssert.BitEqual<float>(alone.Grads[i].Span, batched.Grads[i].Span, $"{where}: gradient of {names[i]}");
                    }
            }
            // The whole batch's MSE and gradients: 1 thread vs c.Threads.
            (float Loss, Tensor<float>[] Grads) Whole(WorkerPool? p)
            {
                net.ZeroGrad();
                var loss = Ops.MseLoss(net.Forward(new Var<float>(x), new LayerContext(Pool: p)), new Var<float>(y));
                loss.Backward();
                return (loss.Value.Span[0], [.. net.Parameters().Select(q => q.Grad!.Clone())]);
            }
            var (one, many) = (Whole(null), Whole(pool));
            Assert.Equal(BitConverter.SingleToInt32Bits(one.Loss), BitConverter.SingleToInt32Bits(many.Loss));
            for (int i = 0; i < names.Length; i++)
                TensorAssert.BitEqual<float>(one.Grads[i].Span, many.Grads[i].Span, $"{c}: batch gradient of {names[i]}, 1 vs {c.Threads} threads");
        }));
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 22, 31)]
    [InlineData(RecurrentCell.Gru, 22, 31)]
    [InlineData(RecurrentCell.Lstm, 32, 24)]   // the forecaster's defaults: B·T = 768, windows straddle k = 256 and 512
    [InlineData(RecurrentCell.Gru, 32, 24)]
    public void EveryWindowOfALargeBatch_GradientsAsAlone_WhenTDoesNotDivide256(RecurrentCell cell, int batch, int lookBack)
    {
        // B·T > 320 and T ∤ 256: one GEMM over all B·T rows would cut some windows' terms at a k-slice edge
        // (measured: 1 ulp in ∂W at B = 22, T = 31). The default context, as WindowRegressionTask and RecurrentForecaster
        // pass it, carries no lengths.
        var net = new RecurrentForecastNetwork<float>(cell, lookBack, 1, 32, 1, 1, linearPath: false, new SeededRng(11));
        net.Eval();
        var x = Tensor<float>.Uniform([batch, lookBack, 1], -2, 2, new SeededRng(12));
        var y = Tensor<float>.Uniform([batch, 1], -1, 1, new SeededRng(13));
        var names = net.NamedParameters().Select(p => p.Key).ToArray();
        for (int row = 0; row < batch; row++)
        {
            var alone = Run(net, Row(x, row), 0, y, row, null);
            var batched = Run(net, x, row, y, row, null);
            TensorAssert.BitEqual<float>(alone.Out.Span, batched.Out.Span, $"window {row}: output");
            for (int i = 0; i < names.Length; i++)
                TensorAssert.BitEqual<float>(alone.Grads[i].Span, batched.Grads[i].Span, $"{cell} B = {batch}, T = {lookBack}, window {row}: gradient of {names[i]}");
        }
    }

    [Fact]
    public void PredictAll_EachWindowIsItsForecastAlone()
    {
        // The evaluation batches of the task (B = 5 over 13 windows: a last batch of 3) against one forward per window.
        var net = new RecurrentForecastNetwork<float>(RecurrentCell.Lstm, 6, 3, 7, 2, 2, linearPath: true, new SeededRng(5));
        net.Eval();
        var x = Tensor<float>.Uniform([13, 6, 3], -1, 1, new SeededRng(6)).ToArray();
        var y = Tensor<float>.Uniform([13, 2], -1, 1, new SeededRng(7)).ToArray();
        var data = new WindowSet<float>(x, y, 6, 3, 2);
        var task = new WindowRegressionTask<float>(net, data, null, 5, 1);
        using var pool = new WorkerPool(3);
        float[] batched;
        using (new NoGradScope()) batched = task.PredictAll(data, pool);
        for (int n = 0; n < 13; n++)
        {
            var alone = net.Forward(new Var<float>(Row(Tensor<float>.FromArray(x, 13, 6, 3), n)), LayerContext.None).Value;
            TensorAssert.BitEqual<float>(alone.Span, batched.AsSpan(n * 2, 2), $"window {n}");
        }
    }

    private static readonly string[] Months = [.. Enumerable.Range(0, 80).Select(i => new DateOnly(2000, 1, 1).AddMonths(i).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))];
    private static readonly double[] Wave = [.. Enumerable.Range(0, 80).Select(i => Math.Round(20 + 5 * Math.Sin(i * 0.45) + 0.1 * i, 4))];

    [Theory]
    [InlineData(ForecastStrategy.Recursive)]
    [InlineData(ForecastStrategy.Direct)]
    public void SeedEnsemble_StackedLstmWithCalendarAndLinearPath_IsBitIdenticalOnOneTwoAndThreeThreads(ForecastStrategy strategy)
    {
        // Training batches of 32 windows of T = 23: B·T = 736 spans several GEMM k slices, rows across their edges.
        var series = new TimeSeries("wave", "y", Months, Wave);
        var protocol = ForecastProtocol.Parse("last:12");
        var options = new RecurrentForecasterOptions(RecurrentCell.Lstm, Hidden: 5, Layers: 2, LookBack: 23, MaxSteps: 12, BatchSize: 32,
            LinearPath: true, Calendar: CalendarFeatures.MonthOfYear);
        var transform = TransformedForecaster.ParsePipeline("diff1");
        NeuralForecastResult Run(int threads)
        {
            using var pool = new WorkerPool(threads);
            return NeuralForecastEvaluation.Evaluate(series, protocol, options, transform, 2, pool, horizon: 3, strategy: strategy);
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var other = Run(threads);
            Assert.Equal(one.EnsembleForecasts, other.EnsembleForecasts);
            Assert.Equal(one.Row, other.Row);
            Assert.Equal(one.Ensemble, other.Ensemble);
        }
    }
}
