namespace SeqLearn.Kernels;

/// <summary>
/// Cache-blocking sizes of the packed GEMM (BLIS names; docs/kernels.md explains the choice):
/// a (KC, NR) packed panel of B stays in L1 while the kernel streams every MR-row sliver of the
/// (MC, KC) packed block of A out of L2; the (KC, NC) packed panel of B lives in L2/L3.
/// </summary>
/// <param name="MC">Rows of op(A) packed at once (a multiple of <see cref="Gemm.MR"/>).</param>
/// <param name="KC">Depth of one rank-KC update. Fixed for a given element type: it sets the rounding order.</param>
/// <param name="NC">Columns of op(B) packed at once.</param>
internal readonly record struct GemmBlocking(int MC, int KC, int NC)
{
    /// <summary>The sizes used by <c>Gemm.Compute</c> (tuned on Zen 5: 48 KiB L1d, 1 MiB L2).</summary>
    public static GemmBlocking For<T>() where T : unmanaged =>
        Unsafe.SizeOf<T>() == 4 ? new(MC: 144, KC: 256, NC: 1024) : new(MC: 72, KC: 256, NC: 512);

    /// <summary>The deepest slice: a k up to 5/4·KC is done in one slice rather than KC plus a short tail.</summary>
    public int MaxKC => KC * 5 / 4;

    /// <summary>Depth of the k slice that starts at <paramref name="pc"/>; depends only on k, as determinism requires.</summary>
    public int Slice(int k, int pc) => k <= MaxKC ? k : Math.Min(KC, k - pc);

    /// <summary>
    /// Whole sequences of <paramref name="rowLength"/> rows that fit one k slice (⌊KC / rowLength⌋, at least one): a
    /// weight gradient summed in chunks of that many sequences starts every sequence's terms in a fresh slice, so each
    /// sequence is one multiply-add chain, alone or in a padded batch (docs/masking.md §3.4).
    /// </summary>
    public int SequencesPerSlice(int rowLength) => Math.Max(1, KC / rowLength);

    /// <summary>Elements of workspace one thread needs: packed A block, packed B panel, one C tile.</summary>
    public int WorkspaceElements(int nr) => MC * MaxKC + MaxKC * RoundUp(NC, nr) + Gemm.MR * nr;

    public static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}

/// <summary>One (KC, NC) slice of the loop nest.</summary>
/// <param name="Jc">First column of C.</param>
/// <param name="Nc">Number of columns.</param>
/// <param name="Pc">First step of k.</param>
/// <param name="Kc">Number of steps of k.</param>
/// <param name="Beta">β for this slice: the caller's β on the first slice, 1 afterwards.</param>
/// <param name="BetaZero">True on the first slice when β = 0: C is written without being read.</param>
/// <param name="PanelByPanel">Pack each B panel just before use instead of the whole slice up front.</param>
internal readonly record struct GemmSlice<T>(int Jc, int Nc, int Pc, int Kc, T Beta, bool BetaZero, bool PanelByPanel)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static GemmSlice<T> Create(in GemmOperands<T> op, int jc, int nc, int pc, int kc, bool panelByPanel) =>
        new(jc, nc, pc, kc, pc == 0 ? op.Beta : T.One, pc == 0 && op.Beta == T.Zero, panelByPanel);
}

/// <summary>The three regions of one thread's packing workspace.</summary>
internal readonly unsafe struct GemmWorkspaceView<T> where T : unmanaged
{
    /// <summary>Packed A block (MC, MaxKC), packed B slice (MaxKC, NC), one MR×NR C tile.</summary>
    public readonly T* A, B, Tile;

    private GemmWorkspaceView(T* a, T* b, T* tile)
    {
        A = a;
        B = b;
        Tile = tile;
    }

    public static GemmWorkspaceView<T> ForThisThread(GemmBlocking blk, int nr)
    {
        T* a = GemmWorkspace.Get<T>(blk.WorkspaceElements(nr));
        T* b = a + blk.MC * blk.MaxKC;
        return new GemmWorkspaceView<T>(a, b, b + blk.MaxKC * GemmBlocking.RoundUp(blk.NC, nr));
    }
}
