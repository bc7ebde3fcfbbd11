using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using Xunit.Sdk;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// The packed GEMM against <see cref="Gemm.Reference{T}"/>, its scalar specification.
/// </summary>
/// <remarks>
/// Tolerance: both implementations compute every c_ij = α·Σ_p a_ip·b_pj + β·c_ij in working precision
/// but in different orders (the packed kernel splits k into KC slices and fuses multiply-adds), so
/// neither is "exact". The classical bound for a length-k dot product in any order is
/// |fl(s) − s| ≤ γ_k·Σ_p |a_ip||b_pj| with γ_k ≈ k·ε. Each result is within that of the truth, plus one
/// rounding for α and one for β·c, so we accept
/// |fast − ref| ≤ (2k + 4)·ε·(|α|·(|A||B|)_ij + |β|·|c_ij|) + tiny,
/// evaluated element by element in double. A real bug (a wrong index, a dropped k slice, a missed
/// edge) produces errors of the order of the values themselves, far above this bound.
/// </remarks>
public sealed class GemmTests
{
    private static readonly int[] OddSizes = [0, 1, 7, 17, 33, 65, 257];

    /// <summary>The default path (null) and the ARM64 128-bit path, forced here (FMA3 on x86).</summary>
    public static TheoryData<string?> ForcedPaths => new() { null, nameof(GemmIsa.Vector128) };

    [Theory]
    [MemberData(nameof(ForcedPaths))]
    public void Compute_OddSizesAllTransposes_MatchesReference_Float(string? path) => OddSizesAllTransposes<float>(seed: 11, Parse(path));

    [Theory]
    [MemberData(nameof(ForcedPaths))]
    public void Compute_OddSizesAllTransposes_MatchesReference_Double(string? path) => OddSizesAllTransposes<double>(seed: 12, Parse(path));

    [Fact]
    public void Compute_RandomShapesAndStrides_MatchesReference_Float() => RandomShapes<float>(seed: 21, cases: 40);

    [Fact]
    public void Compute_RandomShapesAndStrides_MatchesReference_Double() => RandomShapes<double>(seed: 22, cases: 30);

