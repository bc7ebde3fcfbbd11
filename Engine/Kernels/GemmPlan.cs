namespace SeqLearn.Kernels;

/// <summary>
/// How one GEMM is cut into work: at most two parts by columns of C, each computed as tiles of C, as tiles of
/// Cᵀ = op(B)ᵀ·op(A)ᵀ, or as dot products (dot products for the last n mod NR &lt; NR/2 columns when op(A) is row-major;
/// otherwise whichever a rough cost model of tile padding and packing rates cheapest), each part split into equal
/// groups of rows (or columns) that the worker pool runs as independent items.
/// </summary>
/// <remarks>
/// The orientation and the column cut depend only on (m, n, k) and the storage, never on the thread count, and every
/// element of C is owned by exactly one item that runs all KC slices in order: so 1 and N threads give
/// bit-identical results. Example (NR = 32): (2048, 256)·(256, 65) computes columns 0..63 as tiles and column 64 as dot
/// products, instead of padding it to a whole 32-column tile; with op(A) transposed the cost model computes all of it
/// as tiles of Cᵀ, and (2048, 256)·(256, 257) with op(A) transposed computes columns 0..255 as tiles and column 256
/// as one strip of Cᵀ tiles.
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

    /// <summary>
    /// The plan for an (m, n, k) product; <paramref name="aRowMajor"/> / <paramref name="bRowMajor"/> say whether
    /// op(A) / op(B) are stored row-major (not transposed), which decides how cheaply they pack.
    /// </summary>
    public static GemmPlan Create(int m, int n, int k, bool aRowMajor, bool bRowMajor, bool vectorTransposePack, int nr, GemmBlocking blk, int threads)
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
        // Computing Cᵀ swaps the operands: op(B)ᵀ is row-major exactly when op(B) is not, and so on.
        double gather = vectorTransposePack ? 0.125 : 1.0;
        double normal = Cycles(m, n, k, aRowMajor, bRowMajor ? 0.125 : gather, transposedC: false, nr, blk);
        double transposed = Cycles(n, m, k, !bRowMajor, !aRowMajor ? 0.125 : gather, transposedC: true, nr, blk);
        double split = n > nr && rest != 0
            ? Cycles(m, n - rest, k, aRowMajor, bRowMajor ? 0.125 : gather, false, nr, blk) +
              Cycles(rest, m, k, !bRowMajor, !aRowMajor ? 0.125 : gather, true, nr, blk)
            : double.MaxValue;
        if (split < normal && split < transposed)
            return new GemmPlan(MakePart(0, n - rest, Kind.Tiles, m, n - rest, nr, threads),
                                MakePart(n - rest, n, Kind.TransposedTiles, rest, m, nr, 1), 2);
        return transposed < normal
            ? new GemmPlan(MakePart(0, n, Kind.TransposedTiles, n, m, nr, threads), default, 1)
            : new GemmPlan(MakePart(0, n, Kind.Tiles, m, n, nr, threads), default, 1);
    }

    /// <summary>
    /// A rough cost model, in core cycles per step of k, of computing a (rows, cols) C with whole MR×NR tiles
    /// (a two-vector tile issues NR multiply-adds per cycle: 2 FMAs of NR/2 lanes; the model assumes that rate on every
    /// path), plus packing: a row of B costs <paramref name="bPackCost"/> per element (~1/8 cycle for a vector copy
    /// or 8×8 transposes, ~1 for a scalar gather); a column of A ~1/2 cycle per element when packed, ~1/4 when read in place (six
    /// strided streams from memory); a tile of Cᵀ is copied out through a strided scalar loop once per
    /// k slice (~1 cycle per element; a block of Cᵀ over several slices is gathered and written back once instead,
    /// <c>GemmJob.DenseBlock</c>, which this term overstates, so it errs towards plain tiles). Measured on Zen 5; only
    /// the ranking matters.
    /// </summary>
    private static double Cycles(int rows, int cols, int k, bool aRowMajor, double bPackCost, bool transposedC, int nr, GemmBlocking blk)
    {
        double tileElements = (double)GemmBlocking.RoundUp(rows, Gemm.MR) * GemmBlocking.RoundUp(cols, nr);
        double cycles = tileElements / nr;
        cycles += cols * bPackCost;
        cycles += aRowMajor && cols <= Gemm.DirectAMaxPanels * nr ? rows * 0.25 : rows * 0.5 * ((cols + blk.NC - 1) / blk.NC);
        if (transposedC) cycles += tileElements / Math.Min(k, blk.MaxKC);
        return cycles;
    }

    /// <summary>Splits a part whose kernel-side shape is (rows, cols) into at most <paramref name="threads"/> groups.</summary>
    private static Part MakePart(int c0, int c1, Kind kind, int rows, int cols, int nr, int threads)
    {
        int rowTiles = (rows + Gemm.MR - 1) / Gemm.MR, colTiles = (cols + nr - 1) / nr;
        if (threads <= 1 || rowTiles * colTiles < 2)
            return new Part(c0, c1, kind, 1, true, rows);
        // Splitting rows makes every group pack all of B, splitting columns all of A: split the longer side.
        bool splitRows = kind == Kind.Dots || rows >= cols || colTiles < threads;
        int tiles = splitRows ? rowTiles : colTiles;
        int groups = Math.Min(threads, tiles);
        int tilesPerGroup = (tiles + groups - 1) / groups;
        groups = (tiles + tilesPerGroup - 1) / tilesPerGroup;
        return new Part(c0, c1, kind, groups, splitRows, tilesPerGroup * (splitRows ? Gemm.MR : nr));
    }
}
