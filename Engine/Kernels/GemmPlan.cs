namespace SeqLearn.Kernels;

/// <summary>
/// How one GEMM is cut into work: at most two parts by columns of C, each computed either as C or as
/// Cᵀ = op(B)ᵀ·op(A)ᵀ (whichever pads less to whole MR×NR tiles), each part split into equal groups of
/// rows (or columns) that the worker pool runs as independent items.
/// </summary>
/// <remarks>
/// The orientation and the column cut depend only on (m, n, k), never on the thread count, and every
/// element of C is owned by exactly one item that runs all KC slices in order: so 1 and N threads give
/// bit-identical results. Example: (2048, 256)·(256, 65) computes columns 0..63 directly and column 64 as
/// a transposed strip of 6-row tiles, instead of padding it to a whole 32-column tile.
/// </remarks>
internal readonly struct GemmPlan
{
    /// <summary>How a part of C is computed.</summary>
    internal enum Kind
    {
        /// <summary>MR×NR tiles of C.</summary>
        Tiles,
        /// <summary>MR×NR tiles of Cᵀ = op(B)ᵀ·op(A)ᵀ.</summary>
        TransposedTiles,
        /// <summary>One dot product per element (<see cref="Gemm.Dots"/>).</summary>
        Dots,
    }

    /// <summary>One part of C: columns [ColumnStart, ColumnEnd) of the original C.</summary>
    internal readonly record struct Part(int ColumnStart, int ColumnEnd, Kind Kind, int Groups, bool SplitRows, int GroupSize);

    public readonly Part First, Second;
    public readonly int Parts;

    private GemmPlan(Part first, Part second, int parts)
    {
        First = first;
        Second = second;
        Parts = parts;
    }

    /// <summary>Work items in total (groups of both parts).</summary>
    public int Items => First.Groups + (Parts == 2 ? Second.Groups : 0);

    /// <summary>The plan for an (m, n, k) product whose op(A) is row-major when <paramref name="aRowMajor"/>.</summary>
    public static GemmPlan Create(int m, int n, int k, bool aRowMajor, int nr, GemmBlocking blk, int threads)
    {
        int rest = n % nr;
        if (aRowMajor && rest != 0 && 2 * rest < nr)
        {
            // Whole tiles for the first n − rest columns, dot products for the rest (half the FMA rate of a
            // tile, but no padding: cheaper whenever rest < NR/2).
            var dots = MakePart(n - rest, n, Kind.Dots, m, rest, nr, threads);
            return n == rest ? new GemmPlan(dots, default, 1)
                : new GemmPlan(MakePart(0, n - rest, Kind.Tiles, m, n - rest, nr, threads), dots, 2);
        }
        // A transposed tile goes through a strided copy of C on the way in and out: about 2·MR·NR scalar
        // moves per tile and KC slice, against 6 cycles of FMAs per step of k, i.e. roughly 64/kc extra.
        double penalty = 1 + 64.0 / Math.Min(k, blk.KC);
        double normal = Cost(m, n, nr, 1);
        double transposed = Cost(n, m, nr, penalty);
        double split = n > nr && rest != 0 ? Cost(m, n - rest, nr, 1) + Cost(rest, m, nr, penalty) : double.MaxValue;
        if (split < normal && split < transposed)
            return new GemmPlan(MakePart(0, n - rest, Kind.Tiles, m, n - rest, nr, threads),
                                MakePart(n - rest, n, Kind.TransposedTiles, rest, m, nr, 1), 2);
        return transposed < normal
            ? new GemmPlan(MakePart(0, n, Kind.TransposedTiles, n, m, nr, threads), default, 1)
            : new GemmPlan(MakePart(0, n, Kind.Tiles, m, n, nr, threads), default, 1);
    }

    /// <summary>Multiply-adds actually issued when (rows, cols) is padded to whole tiles.</summary>
    private static double Cost(int rows, int cols, int nr, double penalty) =>
        (double)GemmBlocking.RoundUp(rows, Gemm.MR) * GemmBlocking.RoundUp(cols, nr) * penalty;

    /// <summary>Splits a part whose kernel-side shape is (rows, cols) into at most <paramref name="threads"/> groups.</summary>
    private static Part MakePart(int c0, int c1, Kind kind, int rows, int cols, int nr, int threads)
    {
        int rowTiles = (rows + Gemm.MR - 1) / Gemm.MR, colTiles = (cols + nr - 1) / nr;
        if (threads <= 1 || rowTiles * colTiles < 2)
            return new Part(c0, c1, kind, 1, true, rows);
        bool splitRows = kind == Kind.Dots || rowTiles >= colTiles || rowTiles >= threads;
        int tiles = splitRows ? rowTiles : colTiles;
        int groups = Math.Min(threads, tiles);
        int tilesPerGroup = (tiles + groups - 1) / groups;
        groups = (tiles + tilesPerGroup - 1) / tilesPerGroup;
        return new Part(c0, c1, kind, groups, splitRows, tilesPerGroup * (splitRows ? Gemm.MR : nr));
    }
}
