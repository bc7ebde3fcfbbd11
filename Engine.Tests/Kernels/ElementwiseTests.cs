using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

/// <summary>Each elementwise kernel against a one-element-at-a-time scalar reference, on odd lengths.</summary>
public sealed class ElementwiseTests
{
    private static readonly int[] Lengths = [0, 1, 7, 17, 33, 65, 257, 1000];

    [Fact]
    public void Maps_OddLengths_MatchScalarReference_Float() => Maps<float>(seed: 1, rtol: 1e-6, atol: 1e-7);

    [Fact]
    public void Maps_OddLengths_MatchScalarReference_Double() => Maps<double>(seed: 2, rtol: 1e-14, atol: 1e-15);

    [Fact]
    public void Sum_OddLengths_MatchesSequentialSumWithinRoundoff()
    {
        var rng = new SeededRng(3);
        foreach (int n in Lengths)
        {
            float[] x = Random<float>(rng, n);
            // Any summation order is within n·ε·Σ|x| of the exact sum (ε = 2⁻²³).
            double exact = x.Sum(v => (double)v), bound = n * 1.2e-7 * x.Sum(v => Math.Abs((double)v));
            Assert.InRange(Elementwise.Sum<float>(x), exact - bound, exact + bound);
        }
    }

    [Fact]
    public void Add_InPlace_AliasesDestination()
    {
        double[] x = [1, 2, 3], y = [10, 20, 30];
        Elementwise.Add<double>(x, y, x);
        Assert.Equal([11.0, 22, 33], x);
    }

    [Fact]
    public void Add_LengthMismatch_NamesKernelAndLengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => Elementwise.Add<float>(new float[3], new float[4], new float[3]));
        Assert.Contains("Elementwise.Add", ex.Message);
        Assert.Contains("inputs 3 and 4", ex.Message);
    }

    [Fact]
    public void Transcendentals_GiveAnElementTheSameBitsWhateverTheSpanLength()
    {
        // A row alone and the same row in a batch must get the same values (docs/masking.md): each element of a span of any
        // length 1 … 70 equals the same input computed inside a 96-long span, for float and double and each of the four maps.
        SameBits<float>(3);
        SameBits<double>(4);
    }

    private static void SameBits<T>(ulong seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        var maps = new (string Name, Action<T[], T[]> F)[]
        {
            ("Tanh", (x, y) => Elementwise.Tanh<T>(x, y)), ("Sigmoid", (x, y) => Elementwise.Sigmoid<T>(x, y)),
            ("Exp", (x, y) => Elementwise.Exp<T>(x, y)), ("Log", (x, y) => Elementwise.Log<T>(x, y)),
        };
        for (int trial = 0; trial < 40; trial++)
        {
            T[] wide = Random<T>(rng, 96);
            if (trial % 2 == 0) for (int i = 0; i < wide.Length; i++) wide[i] = T.Abs(wide[i]) + T.CreateTruncating(1e-3);   // Log's domain
            foreach (var (name, f) in maps)
            {
                var expected = new T[wide.Length];
                f(wide, expected);
                for (int n = 1; n <= 70; n++)
                {
                    var y = new T[n];
                    f(wide[..n], y);
                    for (int i = 0; i < n; i++)
                        Assert.True(y[i].Equals(expected[i]), $"{name}<{typeof(T).Name}>({wide[i]}): {y[i]} in a span of {n}, {expected[i]} in one of 96");
                }
            }
        }
    }

    private static void Maps<T>(ulong seed, double rtol, double atol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        foreach (int n in Lengths)
        {
            T[] x = Random<T>(rng, n), y = Random<T>(rng, n), z = Random<T>(rng, n), dst = new T[n];
            Elementwise.Add<T>(x, y, dst);
            TensorAssert.AllClose<T>(Zip(x, y, (a, b) => a + b), dst, 0, 0, $"Add n={n}");
            Elementwise.Multiply<T>(x, y, dst);
            TensorAssert.AllClose<T>(Zip(x, y, (a, b) => a * b), dst, 0, 0, $"Multiply n={n}");
            Elementwise.MultiplyAdd<T>(x, y, z, dst);
            TensorAssert.AllClose<T>(Zip(Zip(x, y, (a, b) => a * b), z, (p, c) => p + c), dst, 0, 0, $"MultiplyAdd n={n}");   // (x·y) + z, two roundings as the reference: bit-equal
            Elementwise.Tanh<T>(x, dst);
            TensorAssert.AllClose<T>(Map(x, T.Tanh), dst, rtol, atol, $"Tanh n={n}");
            Elementwise.Sigmoid<T>(x, dst);
            TensorAssert.AllClose<T>(Map(x, v => T.One / (T.One + T.Exp(-v))), dst, rtol, atol, $"Sigmoid n={n}");
            Elementwise.Exp<T>(x, dst);
            TensorAssert.AllClose<T>(Map(x, T.Exp), dst, rtol, atol, $"Exp n={n}");
        }
    }

    private static T[] Random<T>(SeededRng rng, int n) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var x = new T[n];
        for (int i = 0; i < n; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 8 - 4);
        return x;
    }

    private static T[] Map<T>(T[] x, Func<T, T> f) => Array.ConvertAll(x, v => f(v));

    private static T[] Zip<T>(T[] x, T[] y, Func<T, T, T> f) => x.Zip(y, f).ToArray();
}
