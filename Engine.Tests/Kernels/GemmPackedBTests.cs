using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Kernels;

/// <summary>
/// GEMM with a pre-packed B (<see cref="GemmPackedB{T}"/>) must give exactly the bits of the same call on the
/// unpacked B — same tiles, same k slices, same dot-product columns — on every vector path and pool size.
/// The unpacked call is itself tested against <see cref="Gemm.Reference{T}"/> (GemmTests), and one test here
/// checks the packed call against the reference directly.
/// </summary>
public sealed class GemmPackedBTests
{
    private static readonly int[] OddSizes = [0, 1, 7, 17, 33, 257];

    [Fact]
    public void Compute_PackedB_OddSizesAllTransposes_BitIdenticalToUnpacked_Float() => OddSizesAllTransposes<float>(seed: 111);

    [Fact]
    public void Compute_PackedB_OddSizesAllTransposes_BitIdenticalToUnpacked_Double() => OddSizesAllTransposes<double>(seed: 112);

    [Fact]
    public void Compute_PackedB_RandomShapesAndStrides_BitIdenticalToUnpacked()
    {
        var rng = new SeededRng(121);
        using var pool = new WorkerPool(2);
        for (int i = 0; i < 40; i++)
        {
            int m = rng.NextInt(i % 3 == 0 ? 301 : 70), n = rng.NextInt(i % 3 == 1 ? 301 : 70), k = rng.NextInt(i % 3 == 2 ? 301 : 70);
            var f = GemmCase<float>.Random(rng, rng.NextInt(2) == 0, rng.NextInt(2) == 0, m, n, k, pad: rng.NextInt(9), alpha: 1.25f, beta: i % 2 == 0 ? 0f : -2f, nanC: i % 2 == 0);
            CheckBitIdentical(f, null, GemmBlocking.For<float>(), i % 2 == 0 ? null : pool, $"random float #{i}");
            var d = GemmCase<double>.Random(rng, rng.NextInt(2) == 0, rng.NextInt(2) == 0, m, n, k, pad: rng.NextInt(9), alpha: -0.5, beta: 1, nanC: false);
            CheckBitIdentical(d, null, GemmBlocking.For<double>(), i % 2 == 1 ? null : pool, $"random double #{i}");
        }
    }

