namespace SeqLearn.Kernels;

/// <summary>
/// An input vector x of <see cref="MatVecInt8"/> quantised once for every product it enters:
/// δ = max_k |x_k| / 32767 and x̂_k = <see cref="MatVecInt8.QuantizeInput"/>(x_k, δ), stored as the chosen kernel reads
/// them (AVX-VNNI: the unsigned bytes of x̂ + 32768; SDOT: the signed bytes x̂ ≫ 8 and (x̂ mod 256) − 128; otherwise x̂
/// as 16-bit integers). An x holding NaN or ±∞, or one whose δ would be subnormal (0 &lt; max_k |x_k| &lt; 32767 · 2⁻¹²⁶,
/// where δ and s_r · δ would lose the bits the error bound of docs/generation.md counts on), is kept as floats instead
/// and multiplied in float (<see cref="InFloat"/>). <see cref="Prepare"/> allocates nothing.
/// Not thread-safe while being prepared; any number of threads may multiply with it afterwards.
/// </summary>
internal sealed class Int8Input
{
    private readonly byte[] _high = [], _low = [];
    private readonly short[] _quantised = [];
    private readonly float[] _values;
    private bool _inFloat;

    /// <summary>A vector of <paramref name="length"/> elements for <paramref name="kernel"/>.</summary>
    public Int8Input(int length, Int8Kernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        (Length, Kernel) = (length, kernel);
        int k4 = MatVecInt8.PaddedCols(length);
        if (kernel is Int8Kernel.Vnni32 or Int8Kernel.Vnni64 or Int8Kernel.SignedDot128) (_high, _low) = (new byte[k4], new byte[k4]);
        else _quantised = new short[k4];
        _values = new float[length];
    }

    /// <summary>Elements of x.</summary>
    public int Length { get; }

    /// <summary>The kernel this vector is laid out for.</summary>
    public Int8Kernel Kernel { get; }

    /// <summary>δ of the last <see cref="Prepare"/>.</summary>
    public float Delta { get; private set; }

    internal ReadOnlySpan<byte> High => _high;
    internal ReadOnlySpan<byte> Low => _low;
    internal ReadOnlySpan<short> Quantised => _quantised;

    /// <summary>True when x holds NaN or ±∞ or δ would be subnormal: the product then runs in float on <see cref="Values"/> (<see cref="MatVecInt8"/>).</summary>
    internal bool InFloat => _inFloat;

    /// <summary>x itself, kept only when <see cref="InFloat"/>.</summary>
    internal ReadOnlySpan<float> Values => _values;

    /// <summary>2⁻¹²⁶, the smallest normal float.</summary>
    private const float SmallestNormal = 1.17549435e-38f;

    /// <summary>Quantises <paramref name="x"/> (<see cref="Length"/> elements).</summary>
    public void Prepare(ReadOnlySpan<float> x)
    {
        if (x.Length != Length) throw new ArgumentException($"Int8Input.Prepare: x has {x.Length} elements, expected {Length}.");
        float max = Length == 0 ? 0 : MathF.Abs(TensorPrimitives.MaxMagnitude(x));
        float delta = max / MatVecInt8.InputRange;
        _inFloat = !float.IsFinite(max) || (max != 0 && delta < SmallestNormal);
        if (_inFloat)
        {
            x.CopyTo(_values);
            Delta = float.NaN;
            return;
        }
        Delta = delta;
        if (Kernel is Int8Kernel.Vnni32 or Int8Kernel.Vnni64) MatVecInt8Kernels.SplitInput(x, Delta, _high, _low);
        else if (Kernel == Int8Kernel.SignedDot128) MatVecInt8Arm.SplitInput(x, Delta, _high, _low);
        else MatVecInt8Kernels.QuantizeInput(x, Delta, _quantised);
    }
}
