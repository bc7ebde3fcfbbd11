using SeqLearn.Autograd;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Optim;

/// <summary>
/// Each optimizer against its equations evaluated here in double, element by element, for a few steps on
/// small tensors with seeded gradients (the code under test is never used to compute an expectation).
/// </summary>
public class OptimizerFormulaTests
{
    private const int Steps = 4;

    private static (Var<double>[] Params, double[][] Theta, double[][][] Grads) Setup(ulong seed)
    {
        var rng = new SeededRng(seed);
        int[][] shapes = [[2, 3], [5]];
        var ps = shapes.Select((s, i) => new Var<double>(Tensor<double>.Normal(s, 0, 1, rng), requiresGrad: true, name: $"w{i}")).ToArray();
        var theta = ps.Select(p => p.Value.ToArray()).ToArray();
        var grads = Enumerable.Range(0, Steps)
            .Select(_ => ps.Select(p => Enumerable.Range(0, p.Value.Length).Select(_ => rng.NextNormal()).ToArray()).ToArray())
            .ToArray();
        return (ps, theta, grads);
    }

    private static void SetGrads(Var<double>[] ps, double[][] g)
    {
        for (int p = 0; p < ps.Length; p++) ps[p].Grad = Tensor<double>.FromArray((double[])g[p].Clone(), ps[p].Value.ShapeArray());
    }