    [Fact]
    public void Compute_PackedB_EveryVectorPathAndSmallBlocking_BitIdenticalToUnpacked()
    {
        // A tiny blocking puts several column blocks and k slices (and a ragged last one) into small problems.
        var rng = new SeededRng(131);
        using var pool = new WorkerPool(2);
        var small = new GemmBlocking(MC: 12, KC: 8, NC: 64);
        foreach (GemmIsa isa in GemmTests.AvailablePaths())
            foreach (var blk in new[] { GemmBlocking.For<float>(), small })
                foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 65, 33), (65, 17, 7), (33, 200, 57), (13, 100, 300), (40, 130, 21) })
                    for (int t = 0; t < 4; t++)
                    {
                        var c = GemmCase<float>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: t, alpha: 1.5f, beta: t == 0 ? 0f : -0.5f, nanC: t == 0);
                        CheckBitIdentical(c, isa, blk, t % 2 == 0 ? null : pool, $"{isa} {blk} float");
                        var d = GemmCase<double>.Random(rng, t % 2 == 1, t >= 2, m, n, k, pad: t, alpha: -1, beta: 2, nanC: false);
                        CheckBitIdentical(d, isa, blk, t % 2 == 1 ? null : pool, $"{isa} {blk} double");
                    }
    }

    [Fact]
    public void Compute_PackedB_OneTwoThreeThreads_BitIdenticalToEachOtherAndUnpacked()
    {
        var rng = new SeededRng(141);
        using var two = new WorkerPool(2);
        using var three = new WorkerPool(3);
        // (2047, 65, 256), (97, 66, 320): dot columns done with their rows' last tiles; (301, 65, 700): k over one slice, dots apart.
        var shapes = new[] { (32, 1024, 320), (64, 512, 512), (32, 1024, 256), (300, 65, 257), (2048, 65, 64), (6, 700, 33), (1, 257, 17),
            (2047, 65, 256), (97, 66, 320), (301, 65, 700) };
        foreach (var (m, n, k) in shapes)
            for (int t = 0; t < 4; t++)
            {
                var c = GemmCase<float>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: 1, alpha: 0.75f, beta: t == 1 ? 0f : 0.5f, nanC: t == 1);
                using var packed = GemmPackedB<float>.Create(c.TransB, c.K, c.N, c.B, c.Ldb);
                float[] start = (float[])c.C.Clone();
                float[]? one = null;
                foreach (var pool in new WorkerPool?[] { null, two, three })
                {
                    start.CopyTo(c.C, 0);
                    Gemm.Compute(c.TransA, c.M, c.Alpha, c.A, c.Lda, packed, c.Beta, c.C, c.Ldc, pool);
                    if (one is null) one = (float[])c.C.Clone();
                    else TensorAssert.BitEqual<float>(one, c.C, $"({m}, {n}, {k}) t={t}, {pool!.Threads} threads vs 1");
                }
                start.CopyTo(c.C, 0);
                Gemm.Compute(c.TransA, c.TransB, c.M, c.N, c.K, c.Alpha, c.A, c.Lda, c.B, c.Ldb, c.Beta, c.C, c.Ldc);
                TensorAssert.BitEqual<float>(one!, c.C, $"({m}, {n}, {k}) t={t}, packed vs unpacked");
            }
    }

    [Fact]
    public void Compute_PackedB_MatchesReference()
    {
        var rng = new SeededRng(151);
        using var pool = new WorkerPool(2);
        foreach (var (m, n, k) in new[] { (32, 1024, 320), (17, 65, 257), (257, 33, 7) })
            for (int t = 0; t < 4; t++)
            {
                var c = GemmCase<float>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: 2, alpha: 1, beta: 1, nanC: false);
                c.Clone().CheckAgainstReference(null, pool, $"unpacked ({m}, {n}, {k}) t={t}");
                CheckBitIdentical(c, null, GemmBlocking.For<float>(), pool, $"packed ({m}, {n}, {k}) t={t}");
            }
    }

    [Fact]
    public void Compute_PackedB_IsACopy_LaterChangesToBDoNotMatter()
    {
        var rng = new SeededRng(161);
        var c = GemmCase<float>.Random(rng, false, true, 20, 70, 40, pad: 0, alpha: 1, beta: 0, nanC: false);
        using var packed = GemmPackedB<float>.Create(c.TransB, c.K, c.N, c.B, c.Ldb);
        var expected = c.Clone();
        expected.RunCompute(null);
        Array.Fill(c.B, 7f);
        Gemm.Compute(c.TransA, c.M, c.Alpha, c.A, c.Lda, packed, c.Beta, c.C, c.Ldc);
        TensorAssert.BitEqual<float>(expected.C, c.C, "packed B after B changed");
    }

    [Fact]
    public void Compute_PackedB_SteadyState_AllocatesNothingOnTheCaller()
    {
        var rng = new SeededRng(171);
        using var pool = new WorkerPool(2);
        var f = GemmCase<float>.Random(rng, false, false, 32, 1024, 320, pad: 0, alpha: 1, beta: 0, nanC: false);
        var d = GemmCase<double>.Random(rng, true, true, 300, 65, 33, pad: 1, alpha: 1, beta: 1, nanC: false);
        using var pf = GemmPackedB<float>.Create(f.TransB, f.K, f.N, f.B, f.Ldb);
        using var pd = GemmPackedB<double>.Create(d.TransB, d.K, d.N, d.B, d.Ldb);
        var pools = new WorkerPool?[] { null, pool };
        void RunAll()
        {
            foreach (var p in pools)
            {
                Gemm.Compute(f.TransA, f.M, f.Alpha, f.A, f.Lda, pf, f.Beta, f.C, f.Ldc, p);
                Gemm.Compute(d.TransA, d.M, d.Alpha, d.A, d.Lda, pd, d.Beta, d.C, d.Ldc, p);
            }
        }
        Assert.Equal(0, AllocationMeter.AllocatedBy(RunAll, repeats: 10));
    }

    [Fact]
    public void Compute_PackedB_HalfPrecision_UsesTheReference()
    {
        var a = new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 };
        var b = new Half[] { (Half)5, (Half)7, (Half)6, (Half)8 }; // stored transposed
        var c = new Half[4];
        using var packed = GemmPackedB<Half>.Create(true, 2, 2, b, 2);
        Gemm.Compute(false, 2, Half.One, a, 2, packed, Half.Zero, c, 2);
        Assert.Equal(new[] { (Half)19, (Half)22, (Half)43, (Half)50 }, c);
    }

    [Fact]
    public void Compute_PackedB_AfterDispose_Throws()
    {
        var packed = GemmPackedB<float>.Create(false, 3, 3, new float[9], 3);
        packed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Gemm.Compute(false, 1, 1f, new float[3], 3, packed, 0f, new float[3], 3));
    }

    [Fact]
    public void Compute_PackedB_TooShortSpan_ThrowsNamingTheMatrix()
    {
        using var packed = GemmPackedB<float>.Create(false, 5, 4, new float[20], 4);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Compute(false, 3, 1f, new float[14], 5, packed, 0f, new float[12], 4));
        Assert.Contains("A needs 15 elements", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => GemmPackedB<float>.Create(true, 5, 4, new float[20], 4));
        Assert.Contains("leading dimension of B (4)", ex.Message);
    }

    [Fact]
    public void Create_PackedSizePastOneArray_ThrowsNamingKAndNBeforeReadingB()
    {
        // 3 · 2³⁰ values densely (reference path) and at least 4 · 2³⁰ in panels of NR ≥ 4 columns: both past
        // Array.MaxLength, though in int they wrap to sizes that look small. B is empty: the size is refused first.
        const int k = 1 << 30, n = 3;
        foreach (GemmIsa? isa in GemmTests.AvailablePaths().Select(p => (GemmIsa?)p).Append(null))
        {
            var ex = Assert.Throws<ArgumentException>(() => GemmPackedB<float>.Create(isa, GemmBlocking.For<float>(), false, k, n, [], n));
            Assert.Contains($"k = {k} rows and n = {n} columns", ex.Message);
            Assert.Contains("values exceed one array", ex.Message);
        }
        var viaDefault = Assert.Throws<ArgumentException>(() => GemmPackedB<double>.Create(true, k, n, [], k));
        Assert.Contains($"k = {k} rows and n = {n} columns", viaDefault.Message);
    }

    private static void OddSizesAllTransposes<T>(ulong seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var rng = new SeededRng(seed);
        using var pool = new WorkerPool(2);
        foreach (var (m, n, k) in GemmTests.OddShapes(OddSizes))
            for (int t = 0; t < 4; t++)
            {
                var (alpha, beta) = GemmTests.AlphaBeta<T>(rng);
                var c = GemmCase<T>.Random(rng, t >= 2, t % 2 == 1, m, n, k, pad: rng.NextInt(3), alpha, beta, nanC: beta == T.Zero);
                CheckBitIdentical(c, null, GemmBlocking.For<T>(), rng.NextInt(2) == 0 ? null : pool, $"{typeof(T).Name} t={t}");
            }
    }

    /// <summary>Runs the case unpacked and with B packed (on the given path and blocking) from the same C; the results must be equal bit for bit.</summary>
    private static void CheckBitIdentical<T>(GemmCase<T> c, GemmIsa? isa, GemmBlocking blk, WorkerPool? pool, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] start = (T[])c.C.Clone();
        GemmIsa path = isa ?? Gemm.BestIsa!.Value;
        Gemm.ComputePacked(path, blk, c.TransA, c.TransB, c.M, c.N, c.K, c.Alpha, c.A, c.Lda, c.B, c.Ldb, c.Beta, c.C, c.Ldc, pool);
        T[] unpacked = (T[])c.C.Clone();
        start.CopyTo(c.C, 0);
        using var packed = GemmPackedB<T>.Create(path, blk, c.TransB, c.K, c.N, c.B, c.Ldb);
        Gemm.Compute(c.TransA, c.M, c.Alpha, c.A, c.Lda, packed, c.Beta, c.C, c.Ldc, pool);
        TensorAssert.BitEqual<T>(unpacked, c.C,
            $"{what}: packed-B Gemm({(c.TransA ? "T" : "N")}{(c.TransB ? "T" : "N")}, m={c.M}, n={c.N}, k={c.K}, lda={c.Lda}, ldb={c.Ldb}, ldc={c.Ldc}, α={c.Alpha}, β={c.Beta})");
    }
}