    [Fact]
    public void Compute_EveryVectorPath_MatchesReference()
    {
        var rng = new SeededRng(31);
        foreach (GemmIsa isa in AvailablePaths())
        {
            foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 65, 33), (65, 17, 7), (33, 33, 257), (13, 100, 300) })
            {
                for (int t = 0; t < 4; t++)
                {
                    var c = GemmCase<float>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: t, alpha: 1.5f, beta: -0.5f, nanC: false);
                    c.CheckAgainstReference(isa, pool: null, $"{isa} float");
                    var d = GemmCase<double>.Random(rng, t % 2 == 1, t >= 2, m, n, k, pad: t, alpha: -1, beta: 2, nanC: false);
                    d.CheckAgainstReference(isa, pool: null, $"{isa} double");
                }
            }
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.5f)]
    public void Compute_AlphaAboveOneWithKInSlices_ScalesTheWholeSum_NotEachSlice(float beta)
    {
        // k = 321 is cut into two slices (256 + 65): 3e38 in the first and −3e38 in the second sum to 0, and α = 2 times
        // that is 0; α times each slice's partial sum overflowed to +∞.
        const int m = 1, n = 32, k = 321;
        var a = new float[m * k];
        var b = new float[k * n];
        Array.Fill(b, 1f);
        (a[0], a[300]) = (3e38f, -3e38f);
        foreach (GemmIsa isa in AvailablePaths())
        {
            var c = Enumerable.Repeat(1f, n).ToArray();
            Gemm.ComputePacked(isa, GemmBlocking.For<float>(), false, false, m, n, k, 2f, a, k, b, n, beta, c, n, pool: null);
            Assert.All(c, v => Assert.Equal(beta, v));
        }
        var viaApi = new float[n];
        Gemm.Compute(false, false, m, n, k, 2f, a, k, b, n, 0f, viaApi, n);
        Assert.All(viaApi, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Compute_BetaZero_IgnoresNaNInC()
    {
        var rng = new SeededRng(41);
        foreach (var (m, n, k) in new[] { (7, 65, 33), (64, 64, 64), (1, 1, 0), (17, 5, 0) })
        {
            var c = GemmCase<float>.Random(rng, false, false, m, n, k, pad: 3, alpha: 1, beta: 0, nanC: true);
            // C = α·A·B within the dot-product bound (the reference ignores C when β = 0 too). A NaN is within no bound, so
            // this fails on NaN read from C and on a C left unwritten (still NaN), and also on a C zeroed or otherwise wrong,
            // which a check for NaN alone would pass.
            c.CheckAgainstReference(isa: null, pool: null, $"β = 0 over NaN C ({m}, {n}, {k})");
        }
    }

    [Fact]
    public void Compute_StridedC_LeavesPaddingUntouched()
    {
        var rng = new SeededRng(51);
        var c = GemmCase<float>.Random(rng, false, true, 33, 65, 17, pad: 5, alpha: 2, beta: 1, nanC: false);
        float[] before = (float[])c.C.Clone();
        c.RunCompute(pool: null);
        for (int i = 0; i < c.M; i++)
            for (int j = c.N; j < c.Ldc && i * c.Ldc + j < c.C.Length; j++)
                Assert.Equal(before[i * c.Ldc + j], c.C[i * c.Ldc + j]);
    }

    [Theory]
    [MemberData(nameof(ForcedPaths))]
    public void Compute_OneAndManyThreads_BitIdentical(string? path)
    {
        GemmIsa? isa = Parse(path);
        var rng = new SeededRng(61);
        using var two = new WorkerPool(2);
        using var three = new WorkerPool(3);
        var shapes = new[] { (256, 256, 256), (400, 1100, 600), (400, 1100, 500), (300, 65, 257), (300, 70, 300), (32, 1024, 320), (2048, 65, 64), (65, 300, 600), (6, 700, 33), (1, 257, 17) };
        foreach (var (m, n, k) in shapes)
        {
            for (int t = 0; t < 4; t++)
            {
                var f = GemmCase<float>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: 1, alpha: 0.75f, beta: 0.5f, nanC: false);
                BitIdenticalAcrossPools(f, two, three, isa, $"float ({m}, {n}, {k}) t={t}");
            }
            var d = GemmCase<double>.Random(rng, false, true, m, n, k, pad: 0, alpha: 1, beta: 0, nanC: true);
            BitIdenticalAcrossPools(d, two, three, isa, $"double ({m}, {n}, {k})");
        }
    }

    [Fact]
    public void Compute_TwoThreads_MatchesReference()
    {
        var rng = new SeededRng(71);
        using var pool = new WorkerPool(2);
        foreach (var (m, n, k) in new[] { (257, 65, 300), (100, 257, 33), (2048, 65, 40), (33, 47, 700) })
        {
            GemmCase<float>.Random(rng, true, false, m, n, k, pad: 2, alpha: 1, beta: 1, nanC: false).CheckAgainstReference(null, pool, "2 threads float");
            GemmCase<double>.Random(rng, false, true, m, n, k, pad: 0, alpha: 1, beta: 0, nanC: true).CheckAgainstReference(null, pool, "2 threads double");
        }
    }

    [Fact]
    public void Compute_TallCWithWholePanels_MatchesReference()
    {
        // n a multiple of the tile width and m above one MC block: B is packed slice-wide, row by row.
        // (300, 1088, 500): two column blocks of two k slices each; (300, 96, 530): three k slices.
        // Two and three threads cut the rows (or columns) into uneven groups.
        var rng = new SeededRng(75);
        using var pool = new WorkerPool(2);
        using var three = new WorkerPool(3);
        foreach (var (m, n, k) in new[] { (200, 64, 50), (300, 96, 129), (420, 128, 100), (300, 1088, 500), (300, 96, 530), (301, 1057, 257) })
            foreach (var p in new[] { null, pool, three })
            {
                GemmCase<float>.Random(rng, false, false, m, n, k, pad: 3, alpha: 1, beta: 0.5f, nanC: false).CheckAgainstReference(null, p, "tall float");
                GemmCase<double>.Random(rng, false, false, m, n, k, pad: 0, alpha: 2, beta: 0, nanC: true).CheckAgainstReference(null, p, "tall double");
            }
    }

    [Fact]
    public void Compute_SteadyState_AllocatesNothingOnTheCaller()
    {
        var rng = new SeededRng(81);
        using var pool = new WorkerPool(2);
        var f = GemmCase<float>.Random(rng, false, false, 130, 97, 300, pad: 0, alpha: 1, beta: 0, nanC: false);
        var d = GemmCase<double>.Random(rng, true, true, 65, 70, 33, pad: 1, alpha: 1, beta: 1, nanC: false);
        var narrow = GemmCase<float>.Random(rng, false, false, 300, 65, 40, pad: 0, alpha: 1, beta: 0, nanC: false);
        var pools = new WorkerPool?[] { null, pool };
        void RunAll()
        {
            foreach (var p in pools)
            {
                f.RunCompute(p);
                d.RunCompute(p);
                narrow.RunCompute(p);
                f.RunCompute(p, GemmIsa.Vector128); // the ARM64 path's wider tiles, forced
                narrow.RunCompute(p, GemmIsa.Vector128);
            }
        }
        Assert.Equal(0, AllocationMeter.AllocatedBy(RunAll, repeats: 20));
    }

    [Fact]
    public void Compute_HalfPrecision_FallsBackToReference()
    {
        var a = new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 };
        var b = new Half[] { (Half)5, (Half)6, (Half)7, (Half)8 };
        var c = new Half[4];
        Gemm.Compute(false, false, 2, 2, 2, Half.One, a, 2, b, 2, Half.Zero, c, 2);
        Assert.Equal(new[] { (Half)19, (Half)22, (Half)43, (Half)50 }, c);
    }

    [Fact]
    public void Compute_TooShortSpan_ThrowsNamingTheMatrix()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Compute(false, false, 3, 4, 5, 1f, new float[14], 5, new float[20], 4, 0f, new float[12], 4));
        Assert.Contains("A needs 15 elements", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Compute(false, true, 3, 4, 5, 1f, new float[15], 5, new float[20], 4, 0f, new float[12], 4));
        Assert.Contains("leading dimension of B (4)", ex.Message);
    }

    [Fact]
    public void Validate_BadArguments_NameTheirParameter()
    {
        void Throws(string param, Action call) => Assert.Equal(param, Assert.Throws<ArgumentException>(call).ParamName);
        Throws("m", () => Gemm.Compute(false, false, -1, 2, 2, 1f, new float[4], 2, new float[4], 2, 0f, new float[4], 2));
        Throws("n", () => Gemm.Reference(false, false, 2, -1, 2, 1f, new float[4], 2, new float[4], 2, 0f, new float[4], 2));
        Throws("k", () => Gemm.Compute(false, false, 2, 2, -3, 1f, new float[4], 2, new float[4], 2, 0f, new float[4], 2));
        Throws("a", () => Gemm.Compute(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Throws("lda", () => Gemm.Compute(false, false, 2, 2, 2, 1f, new float[4], 1, new float[4], 2, 0f, new float[4], 2));
        Throws("b", () => Gemm.Compute(false, true, 2, 2, 2, 1f, new float[4], 2, new float[3], 2, 0f, new float[4], 2));
        Throws("ldb", () => Gemm.Reference(false, false, 2, 2, 2, 1f, new float[4], 2, new float[4], 1, 0f, new float[4], 2));
        Throws("c", () => Gemm.Compute(false, false, 2, 2, 2, 1f, new float[4], 2, new float[4], 2, 0f, new float[3], 2));
        Throws("ldc", () => Gemm.Compute(false, false, 2, 2, 2, 1f, new float[4], 2, new float[4], 2, 0f, new float[4], 1));
    }

    /// <summary>C sharing elements with A or B would be written while they are read: refused, on both entry points and the pre-packed product.</summary>
    [Theory]
    [InlineData(4)]
    [InlineData(40)]
    public void Compute_COverlapsAOrB_ThrowsNamingC(int n)
    {
        var buffer = new float[3 * n * n];
        var rng = new SeededRng(5);
        for (int i = 0; i < buffer.Length; i++) buffer[i] = rng.NextSingle();
        var before = (float[])buffer.Clone();
        void Refused(Action call) => Assert.Equal("c", Assert.Throws<ArgumentException>(call).ParamName);
        float[] Slice(int start) => buffer.AsSpan(start * n * n, n * n).ToArray();
        // C = A; C = B; C the tail of A and the head of B (partial overlap); A and B transposed.
        Refused(() => Gemm.Compute(false, false, n, n, n, 1f, buffer.AsSpan(0, n * n), n, buffer.AsSpan(n * n, n * n), n, 0f, buffer.AsSpan(0, n * n), n));
        Refused(() => Gemm.Reference(false, false, n, n, n, 1f, buffer.AsSpan(0, n * n), n, buffer.AsSpan(n * n, n * n), n, 0f, buffer.AsSpan(n * n, n * n), n));
        Refused(() => Gemm.Compute(true, true, n, n, n, 1f, buffer.AsSpan(0, n * n), n, buffer.AsSpan(n * n, n * n), n, 1f, buffer.AsSpan(n * n / 2, n * n), n));
        Refused(() => Gemm.Reference(false, false, n, n, n, 1f, buffer.AsSpan(0, n * n), n, buffer.AsSpan(2 * n * n, n * n), n, 0f, buffer.AsSpan(2 * n * n - 1, n * n), n));
        using var packed = GemmPackedB<float>.Create(false, n, n, Slice(1), n);
        Refused(() => Gemm.Compute(false, n, 1f, buffer.AsSpan(0, n * n), n, packed, 0f, buffer.AsSpan(n, n * n), n));
        Assert.Equal(before, buffer);   // refused before anything is written
        // Adjacent, not overlapping: accepted, and equal to the product of copies.
        var expected = new float[n * n];
        Gemm.Compute(false, false, n, n, n, 1f, Slice(0), n, Slice(1), n, 0f, expected, n);
        Gemm.Compute(false, false, n, n, n, 1f, buffer.AsSpan(0, n * n), n, buffer.AsSpan(n * n, n * n), n, 0f, buffer.AsSpan(2 * n * n, n * n), n);
        Assert.Equal(expected, Slice(2));
    }

    private static GemmIsa? Parse(string? path) => path is null ? null : Enum.Parse<GemmIsa>(path);

    private static void OddSizesAllTransposes<T>(ulong seed, GemmIsa? isa) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        using var pool = new WorkerPool(2);
        foreach (var (m, n, k) in OddShapes(OddSizes))
        {
            int t = rng.NextInt(4);
            var (alpha, beta) = AlphaBeta<T>(rng);
            var c = GemmCase<T>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: rng.NextInt(3), alpha, beta, nanC: beta == T.Zero);
            c.CheckAgainstReference(isa, rng.NextInt(2) == 0 ? null : pool, $"{typeof(T).Name} {isa?.ToString() ?? "default path"}");
        }
    }

    private static void RandomShapes<T>(ulong seed, int cases) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        using var pool = new WorkerPool(2);
        for (int i = 0; i < cases; i++)
        {
            // Mostly small and medium shapes, with a full 0..300 range on one axis at a time.
            int m = rng.NextInt(i % 3 == 0 ? 301 : 70), n = rng.NextInt(i % 3 == 1 ? 301 : 70), k = rng.NextInt(i % 3 == 2 ? 301 : 70);
            var (alpha, beta) = AlphaBeta<T>(rng);
            var c = GemmCase<T>.Random(rng, rng.NextInt(2) == 0, rng.NextInt(2) == 0, m, n, k, pad: rng.NextInt(9), alpha, beta, nanC: beta == T.Zero);
            c.CheckAgainstReference(null, i % 2 == 0 ? null : pool, typeof(T).Name);
        }
    }

    /// <summary>Every (m, n, k) over <paramref name="sizes"/> with at most one axis at the largest size (keeps the suite fast).</summary>
    internal static IEnumerable<(int M, int N, int K)> OddShapes(int[] sizes)
    {
        int large = sizes.Max();
        foreach (int m in sizes)
            foreach (int n in sizes)
                foreach (int k in sizes)
                    if ((m == large ? 1 : 0) + (n == large ? 1 : 0) + (k == large ? 1 : 0) <= 1) yield return (m, n, k);
    }

    /// <summary>One of four (α, β) pairs: (1, 0), (1, 1), (−0.5, 0), (1.25, −2).</summary>
    internal static (T Alpha, T Beta) AlphaBeta<T>(SeededRng rng) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        rng.NextInt(4) switch
        {
            0 => (T.One, T.Zero),
            1 => (T.One, T.One),
            2 => (T.CreateTruncating(-0.5), T.Zero),
            _ => (T.CreateTruncating(1.25), T.CreateTruncating(-2.0)),
        };

    private static void BitIdenticalAcrossPools<T>(GemmCase<T> c, WorkerPool two, WorkerPool three, GemmIsa? isa, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] start = (T[])c.C.Clone();
        c.RunCompute(pool: null, isa);
        T[] one = (T[])c.C.Clone();
        foreach (var pool in new[] { two, three })
        {
            start.CopyTo(c.C, 0);
            c.RunCompute(pool, isa);
            TensorAssert.BitEqual<T>(one, c.C, $"{what}, {pool.Threads} threads vs 1");
        }
    }

    /// <summary>Every vector path this machine can run (the narrower ones too).</summary>
    internal static IEnumerable<GemmIsa> AvailablePaths()
    {
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) yield return GemmIsa.Avx512;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) yield return GemmIsa.Avx2;
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) yield return GemmIsa.Vector128;   // the ARM64 NEON path, FMA3 here
        if (Vector.IsHardwareAccelerated) yield return GemmIsa.Portable;
    }
}

