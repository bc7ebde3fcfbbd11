using System.Buffers;

namespace SeqLearn.Tensors;

/// <summary>
/// A dense, contiguous, row-major n-dimensional array of <typeparamref name="T"/> (float or double).
/// Shapes use the letters of docs/notation.md. A tensor is plain storage: it has no gradient and no graph
/// (that is <see cref="SeqLearn.Autograd.Var{T}"/>'s job).
/// </summary>
/// <remarks>
/// Element (i0, i1, ..., ik) lives at <c>offset + Σ i_j · stride_j</c> with row-major strides, so the last
/// axis is contiguous. <see cref="Reshape"/> returns a view that shares storage.
/// </remarks>
public sealed partial class Tensor<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _data;
    private readonly int _offset;
    private readonly int[] _shape;

    /// <summary>True when <see cref="_data"/> was rented by <see cref="RentZeros(Tensor{T})"/> and goes back with <see cref="ReturnRented"/>.</summary>
    private bool _rented;
    private bool _owned;     // a RentZeros buffer: no one else holds its storage, so it may be moved (TakeOwned)
    private bool _viewed;    // a view (Reshape, Rows) shares the storage: Release must not hand it to the pool
    private bool _released;  // Release was called: the storage may belong to another tensor now

    /// <summary>How many recorded ops have this tensor as their output and have not run their backward (their Var's graph is not released).</summary>
    private int _pendingGraphs;
    private bool _releaseRequested; // Release was called while a backward may still read the tensor: done when the last one has run

    private Tensor(T[] data, int offset, int[] shape, bool rented)
        : this(data, offset, shape) => _rented = rented;

    private Tensor(T[] data, int offset, int[] shape)
    {
        _data = data;
        _offset = offset;
        _shape = shape;
        Length = ShapeUtil.Product(shape, "Tensor");
        if (offset < 0 || (long)offset + Length > data.Length)
            throw new ArgumentException($"Tensor: storage of {data.Length} elements cannot hold shape {ShapeUtil.Format(shape)} at offset {offset}.");
    }

    /// <summary>The sizes of the axes, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>A copy of the shape, for APIs that need an array.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>Number of axes.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements (1 for a scalar of rank 0).</summary>
    public int Length { get; }

    /// <summary>The elements in row-major order.</summary>
    public Span<T> Span => _released ? throw Released() : _data.AsSpan(_offset, Length);

    /// <summary>Size of axis <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank, "Dim")];

    /// <summary>The element at the given multi-index.</summary>
    public T this[params int[] index]
    {
        get => _released ? throw Released() : _data[_offset + FlatIndex(index)];
        set => (_released ? throw Released() : _data)[_offset + FlatIndex(index)] = value;
    }

    /// <summary>The shape formatted as <c>(2, 3)</c>.</summary>
    public string ShapeString => ShapeUtil.Format(_shape);

    // ---- factories -------------------------------------------------------------------------------

    /// <summary>A new tensor of zeros.</summary>
    public static Tensor<T> Zeros(params int[] shape) => Zeros(shape, "Zeros");

    /// <summary><see cref="Zeros(int[])"/> for the factory <paramref name="op"/>, which a shape error names.</summary>
    private static Tensor<T> Zeros(int[] shape, string op)
    {
        var (copy, length) = CopyShape(shape, op);
        return new(new T[length], 0, copy);
    }

    /// <summary>A new tensor of ones.</summary>
    public static Tensor<T> Ones(params int[] shape) => Full(T.One, shape, "Ones");

    /// <summary>A new tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Full(T value, params int[] shape) => Full(value, shape, "Full");

    private static Tensor<T> Full(T value, int[] shape, string op)
    {
        var t = Zeros(shape, op);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor<T> Scalar(T value) => new([value], 0, []);

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape.</summary>
    public static Tensor<T> FromArray(T[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (copy, n) = CopyShape(shape, "FromArray");
        if (n != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} elements do not fill shape {ShapeUtil.Format(shape)} ({n} elements).", nameof(data));
        return new Tensor<T>(data, 0, copy);
    }

    /// <summary>
    /// A copy of <paramref name="shape"/> (the tensor's own, which the caller cannot change) and its element count;
    /// throws for a null shape and as <see cref="ShapeUtil.Product"/> does, naming <paramref name="op"/>.
    /// </summary>
    private static (int[] Shape, int Length) CopyShape(int[] shape, string op)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int length = ShapeUtil.Product(shape, op);
        return ((int[])shape.Clone(), length);
    }

    /// <summary>
    /// A new tensor of independent draws from U(<paramref name="low"/>, <paramref name="high"/>): low + (high − low)·u
    /// for a double u in [0, 1), rounded to T, so a float draw can round to <paramref name="high"/> itself, as in
    /// PyTorch's <c>uniform_</c>.
    /// </summary>
    public static Tensor<T> Uniform(int[] shape, T low, T high, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(low <= high) || !T.IsFinite(high - low))
            throw new ArgumentOutOfRangeException(nameof(high), $"Tensor.Uniform: need finite low ≤ high, got low = {low}, high = {high}.");
        var t = Zeros(shape, "Tensor.Uniform");
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
            s[i] = low + (high - low) * T.CreateTruncating(rng.NextDouble());
        return t;
    }

    /// <summary>
    /// A new tensor of independent draws from N(<paramref name="mean"/>, <paramref name="std"/>²); a negative or
    /// non-finite <paramref name="std"/>, or a non-finite <paramref name="mean"/>, is refused (PyTorch's <c>normal_</c>
    /// refuses std &lt; 0).
    /// </summary>
    public static Tensor<T> Normal(int[] shape, T mean, T std, SeededRng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!T.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), $"Tensor.Normal: need a finite mean, got {mean}.");
        if (!(std >= T.Zero) || !T.IsFinite(std))
            throw new ArgumentOutOfRangeException(nameof(std), $"Tensor.Normal: need a finite std ≥ 0, got {std}.");
        var t = Zeros(shape, "Tensor.Normal");
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
            s[i] = mean + std * T.CreateTruncating(rng.NextNormal());
        return t;
    }

    // ---- views and copies ------------------------------------------------------------------------

    /// <summary>
    /// A view with a new shape over the same storage (writes through). One axis may be -1 and is inferred.
    /// </summary>
    public Tensor<T> Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var resolved = ShapeUtil.ResolveReshape(shape, Length, _shape);
        if (_released) throw Released();
        _viewed = true;
        return new Tensor<T>(_data, _offset, resolved);
    }

    /// <summary>A view of rows [<paramref name="start"/>, start + count) along axis 0 (shares storage).</summary>
    public Tensor<T> Rows(int start, int count)
    {
        if (Rank == 0) throw new ArgumentException("Rows: a scalar has no rows.");
        if (start < 0 || count < 0 || start > _shape[0] - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows: [{start}, {(long)start + count}) is outside axis 0 of shape {ShapeString}.");
        int rowLen = _shape[0] == 0 ? 0 : Length / _shape[0];
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        if (_released) throw Released();
        _viewed = true;
        return new Tensor<T>(_data, _offset + start * rowLen, shape);
    }

    /// <summary>A new zero tensor with the same shape as <paramref name="like"/>.</summary>
    public static Tensor<T> ZerosLike(Tensor<T> like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return new(new T[like.Length], 0, like._shape);
    }

    /// <summary>
    /// A new tensor shaped like <paramref name="like"/> whose contents are undefined, for an op that writes every element
    /// before anything reads it (the GC skips zeroing a large array).
    /// </summary>
    internal static Tensor<T> UninitializedLike(Tensor<T> like) => new(GC.AllocateUninitializedArray<T>(like.Length), 0, like._shape);

    /// <summary><see cref="UninitializedLike"/> for a shape.</summary>
    internal static Tensor<T> Uninitialized(params int[] shape)
    {
        var (copy, length) = CopyShape(shape, "Uninitialized");
        return new(GC.AllocateUninitializedArray<T>(length), 0, copy);
    }

    /// <summary>From this many elements on, <see cref="RentZeros(Tensor{T})"/> takes its storage from the array pool (64 KB of floats).</summary>
    internal const int RentFromElements = 1 << 14;

    /// <summary>
    /// Zeros shaped like <paramref name="like"/> whose storage, when large, is rented from <see cref="ArrayPool{T}.Shared"/>
    /// (and may be longer than needed; only <see cref="Span"/> is used). For a buffer with a known end, such as an
    /// intermediate gradient that backward drops once its node has run: fresh multi-megabyte arrays cost more in
    /// page faults than the arithmetic that fills them (docs/autograd.md#pooled-gradients). Give it back with
    /// <see cref="ReturnRented"/> once nothing reads it.
    /// </summary>
    internal static Tensor<T> RentZeros(Tensor<T> like) => RentZerosShaped(like._shape, like.Length);

    /// <summary><see cref="RentZeros(Tensor{T})"/> for a shape (e.g. a layer's output that only the next layer reads).</summary>
    internal static Tensor<T> RentZeros(params int[] shape)
    {
        var (copy, length) = CopyShape(shape, "RentZeros");
        return RentZerosShaped(copy, length);
    }

    private static Tensor<T> RentZerosShaped(int[] shape, int length)
    {
        if (length < RentFromElements) return new(new T[length], 0, shape) { _owned = true };
        var data = ArrayPool<T>.Shared.Rent(length);
        PageCommit.Populate(data.AsSpan(0, length));
        data.AsSpan(0, length).Clear();
        return new Tensor<T>(data, 0, shape, rented: true) { _owned = true };
    }

    /// <summary>
    /// Moves the storage of a <see cref="RentZeros(Tensor{T})"/> buffer into a new tensor shaped like <paramref name="like"/>
    /// (same length) that owns it afterwards (and gives it back to the pool, if rented); this one keeps pointing at the data
    /// without owning it. Null for any other tensor, one a view (<see cref="Reshape"/>, <see cref="Rows"/>) shares, or a
    /// different length: only such buffers are known to have no other user.
    /// </summary>
    internal Tensor<T>? TakeOwned(Tensor<T> like)
    {
        if (!_owned || _viewed || like.Length != Length) return null;
        var moved = new Tensor<T>(_data, _offset, like._shape, _rented) { _owned = true };        // shapes are never mutated: shared
        (_rented, _owned) = (false, false);
        return moved;
    }

    /// <summary>
    /// Gives rented storage back to the pool (nothing for an ordinary tensor, a view, or storage a view shares, which the
    /// view may still read) and forgets that it was rented or
    /// owned, so a second call, or a <see cref="TakeOwned"/> afterwards, cannot hand the same array to the pool again.
    /// The tensor must not be used afterwards.
    /// </summary>
    internal void ReturnRented()
    {
        if (_rented && !_viewed) ArrayPool<T>.Shared.Return(_data);
        (_rented, _owned) = (false, false);
    }

    /// <summary>
    /// Zeros whose storage, when large, is rented from the array pool and given back only by <see cref="Release"/>: for
    /// an output the caller owns, such as a recurrent layer's Y (B, T, D·H). A caller that never releases it loses nothing
    /// but the pool's copy (the GC collects the array as usual); one that releases it gets the same memory, already
    /// mapped, for the next call, where a new array's first writes cost up to ~3 ms per MiB on a virtual machine
    /// (docs/autograd.md#releasing-outputs).
    /// </summary>
    internal static Tensor<T> PooledZeros(params int[] shape)
    {
        var t = RentZeros(shape);
        t._owned = false; // its storage leaves with the caller: never moved by TakeOwned
        return t;
    }

    /// <summary>
    /// Declares that the caller will not read this tensor again: PyTorch's <c>del y</c>. .NET frees memory when its
    /// collector runs, not when the last reference goes, so a loop that drops a large output each pass says so to get
    /// its memory back at once. Storage the library took from its array pool (a recurrent layer's output) goes back to
    /// the pool for the next call, unless a view (<see cref="Reshape"/>, <see cref="Rows"/>) shares it; any other storage
    /// is left to the GC. Afterwards every access to this tensor's elements, through any Var that holds it, throws
    /// <see cref="ObjectDisposedException"/>; a span taken before the call must not be used either. While the tensor is the
    /// output of a recorded op whose backward has not run (that backward may read it), the release waits for it and
    /// happens when the graph is released; an output no backward reaches is then left to the GC, as PyTorch's graph
    /// keeps such a tensor. A second call does nothing.
    /// </summary>
    public void Release()
    {
        if (_released) return;
        if (_pendingGraphs > 0)
        {
            _releaseRequested = true;
            return;
        }
        if (_rented && !_viewed) ArrayPool<T>.Shared.Return(_data);
        (_rented, _owned, _released, _releaseRequested) = (false, false, true, false);
    }

    /// <summary>True once <see cref="Release"/> has given the storage up (false while it waits for a backward).</summary>
    public bool IsReleased => _released;

    /// <summary>A recorded op made this tensor its output: a release waits until <see cref="GraphReleased"/>.</summary>
    internal void GraphRecorded() => _pendingGraphs++;

    /// <summary>The backward of an op whose output this is has run: a release asked for meanwhile happens now.</summary>
    internal void GraphReleased()
    {
        if (--_pendingGraphs == 0 && _releaseRequested) Release();
    }

    /// <summary>Throws the <see cref="ObjectDisposedException"/> of any access after <see cref="Release"/>: for loads that check every input before they copy any.</summary>
    internal void ThrowIfReleased()
    {
        if (_released) throw Released();
    }

    private ObjectDisposedException Released() =>
        new($"Tensor {ShapeUtil.Format(_shape)}", "the tensor was released (Tensor.Release / Var.Release) and its storage may belong to another tensor now.");

    /// <summary>A deep copy with its own storage.</summary>
    public Tensor<T> Clone()
    {
        var t = Zeros(_shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>True when both tensors have the same shape.</summary>
    public bool SameShape(Tensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Shape.SequenceEqual(other.Shape);
    }

    /// <summary>A tensor of the same shape converted element by element to <typeparamref name="TOut"/>.</summary>
    public Tensor<TOut> Cast<TOut>() where TOut : unmanaged, IBinaryFloatingPointIeee754<TOut>
    {
        var t = Tensor<TOut>.Zeros(_shape);
        var src = Span;
        var dst = t.Span;
        for (int i = 0; i < src.Length; i++) dst[i] = TOut.CreateTruncating(src[i]);
        return t;
    }

    /// <summary>The elements copied into a new array.</summary>
    public T[] ToArray() => Span.ToArray();

    /// <summary>
    /// The flat index of the largest element, the first one on ties, as PyTorch's <c>argmax()</c>; NaN counts as
    /// the largest (as in PyTorch). An empty tensor is an error.
    /// </summary>
    public int ArgMax()
    {
        if (Length == 0) throw new InvalidOperationException($"ArgMax: the tensor {ShapeString} is empty.");
        if (_released) throw Released();
        return new Tensor<T>(_data, _offset, [Length]).ArgMax(0)[0]; // a flat alias: unlike Reshape, it marks no view that would keep Release from the pool
    }

    /// <summary>
    /// The index of the largest element along <paramref name="axis"/> (negative counts from the end) for every position
    /// of the other axes, first on ties, as PyTorch's <c>argmax(dim)</c>: a (B, V) tensor gives B indices for axis 1.
    /// The result is laid out in the order of the remaining axes.
    /// </summary>
    public int[] ArgMax(int axis)
    {
        int a = ShapeUtil.NormalizeAxis(axis, Rank, "ArgMax");
        int n = _shape[a];
        if (n == 0) throw new InvalidOperationException($"ArgMax: axis {axis} of {ShapeString} is empty.");
        int inner = 1, outer = 1;
        for (int i = a + 1; i < Rank; i++) inner *= _shape[i];
        for (int i = 0; i < a; i++) outer *= _shape[i];
        var result = new int[outer * inner];
        var x = Span;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int best = 0;
                T bestValue = x[o * n * inner + j];
                for (int k = 1; k < n && !T.IsNaN(bestValue); k++)
                {
                    T v = x[(o * n + k) * inner + j];
                    if (v > bestValue || T.IsNaN(v)) (best, bestValue) = (k, v);
                }
                result[o * inner + j] = best;
            }
        return result;
    }

    private int FlatIndex(int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length != Rank)
            throw new ArgumentException($"Indexer: {index.Length} indices for a tensor of shape {ShapeString}.", nameof(index));
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d])
                throw new ArgumentOutOfRangeException(nameof(index), $"Indexer: index {index[d]} out of range for axis {d} of shape {ShapeString}.");
            flat = flat * _shape[d] + index[d];
        }
        return flat;
    }
}
