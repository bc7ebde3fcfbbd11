using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Globalization;
using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;

namespace SeqLearn.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Engine.Benchmarks -- experiment vanishing</c>: the teaching experiment of
/// docs/rnn.md. Part 1 measures ‖∂L/∂h_t‖ over a 200-step sequence for RNN (tanh), LSTM and GRU cells with
/// PyTorch's default init, where L depends only on the last state. Part 2 trains a deliberately exploding ReLU RNN
/// (W_hh = 1.05·I) with plain SGD, with and without global-norm gradient clipping. Prints markdown tables.
/// Everything is seeded; the output is the same on every run.
/// </summary>
public static class VanishingExperiment
{
    private const int Steps = 200, Batch = 8, Input = 8, Hidden = 32;

    /// <summary>Runs both parts.</summary>
    public static int Run()
    {
        GradientNormsOverTime();
        Console.WriteLine();
        ClippingOnExplodingRnn();
        return 0;
    }

    private static void GradientNormsOverTime()
    {
        int[] distances = [0, 1, 5, 10, 25, 50, 100, 150, 199];
        var norms = new Dictionary<string, double[]>
        {
            ["RNN (tanh)"] = NormsFor("rnn"),
            ["LSTM"] = NormsFor("lstm"),
            ["GRU"] = NormsFor("gru"),
            ["LSTM, forget bias 3"] = NormsFor("lstm", forgetBias: 3),
        };
        Console.WriteLine($"‖∂L/∂h_t‖ for L = Σ w ⊙ h_T, T = {Steps}, B = {Batch}, E = {Input}, H = {Hidden}, default init U(−1/√H, 1/√H), x ~ N(0, 1)");
        Console.WriteLine();
        Console.WriteLine("| steps back (T − t) | " + string.Join(" | ", norms.Keys) + " |");
        Console.WriteLine("|---:|" + string.Concat(norms.Keys.Select(_ => "---:|")));
        foreach (int k in distances)
            Console.WriteLine($"| {k} | " + string.Join(" | ", norms.Values.Select(n => n[Steps - 1 - k].ToString("0.00e+00", CultureInfo.InvariantCulture))) + " |");
    }

    /// <summary>
    /// Runs the cell over the sequence, adding a zero "probe" leaf p_t to every state: h_t + p_t has the same
    /// value, and ∂L/∂p_t = ∂L/∂h_t is kept (intermediate values' gradients are not).
    /// </summary>
    /// <remarks><paramref name="forgetBias"/> overrides b_if (the forget-gate part of b_ih; b_hf stays random).</remarks>
    private static double[] NormsFor(string cell, double? forgetBias = null)
    {
        var rng = new SeededRng(7);
        var xs = Enumerable.Range(0, Steps).Select(_ => new Var<double>(Tensor<double>.Normal([Batch, Input], 0, 1, rng))).ToArray();
        var probes = Enumerable.Range(0, Steps).Select(_ => new Var<double>(Tensor<double>.Zeros(Batch, Hidden), requiresGrad: true)).ToArray();
        var h = new Var<double>(Tensor<double>.Zeros(Batch, Hidden));
        var c = new Var<double>(Tensor<double>.Zeros(Batch, Hidden));
        var cellRng = new SeededRng(11);
        var lstm = new LstmCell<double>(Input, Hidden, cellRng);
        var gru = new GruCell<double>(Input, Hidden, cellRng);
        var rnn = new RnnCell<double>(Input, Hidden, cellRng);
        if (forgetBias is double bf) lstm.Weights.BiasIh.Value.Span.Slice(Hidden, Hidden).Fill(bf);
        for (int t = 0; t < Steps; t++)
        {
            switch (cell)
            {
                case "lstm":
                    var s = lstm.Step(xs[t], new RecurrentState<double>(h, c));
                    (h, c) = (s.H + probes[t], s.C!);
                    break;
                case "gru": h = gru.Step(xs[t], h) + probes[t]; break;
                default: h = rnn.Step(xs[t], h) + probes[t]; break;
            }
        }
        var w = new Var<double>(Tensor<double>.Normal([Batch, Hidden], 0, 1, new SeededRng(3)));
        Ops.Sum(h * w).Backward();
        return probes.Select(p => Math.Sqrt(TensorPrimitives.SumOfSquares<double>(p.Grad!.Span))).ToArray();
    }

    private static void ClippingOnExplodingRnn()
    {
        const double Lr = 0.01, MaxNorm = 1.0;
        const int TrainSteps = 30, T = 100;
        Console.WriteLine($"Exploding ReLU RNN (E = 4, H = 16, W_hh = 1.05·I, T = {T}), SGD lr = {Lr}, loss = MSE(Linear(h_T), target); clip = global norm {MaxNorm}");
        Console.WriteLine();
        Console.WriteLine("| SGD step | ‖g‖ (no clip) | loss (no clip) | ‖g‖ before clip | loss (clipped) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var plain = new ExplodingTask();
        var clipped = new ExplodingTask();
        for (int step = 0; step < TrainSteps; step++)
        {
            var (lossA, normA) = plain.Step(Lr, maxNorm: null);
            var (lossB, normB) = clipped.Step(Lr, MaxNorm);
            if (step < 5 || step % 5 == 4)
                Console.WriteLine($"| {step + 1} | {F(normA)} | {F(lossA)} | {F(normB)} | {F(lossB)} |");
        }
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.000e+00", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A fixed regression batch and a freshly initialised model (same seed for both runs).</summary>
    private sealed class ExplodingTask
    {
        private readonly Rnn<double> _rnn;
        private readonly Linear<double> _head;
        private readonly Var<double> _x, _target;

        public ExplodingTask()
        {
            var rng = new SeededRng(5);
            _rnn = new Rnn<double>(4, 16, rng, nonlinearity: ActivationFunction.Relu);
            var whh = _rnn.Parameter("weight_hh_l0").Value;
            whh.Span.Clear();
            for (int i = 0; i < 16; i++) whh[i, i] = 1.05;
            _head = new Linear<double>(16, 1, rng);
            _x = new Var<double>(Tensor<double>.Normal([8, 100, 4], 0, 1, rng));
            _target = new Var<double>(Tensor<double>.Normal([8, 1], 0, 1, rng));
        }

        /// <summary>One SGD step; returns the loss before the step and the global gradient norm (before clipping).</summary>
        public (double Loss, double Norm) Step(double lr, double? maxNorm)
        {
            var parameters = _rnn.Parameters().Concat(_head.Parameters()).ToList();
            foreach (var p in parameters) p.ZeroGrad();
            var (_, final) = _rnn.Forward(_x);
            var diff = _head.Forward(Ops.Reshape(final.H, 8, 16)) - _target;
            var loss = Ops.Mean(diff * diff);
            loss.Backward();
            // The library's clipping, as a training loop would call it: the norm it returns is the one before clipping.
            double norm = maxNorm is double m ? GradClip.ClipGradNorm(parameters, m).TotalNorm : GradClip.GlobalNorm(parameters);
            foreach (var p in parameters)
                for (int i = 0; i < p.Value.Length; i++)
                    p.Value.Span[i] -= lr * p.Grad!.Span[i];
            return (loss.Value.Span[0], norm);
        }
    }
}
