using System.Buffers.Binary;
using SeqLearn.Tensors;

namespace SeqLearn.Checkpoints;

/// <summary>The element types this implementation reads and writes in safetensors files.</summary>
public enum SafeTensorDType
{
    /// <summary>IEEE-754 binary32, little-endian ("F32").</summary>
    F32,
    /// <summary>IEEE-754 binary64, little-endian ("F64").</summary>
    F64,
    /// <summary>Signed 64-bit integer, little-endian ("I64").</summary>
    I64,
}

/// <summary>
/// One named tensor of a safetensors file: its dtype, shape and raw little-endian bytes. Build one from a
/// <see cref="Tensor{T}"/> or an <c>long[]</c>, and convert back with <see cref="ToTensor{T}"/> / <see cref="ToInt64"/>.
/// </summary>
public sealed class SafeTensor
{
    private readonly int[] _shape;

    /// <summary>Wraps raw bytes; checks that shape × dtype size equals the byte count.</summary>
    public SafeTensor(string name, SafeTensorDType dtype, int[] shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        int size = SizeOf(Checks.Defined(dtype, $"SafeTensor '{name}'", nameof(dtype)));
        if (shape.Any(d => d < 0)) throw new ArgumentException($"SafeTensor '{name}': negative dimension in shape {ShapeUtil.Format(shape)}.", nameof(shape));
        long bytes = shape.Contains(0) ? 0 : size;
        foreach (int d in shape)
        {
            bytes *= d;                                  // ≤ int.MaxValue · int.MaxValue: no long overflow
            if (bytes > int.MaxValue)
                throw new ArgumentException($"SafeTensor '{name}': shape {ShapeUtil.Format(shape)} of {dtype} needs more than {int.MaxValue} bytes.", nameof(shape));
        }
        if (bytes != data.Length)
            throw new ArgumentException($"SafeTensor '{name}': {data.Length} bytes do not hold shape {ShapeUtil.Format(shape)} of {dtype} ({bytes} bytes).", nameof(data));
        Name = name;
        DType = dtype;
        _shape = (int[])shape.Clone();
        Data = data;
    }

    /// <summary>The tensor's key in the file header.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>The shape, outermost axis first (empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The raw little-endian bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int SizeOf(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 => 4,
        SafeTensorDType.F64 or SafeTensorDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"SafeTensor.SizeOf: {dtype} is not a SafeTensorDType."),
    };

    /// <summary>The dtype that stores <typeparamref name="T"/> (F32 for float, F64 for double).</summary>
    public static SafeTensorDType DTypeOf<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? SafeTensorDType.F32
        : typeof(T) == typeof(double) ? SafeTensorDType.F64
        : throw new NotSupportedException($"SafeTensor: element type {typeof(T).Name} has no safetensors dtype here (float and double are supported).");

    /// <summary>
    /// The bytes of <paramref name="elements"/> values of <paramref name="dtype"/>, or an <see cref="ArgumentException"/>
    /// (parameter <c>tensor</c>) naming the tensor when they exceed one array.
    /// </summary>
    internal static int ByteCount(string name, string shape, long elements, SafeTensorDType dtype)
    {
        long bytes = elements * SizeOf(dtype);
        return bytes <= Array.MaxLength ? (int)bytes
            : throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"SafeTensor.FromTensor: '{name}' {shape} is {bytes:N0} bytes in {dtype}, more than one array holds ({Array.MaxLength:N0})."), "tensor");
    }

    /// <summary>Copies <paramref name="tensor"/> into a new entry.</summary>
    public static SafeTensor FromTensor<T>(string name, Tensor<T> tensor) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dtype = DTypeOf<T>();
        var bytes = new byte[ByteCount(name, tensor.ShapeString, tensor.Length, dtype)];
        ReadOnlySpan<T> src = tensor.Span;
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(src).CopyTo(bytes);
        else
            for (int i = 0; i < src.Length; i++)
            {
                if (dtype == SafeTensorDType.F32) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), float.CreateTruncating(src[i]));
                else BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), double.CreateTruncating(src[i]));
            }
        return new SafeTensor(name, dtype, tensor.ShapeArray(), bytes);
    }

    /// <summary>An I64 entry holding <paramref name="values"/> with the given shape (1-D when omitted).</summary>
    public static SafeTensor FromInt64(string name, ReadOnlySpan<long> values, int[]? shape = null)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return new SafeTensor(name, SafeTensorDType.I64, shape ?? [values.Length], bytes);
    }

    /// <summary>A new tensor with this entry's values; the dtype must be the one of <typeparamref name="T"/>.</summary>
    public Tensor<T> ToTensor<T>() where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var want = DTypeOf<T>();
        if (DType != want)
            throw new InvalidOperationException($"SafeTensor '{Name}': stored as {DType}, requested as {want} ({typeof(T).Name}).");
        var t = Tensor<T>.Zeros(_shape);
        var dst = t.Span;
        var src = Data.Span;
        if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(dst));
        else
            for (int i = 0; i < dst.Length; i++)
                dst[i] = want == SafeTensorDType.F32
                    ? T.CreateTruncating(BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]))
                    : T.CreateTruncating(BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]));
        return t;
    }

    /// <summary>The values of an I64 entry.</summary>
    public long[] ToInt64()
    {
        if (DType != SafeTensorDType.I64) throw new InvalidOperationException($"SafeTensor '{Name}': stored as {DType}, requested as I64.");
        var src = Data.Span;
        var values = new long[src.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]);
        return values;
    }
}