    [Theory]
    [InlineData(0.0, 0.0, false, 0.0)]
    [InlineData(0.9, 0.0, false, 0.0)]
    [InlineData(0.9, 0.3, false, 0.05)]
    [InlineData(0.8, 0.0, true, 0.02)]
    public void Sgd_MatchesFormulas(double mu, double tau, bool nesterov, double lambda)
    {
        const double eta = 0.1;
        var (ps, theta, grads) = Setup(7);
        var opt = new Sgd<double>(ps, eta, mu, tau, nesterov, lambda);
        var b = theta.Select(t => new double[t.Length]).ToArray();
        for (int t = 0; t < Steps; t++)
        {
            SetGrads(ps, grads[t]);
            opt.Step();
            for (int p = 0; p < ps.Length; p++)
                for (int i = 0; i < theta[p].Length; i++)
                {
                    double g = grads[t][p][i] + lambda * theta[p][i];
                    b[p][i] = t == 0 ? g : mu * b[p][i] + (1 - tau) * g;
                    double d = mu == 0 ? g : nesterov ? g + mu * b[p][i] : b[p][i];
                    theta[p][i] -= eta * d;
                }
            for (int p = 0; p < ps.Length; p++)
                TensorAssert.AllClose<double>(theta[p], ps[p].Value.Span, 1e-12, 1e-14, $"SGD step {t + 1}, w{p}");
        }
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    public void AdamFamily_MatchesFormulas(bool decoupled, double lambda)
    {
        const double eta = 0.01, beta1 = 0.9, beta2 = 0.99, eps = 1e-8;
        var (ps, theta, grads) = Setup(11);
        Optimizer<double> opt = decoupled
            ? new AdamW<double>(ps, eta, beta1, beta2, eps, lambda)
            : new Adam<double>(ps, eta, beta1, beta2, eps, lambda);
        var m = theta.Select(x => new double[x.Length]).ToArray();
        var v = theta.Select(x => new double[x.Length]).ToArray();
        for (int t = 1; t <= Steps; t++)
        {
            SetGrads(ps, grads[t - 1]);
            opt.Step();
            for (int p = 0; p < ps.Length; p++)
                for (int i = 0; i < theta[p].Length; i++)
                {
                    double g = grads[t - 1][p][i];
                    if (decoupled) theta[p][i] *= 1 - eta * lambda;
                    else g += lambda * theta[p][i];
                    m[p][i] = beta1 * m[p][i] + (1 - beta1) * g;
                    v[p][i] = beta2 * v[p][i] + (1 - beta2) * g * g;
                    double mHat = m[p][i] / (1 - Math.Pow(beta1, t));
                    double vHat = v[p][i] / (1 - Math.Pow(beta2, t));
                    theta[p][i] -= eta * mHat / (Math.Sqrt(vHat) + eps);
                }
            for (int p = 0; p < ps.Length; p++)
                TensorAssert.AllClose<double>(theta[p], ps[p].Value.Span, 1e-10, 1e-12, $"{opt.Kind} step {t}, w{p}");
        }
    }

    [Fact]
    public void Step_ParameterWithNullGrad_IsSkippedAndKeepsItsState()
    {
        var (ps, _, grads) = Setup(3);
        var opt = new Adam<double>(ps, 0.1);
        var before = ps[1].Value.ToArray();
        ps[0].Grad = Tensor<double>.FromArray(grads[0][0], 2, 3);
        opt.Step();
        Assert.Equal(before, ps[1].Value.ToArray());
        var state = opt.ExportState();
        Assert.Equal(1, state.Parameters[0].Step);
        Assert.Equal(0, state.Parameters[1].Step);
        Assert.Null(state.Parameters[1].ExpAvg);
    }

    [Fact]
    public void Constructor_SameVarTwice_IsRejected()
    {
        var (ps, _, _) = Setup(2);
        var e = Assert.Throws<ArgumentException>(() => new Adam<double>([ps[0], ps[1], ps[0]]));
        Assert.Contains("parameter 2 (w0) is the same Var as parameter 0", e.Message);
    }

    [Fact]
    public void ZeroGrad_ClearsEveryGradient()
    {
        var (ps, _, grads) = Setup(5);
        SetGrads(ps, grads[0]);
        new Sgd<double>(ps, 0.1).ZeroGrad();
        Assert.All(ps, p => Assert.All(p.Grad!.ToArray(), x => Assert.Equal(0.0, x)));
    }

    public static TheoryData<string> Kinds => new() { "sgd", "adam", "adamw" };

    private static Optimizer<double> Make(string kind, IReadOnlyList<Var<double>> ps) => kind switch
    {
        "sgd" => new Sgd<double>(ps, 0.1, momentum: 0.9, nesterov: true),
        "adam" => new Adam<double>(ps, 0.05, weightDecay: 0.01),
        _ => new AdamW<double>(ps, 0.05),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ExportImport_ResumedRunIsBitIdentical(string kind)
    {
        var (a, _, grads) = Setup(21);
        var (b, _, _) = Setup(21);
        var optA = Make(kind, a);
        var optB = Make(kind, b);
        for (int t = 0; t < 2; t++) { SetGrads(a, grads[t]); optA.Step(); SetGrads(b, grads[t]); optB.Step(); }
        var (c, _, _) = Setup(99);
        for (int p = 0; p < c.Length; p++) b[p].Value.Span.CopyTo(c[p].Value.Span);
        var optC = Make(kind, c);
        optC.ImportState(optB.ExportState());
        for (int t = 2; t < Steps; t++) { SetGrads(a, grads[t]); optA.Step(); SetGrads(c, grads[t]); optC.Step(); }
        for (int p = 0; p < a.Length; p++) TensorAssert.BitEqual<double>(a[p].Value.Span, c[p].Value.Span, $"{kind} w{p}");
    }

    [Fact]
    public void ImportState_FromAnotherAlgorithm_NamesBoth()
    {
        var (ps, _, _) = Setup(1);
        var e = Assert.Throws<ArgumentException>(() => new Adam<double>(ps).ImportState(new Sgd<double>(ps, 0.1).ExportState()));
        Assert.Contains("Sgd", e.Message);
        Assert.Contains("Adam", e.Message);
    }

    [Fact]
    public void ImportState_WrongBufferShape_NamesParameterAndShapes()
    {
        var (ps, _, grads) = Setup(1);
        var opt = new Sgd<double>(ps, 0.1, momentum: 0.5);
        var bad = new OptimizerState<double>(OptimizerKind.Sgd, 0.1,
            [new ParameterState<double>(1, MomentumBuffer: Tensor<double>.Zeros(3, 2)), new ParameterState<double>(0)]);
        var e = Assert.Throws<ArgumentException>(() => opt.ImportState(bad));
        Assert.Contains("w0.momentum_buffer", e.Message);
        Assert.Contains("(3, 2)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        _ = grads;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Optimizer_MinimisesAQuadratic(string kind)
    {
        // f(θ) = ½ Σ a_i (θ_i − c_i)², ∇f = a ⊙ (θ − c), minimum at θ = c.
        double[] a = [1.0, 3.0, 0.5, 2.0];
        double[] c = [1.5, -2.0, 0.25, 4.0];
        var theta = new Var<double>(Tensor<double>.Zeros(4), requiresGrad: true, name: "theta");
        // No weight decay here: it would move the minimum away from c.
        Optimizer<double> opt = kind switch
        {
            "sgd" => new Sgd<double>([theta], 0.05, momentum: 0.9, nesterov: true),
            "adam" => new Adam<double>([theta], 0.05),
            _ => new AdamW<double>([theta], 0.05, weightDecay: 0),
        };
        double F() => Enumerable.Range(0, 4).Sum(i => 0.5 * a[i] * Math.Pow(theta.Value.Span[i] - c[i], 2));
        double f0 = F();
        for (int step = 0; step < 1500; step++)
        {
            var g = new double[4];
            for (int i = 0; i < 4; i++) g[i] = a[i] * (theta.Value.Span[i] - c[i]);
            theta.Grad = Tensor<double>.FromArray(g, 4);
            opt.Step();
        }
        Assert.True(F() < 1e-6 * f0, $"{kind}: f went from {f0} to {F()}");
        TensorAssert.AllClose<double>(c, theta.Value.Span, 0, 1e-3, kind);
    }

    [Fact]
    public void AdamAndAdamW_OnAPool_BitIdenticalToOneThread()
    {
        // Parameters larger than one work item (AdamCore.ChunkSize), an odd tail, an empty one and one without a gradient.
        using var pool = new SeqLearn.Kernels.WorkerPool(2);
        int[] sizes = [70_001, 3, 0, 32_768, 5];
        foreach (bool decoupled in new[] { false, true })
        {
            Var<float>[] Make()
            {
                var rng = new SeededRng(11);
                var ps = sizes.Select((n, i) => new Var<float>(Tensor<float>.Normal([n], 0, 1, rng), requiresGrad: true, name: $"p{i}")).ToArray();
                foreach (var p in ps.Where((_, i) => i != 4)) p.Grad = Tensor<float>.Normal(p.Value.ShapeArray(), 0, 1, rng);
                return ps;
            }
            var (serial, parallel) = (Make(), Make());
            Optimizer<float> a = decoupled ? new AdamW<float>(serial, 1e-2, weightDecay: 0.1) : new Adam<float>(serial, 1e-2, weightDecay: 0.1);
            Optimizer<float> b = decoupled ? new AdamW<float>(parallel, 1e-2, weightDecay: 0.1) { Pool = pool } : new Adam<float>(parallel, 1e-2, weightDecay: 0.1) { Pool = pool };
            for (int step = 0; step < 3; step++) { a.Step(); b.Step(); }
            for (int p = 0; p < sizes.Length; p++)
                TensorAssert.BitEqual<float>(serial[p].Value.Span, parallel[p].Value.Span, $"{(decoupled ? "AdamW" : "Adam")} parameter {p}");
            Assert.NotEqual(Make()[0].Value.Span[0], serial[0].Value.Span[0]);          // the step did update
            TensorAssert.BitEqual<float>(Make()[4].Value.Span, serial[4].Value.Span, "no gradient: untouched");
        }
    }

    [Fact]
    public void Constructor_NonFiniteOrOutOfRangeHyperparameters_AreRejected()
    {
        var (ps, _, _) = Setup(2);
        Assert.Equal("dampening", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, 0.1, momentum: 0.9, dampening: double.NaN)).ParamName);
        Assert.Equal("dampening", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, 0.1, momentum: 0.9, dampening: double.PositiveInfinity)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, 0.1, momentum: double.PositiveInfinity)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, 0.1, weightDecay: double.PositiveInfinity)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(ps, epsilon: double.PositiveInfinity));
        Assert.Equal("epsilon", e.ParamName);
        Assert.Contains("Adam: ε must be finite and ≥ 0", e.Message);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW<double>(ps, weightDecay: double.NaN)).ParamName);
        _ = new Sgd<double>(ps, 0.1, momentum: 0.9, dampening: -0.5);   // any finite dampening, as in PyTorch
    }

    [Fact]
    public void Messages_NameTheOptimizerWithoutTheGenericArity()
    {
        var (ps, _, _) = Setup(2);
        var e = Assert.Throws<ArgumentException>(() => new Sgd<double>([ps[0], ps[0]], 0.1));
        Assert.StartsWith("Sgd: parameter 1", e.Message);
        Assert.DoesNotContain("`", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, 0.1).LearningRate = -1).Message);
    }

    [Fact]
    public void ImportState_NullListNullEntryOrNegativeStep_IsRejectedNamingIt()
    {
        var (ps, _, _) = Setup(2);
        var adam = new Adam<double>(ps);
        Assert.Contains("no parameter list", Assert.Throws<ArgumentException>(() => adam.ImportState(new OptimizerState<double>(OptimizerKind.Adam, 0.1, null!))).Message);
        Assert.Contains("the state of w1 is null", Assert.Throws<ArgumentException>(() =>
            adam.ImportState(new OptimizerState<double>(OptimizerKind.Adam, 0.1, [new ParameterState<double>(0), null!]))).Message);
        var sgd = new Sgd<double>(ps, 0.1);
        var e = Assert.Throws<ArgumentException>(() =>
            sgd.ImportState(new OptimizerState<double>(OptimizerKind.Sgd, 0.1, [new ParameterState<double>(-3), new ParameterState<double>(0)])));
        Assert.Contains("Sgd.ImportState: w0 has a negative step count -3", e.Message);
    }

    [Fact]
    public void Adam_Half_StepsLikeFloat()
    {
        var h = new Var<Half>(Tensor<Half>.FromArray([(Half)0.5f, (Half)(-1f)], 2), requiresGrad: true);
        var f = new Var<float>(Tensor<float>.FromArray([0.5f, -1f], 2), requiresGrad: true);
        h.Grad = Tensor<Half>.FromArray([(Half)0.25f, (Half)(-2f)], 2);
        f.Grad = Tensor<float>.FromArray([0.25f, -2f], 2);
        new Adam<Half>([h], 0.1).Step();
        new Adam<float>([f], 0.1).Step();
        for (int i = 0; i < 2; i++) Assert.Equal(f.Value.Span[i], (float)h.Value.Span[i], 2);
    }
}