/// <summary>One GEMM problem with random operands, stored with padded leading dimensions.</summary>
internal sealed class GemmCase<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public required bool TransA, TransB;
    public required int M, N, K, Lda, Ldb, Ldc;
    public required T Alpha, Beta;
    public required T[] A, B, C;

    public static GemmCase<T> Random(SeededRng rng, bool transA, bool transB, int m, int n, int k, int pad, T alpha, T beta, bool nanC)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        var c = new GemmCase<T>
        {
            TransA = transA, TransB = transB, M = m, N = n, K = k,
            Lda = aCols + pad, Ldb = bCols + pad, Ldc = n + pad, Alpha = alpha, Beta = beta,
            A = Fill(rng, aRows * (aCols + pad)), B = Fill(rng, bRows * (bCols + pad)), C = Fill(rng, m * (n + pad)),
        };
        if (nanC) Array.Fill(c.C, T.NaN);
        return c;
    }

    private static T[] Fill(SeededRng rng, int length)
    {
        var x = new T[length];
        for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>A deep copy (operands and C).</summary>
    public GemmCase<T> Clone() => new()
    {
        TransA = TransA, TransB = TransB, M = M, N = N, K = K, Lda = Lda, Ldb = Ldb, Ldc = Ldc, Alpha = Alpha, Beta = Beta,
        A = (T[])A.Clone(), B = (T[])B.Clone(), C = (T[])C.Clone(),
    };

    /// <summary>Runs <c>Gemm.Compute</c>, or the packed GEMM on <paramref name="isa"/> when one is given.</summary>
    public void RunCompute(WorkerPool? pool, GemmIsa? isa = null)
    {
        if (isa is { } path)
            Gemm.ComputePacked(path, GemmBlocking.For<T>(), TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc, pool);
        else
            Gemm.Compute(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc, pool);
    }

    /// <summary>Runs the fast path (default or the given vector path) and checks it against the reference within the documented bound.</summary>
    public void CheckAgainstReference(GemmIsa? isa, WorkerPool? pool, string what)
    {
        T[] expected = (T[])C.Clone();
        Gemm.Reference(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, expected, Ldc);
        T[] start = (T[])C.Clone();
        RunCompute(pool, isa);

        // |A||B| in double, for the per-element bound.
        double[] absA = Array.ConvertAll(A, x => Math.Abs(double.CreateTruncating(x)));
        double[] absB = Array.ConvertAll(B, x => Math.Abs(double.CreateTruncating(x)));
        double[] magnitude = new double[C.Length];
        Gemm.Reference(TransA, TransB, M, N, K, 1.0, absA, Lda, absB, Ldb, 0.0, magnitude, Ldc);
        double eps = double.CreateTruncating(T.BitIncrement(T.One) - T.One); // ε = ulp(1): 2⁻²³ float, 2⁻⁵² double
        double alpha = Math.Abs(double.CreateTruncating(Alpha)), beta = Math.Abs(double.CreateTruncating(Beta));
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                int at = i * Ldc + j;
                double e = double.CreateTruncating(expected[at]), a = double.CreateTruncating(C[at]);
                double old = beta == 0 ? 0 : Math.Abs(double.CreateTruncating(start[at]));
                double tol = (2.0 * K + 4) * eps * (alpha * magnitude[at] + beta * old) + 1e-30;
                if (!(Math.Abs(a - e) <= tol))
                    throw new XunitException(
                        $"{what}: Gemm({(TransA ? "T" : "N")}{(TransB ? "T" : "N")}, m={M}, n={N}, k={K}, lda={Lda}, ldb={Ldb}, ldc={Ldc}, " +
                        $"α={Alpha}, β={Beta}) differs from Reference at C[{i}, {j}]: expected {e:R}, actual {a:R}, tolerance {tol:G3}.");
            }
    }
}
