using SeqLearn.Kernels;

namespace SeqLearn.Models;

/// <summary>
/// One weight matrix of <see cref="LanguageModelStepper"/>: its rows cut into blocks (the chunks of hidden units, or
/// the whole decoder as one block), each block stored transposed for the mat-vec kernel of the chosen precision:
/// <list type="bullet">
/// <item>float32: (cols, n) floats per block, <see cref="MatVec.MultiplyTransposed"/>;</item>
/// <item>bfloat16: <see cref="MatVecBf16.PackTransposed"/> per block;</item>
/// <item>int8: <see cref="MatVecInt8.PackTransposed"/> per block, with the per-row scales and sums of q in row order.</item>
/// </list>
/// Blocks before the last have a row count divisible by 32, so no padding sits between blocks and block r0 starts
/// at element r0 · cols (half of that in words for bfloat16; byte r0 · K4 for int8, K4 = cols rounded up to 4) after
/// the first stored element, which is 64-byte aligned in a pinned array. The int8 kernels' loads then never straddle two
/// cache lines (blocks of 32 rows, 128 bytes per group of 4 columns); float32 and bfloat16 blocks whose row count is
/// not a multiple of 16 still have some.
/// </summary>
internal sealed class StepperMatrix
{
    private readonly float[] _float = [];
    private readonly uint[] _bf16 = [];
    private readonly sbyte[] _int8 = [];
    private readonly float[] _scales = [];
    private readonly int[] _sums = [];
    private readonly int _cols, _start;   // _start: index of the first stored element (64-byte aligned)

    /// <summary>Stores <paramref name="rows"/> (row-major, <paramref name="cols"/> wide) block by block; blocks are (first row, rows) in order.</summary>
    public StepperMatrix(ReadOnlySpan<float> rows, int cols, StepperPrecision precision, IReadOnlyList<(int R0, int Count)> blocks)
    {
        (Precision, _cols) = (precision, cols);
        var (lastR0, lastCount) = blocks[^1];
        switch (precision)
        {
            case StepperPrecision.Float32:
                (_float, _start) = Aligned<float>(rows.Length);
                foreach (var (r0, n) in blocks) Transpose(rows.Slice(r0 * cols, n * cols), n, cols).CopyTo(_float.AsSpan(_start + r0 * cols));
                break;
            case StepperPrecision.BFloat16:
                (_bf16, _start) = Aligned<uint>(lastR0 * cols / 2 + cols * MatVecBf16.PaddedRows(lastCount) / 2);
                foreach (var (r0, n) in blocks) MatVecBf16.PackTransposed(rows.Slice(r0 * cols, n * cols), n, cols).CopyTo(_bf16.AsSpan(_start + r0 * cols / 2));
                break;
            default:
                (_int8, _start) = Aligned<sbyte>(lastR0 * MatVecInt8.PaddedCols(cols) + MatVecInt8.PackedLength(lastCount, cols));
                _scales = new float[lastR0 + lastCount];
                _sums = new int[lastR0 + lastCount];
                foreach (var (r0, n) in blocks)
                {
                    var (q, s, sums) = MatVecInt8.PackTransposed(rows.Slice(r0 * cols, n * cols), n, cols);
                    q.CopyTo(_int8.AsSpan(_start + r0 * MatVecInt8.PaddedCols(cols)));
                    s.CopyTo(_scales.AsSpan(r0));
                    sums.CopyTo(_sums.AsSpan(r0));
                }
                break;
        }
    }

    public StepperPrecision Precision { get; }

    /// <summary>
    /// y ← W[r0 : r0 + n] x (+ bias) for the block starting at row <paramref name="r0"/> with n = y.Length rows;
    /// int8 multiplies by <paramref name="xq"/> (required), x quantised once for every block.
    /// </summary>
    public void Multiply(int r0, ReadOnlySpan<float> x, Int8Input? xq, ReadOnlySpan<float> bias, Span<float> y)
    {
        int n = y.Length;
        switch (Precision)
        {
            case StepperPrecision.Float32:
                MatVec.MultiplyTransposed(_float.AsSpan(_start + r0 * _cols, n * _cols), x, bias, y);
                break;
            case StepperPrecision.BFloat16:
                MatVecBf16.MultiplyTransposed(_bf16.AsSpan(_start + r0 * _cols / 2, _cols * MatVecBf16.PaddedRows(n) / 2), x, bias, y);
                break;
            default:
                ReadOnlySpan<sbyte> q = _int8.AsSpan(_start + r0 * MatVecInt8.PaddedCols(_cols), MatVecInt8.PackedLength(n, _cols));
                ReadOnlySpan<float> s = _scales.AsSpan(r0, n);
                ReadOnlySpan<int> sums = _sums.AsSpan(r0, n);
                MatVecInt8.MultiplyTransposed(q, s, sums, xq ?? throw new ArgumentNullException(nameof(xq), "StepperMatrix: int8 multiplies by x quantised once per step."), bias, y);
                break;
        }
    }

    /// <summary>A pinned array of <paramref name="length"/> elements (and up to 64 bytes more) and the index of its first 64-byte aligned element.</summary>
    private static unsafe (T[] Array, int Start) Aligned<T>(int length) where T : unmanaged
    {
        var array = GC.AllocateArray<T>(length + 64 / sizeof(T), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (array, (int)((64 - (address & 63)) & 63) / sizeof(T));
    }

    /// <summary>(rows, cols) row-major → (cols, rows) row-major.</summary>
    private static float[] Transpose(ReadOnlySpan<float> a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < cols; k++)
                t[k * rows + r] = a[r * cols + k];
        return t;
    }
}
