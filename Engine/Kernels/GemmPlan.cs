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
    /// <summary>One part of C: columns [ColumnStart, ColumnEnd) of the original C.</summary>
    internal readonly record struct Part(int ColumnStart, int ColumnEnd, bool Transposed, int Groups, bool SplitRows, int GroupSize);

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

    public static GemmPlan Create(int m, int n, int k, int nr, GemmBlocking blk, int threads)
    {
        // A transposed tile goes through a strided copy of C on the way in and out: roughly 64 element
        // moves per kernel step of one tile, relative to its 6 steps per k... i.e. ~64/kc extra.
        double penalty = 1 + 64.0 / Math.Min(k, blk.KC);
        double normal = Cost(m, n, nr, 1);
        double transposed = Cost(n, m, nr, penalty);
        int rest = n % nr;
        double split = n > nr && rest != 0 ? Cost(m, n - rest, nr, 1) + Cost(rest, m, nr, penalty) : double.MaxValue;
        if (split < normal && split < transposed)
            return new GemmPlan(MakePart(0, n - rest, false, m, n - rest, nr, threads),
                                MakePart(n - rest, n, true, rest, m, nr, 1), 2);
        bool t = transposed < normal;
        return new GemmPlan(t ? MakePart(0, n, true, n, m, nr, threads) : MakePart(0, n, false, m, n, nr, threads), default, 1);
    }

    /// <summary>Multiply-adds actually issued when (rows, cols) is padded to whole tiles.</summary>
    private static double Cost(int rows, int cols, int nr, double penalty) =>
        (double)GemmBlocking.RoundUp(rows, Gemm.MR) * GemmBlocking.RoundUp(cols, nr) * penalty;

    /// <summary>Splits a part whose kernel-side shape is (rows, cols) into at most <paramref name="threads"/> groups.</summary>
    private static Part MakePart(int c0, int c1, bool transposed, int rows, int cols, int nr, int threads)
    {
        int rowTiles = (rows + Gemm.MR - 1) / Gemm.MR, colTiles = (cols + nr - 1) / nr;
        if (threads <= 1 || rowTiles * colTiles < 2)
            return new Part(c0, c1, transposed, 1, true, rows);
        bool splitRows = rowTiles >= colTiles || rowTiles >= threads;
        int tiles = splitRows ? rowTiles : colTiles;
        int groups = Math.Min(threads, tiles);
        int tilesPerGroup = (tiles + groups - 1) / groups;
        groups = (tiles + tilesPerGroup - 1) / tilesPerGroup;
        return new Part(c0, c1, transposed, groups, splitRows, tilesPerGroup * (splitRows ? Gemm.MR : nr));
    }
}
