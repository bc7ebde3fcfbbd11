using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

/// <summary>Every fused gate kernel, at every vector width, equals its scalar reference on odd sizes.</summary>
public class RecurrentKernelTests
{
    private static readonly int[] Sizes = [0, 1, 7, 17, 33, 257];
    private static readonly GateWidth[] Widths = [GateWidth.Auto, GateWidth.Vector256, GateWidth.Vector128, GateWidth.Scalar];

    /// <summary>Values in (−scale, scale), with a few saturating ones (±40) mixed in to test the limits.</summary>
    private static T[] Random<T>(SeededRng rng, int n, double scale = 3) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var a = new T[n];
        for (int i = 0; i < n; i++)
            a[i] = T.CreateTruncating(i % 11 == 5 ? (i % 2 == 0 ? 40.0 : -40.0) : scale * (2 * rng.NextDouble() - 1));
        return a;
    }

    private static (double Rtol, double Atol) Tol<T>() => typeof(T) == typeof(float) ? (1e-5, 2e-6) : (1e-12, 1e-14);

    private static void Close<T>(T[] expected, T[] actual, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var (rtol, atol) = Tol<T>();
        TensorAssert.AllClose<T>(expected, actual, rtol, atol, what);
    }

    [Fact] public void LstmGateKernel_EqualsReference_Float() => Lstm<float>();
    [Fact] public void LstmGateKernel_EqualsReference_Double() => Lstm<double>();
    [Fact] public void GruGateKernel_EqualsReference_Float() => Gru<float>();
    [Fact] public void GruGateKernel_EqualsReference_Double() => Gru<double>();
    [Fact] public void RnnGateKernel_EqualsReference_Float() => Rnn<float>();
    [Fact] public void RnnGateKernel_EqualsReference_Double() => Rnn<double>();

    private static void Lstm<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(11);
        foreach (int n in Sizes)
        foreach (var width in Widths)
        {
            var xp = Random<T>(rng, 4 * n); var hp = Random<T>(rng, 4 * n); var c0 = Random<T>(rng, n);
            var (c1, a1, t1, h1) = (c0.ToArray(), new T[4 * n], new T[n], new T[n]);
            var (c2, a2, t2, h2) = (c0.ToArray(), new T[4 * n], new T[n], new T[n]);
            LstmGateKernel.ForwardReference<T>(xp, hp, c1, a1, t1, h1);
            LstmGateKernel.Forward<T>(xp, hp, c2, a2, t2, h2, width);
            string at = $"LSTM forward n={n} {width}";
            Close(c1, c2, at + " c'"); Close(a1, a2, at + " acts"); Close(t1, t2, at + " tanh(c')"); Close(h1, h2, at + " h'");

            var dh = Random<T>(rng, n); var dc0 = Random<T>(rng, n);
            var (dc1, dg1) = (dc0.ToArray(), new T[4 * n]);
            var (dc2, dg2) = (dc0.ToArray(), new T[4 * n]);
            LstmGateKernel.BackwardReference<T>(a1, c0, t1, dh, dc1, dg1);
            LstmGateKernel.Backward<T>(a1, c0, t1, dh, dc2, dg2, width);
            Close(dc1, dc2, $"LSTM backward n={n} {width} dc"); Close(dg1, dg2, $"LSTM backward n={n} {width} dGates");
        }
    }

    private static void Gru<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(12);
        foreach (int n in Sizes)
        foreach (var width in Widths)
        {
            var xp = Random<T>(rng, 3 * n); var hp = Random<T>(rng, 3 * n); var bhn = Random<T>(rng, n, 1); var h0 = Random<T>(rng, n, 1);
            var (h1, a1, n1) = (h0.ToArray(), new T[3 * n], new T[n]);
            var (h2, a2, n2) = (h0.ToArray(), new T[3 * n], new T[n]);
            GruGateKernel.ForwardReference<T>(xp, hp, bhn, h1, a1, n1);
            GruGateKernel.Forward<T>(xp, hp, bhn, h2, a2, n2, width);
            string at = $"GRU forward n={n} {width}";
            Close(h1, h2, at + " h'"); Close(a1, a2, at + " acts"); Close(n1, n2, at + " ĥn");

            var dh = Random<T>(rng, n);
            var (dd1, gx1, gh1) = (new T[n], new T[3 * n], new T[3 * n]);
            var (dd2, gx2, gh2) = (new T[n], new T[3 * n], new T[3 * n]);
            GruGateKernel.BackwardReference<T>(a1, n1, h0, dh, dd1, gx1, gh1);
            GruGateKernel.Backward<T>(a1, n1, h0, dh, dd2, gx2, gh2, width);
            at = $"GRU backward n={n} {width}";
            Close(dd1, dd2, at + " dh direct"); Close(gx1, gx2, at + " dGx"); Close(gh1, gh2, at + " dGh");
        }
    }

    private static void Rnn<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(13);
        foreach (bool relu in new[] { false, true })
        foreach (int n in Sizes)
        foreach (var width in Widths)
        {
            var xp = Random<T>(rng, n); var hp = Random<T>(rng, n);
            var (h1, h2) = (new T[n], new T[n]);
            RnnGateKernel.ForwardReference<T>(xp, hp, h1, relu);
            RnnGateKernel.Forward<T>(xp, hp, h2, relu, width);
            Close(h1, h2, $"RNN forward relu={relu} n={n} {width}");
            var (h3, y3) = (new T[n], new T[n]);
            RnnGateKernel.Forward<T>(xp, hp, h3, y3, relu, width);
            Close(h1, h3, $"RNN forward with copy relu={relu} n={n} {width} h'");
            Close(h1, y3, $"RNN forward with copy relu={relu} n={n} {width} copy");
            var dh = Random<T>(rng, n);
            var (g1, g2) = (new T[n], new T[n]);
            RnnGateKernel.BackwardReference<T>(h1, dh, g1, relu);
            RnnGateKernel.Backward<T>(h1, dh, g2, relu, width);
            Close(g1, g2, $"RNN backward relu={relu} n={n} {width}");
        }
    }

    [Fact]
    public void LstmGateKernel_WrongLength_NamesKernelAndArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            LstmGateKernel.Forward<float>(new float[8], new float[7], new float[2], new float[8], new float[2], new float[2]));
        Assert.Contains("LstmGateKernel.Forward", ex.Message);
        Assert.Contains("'hp'", ex.Message);
    }

    [Fact]
    public void LstmGateKernel_Reference_MatchesHandComputedValues()
    {
        // H = 1, all pre-activations 0: i = f = o = 0.5, g = 0; c' = 0.5·c; h' = 0.5·tanh(0.5·c).
        var c = new[] { 2.0 };
        var (acts, tc, h) = (new double[4], new double[1], new double[1]);
        LstmGateKernel.ForwardReference<double>(new double[4], new double[4], c, acts, tc, h);
        Assert.Equal(1.0, c[0], 15);
        Assert.Equal(Math.Tanh(1.0), tc[0], 15);
        Assert.Equal(0.5 * Math.Tanh(1.0), h[0], 15);
        Assert.Equal([0.5, 0.5, 0.0, 0.5], acts);
    }
}
