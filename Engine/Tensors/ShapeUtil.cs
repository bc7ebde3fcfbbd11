using System.Runtime.CompilerServices;

namespace SeqLearn.Tensors;

/// <summary>Shape arithmetic and the error messages that name the op and the shapes.</summary>
internal static class ShapeUtil
{
    /// <summary>Formats a shape as <c>(2, 3)</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    /// <summary>
    /// Number of elements of a shape; throws for negative sizes or more than <see cref="Array.MaxLength"/> elements,
    /// naming <paramref name="op"/>. A shape with a zero axis has no elements whatever its other axes.
    /// </summary>
    public static int Product(ReadOnlySpan<int> shape, string op)
    {
        bool empty = false;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"{op}: negative size in shape {Format(shape)}.", nameof(shape));
            empty |= d == 0;
        }
        if (empty) return 0;
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"{op}: shape {Format(shape)} has more than {Array.MaxLength} elements.", nameof(shape));
        }
        return (int)n;
    }

    /// <summary>
    /// <paramref name="length"/>, a buffer size computed in 64 bits, as an int when one array holds it; otherwise an
    /// <see cref="ArgumentException"/> "<c>{owner}: {what} = {length} values exceed one array ({Array.MaxLength}); {advice}</c>",
    /// raised before anything of that size is allocated.
    /// </summary>
    public static int ArrayLength(long length, string owner, string what, string advice) => length <= Array.MaxLength
        ? (int)length
        : throw TooLong(length, owner, what, advice);

    /// <summary>
    /// <see cref="ArrayLength(long, string, string, string)"/> with <paramref name="what"/> written as an interpolated
    /// string, formatted only when <paramref name="length"/> exceeds one array: a check that passes builds no string.
    /// </summary>
    public static int ArrayLength(long length, string owner, [InterpolatedStringHandlerArgument(nameof(length))] ArrayLengthText what,
        string advice) => length <= Array.MaxLength
        ? (int)length
        : throw TooLong(length, owner, what.ToStringAndClear(), advice);

    private static ArgumentException TooLong(long length, string owner, string what, string advice) =>
        new($"{owner}: {what} = {length} values exceed one array ({Array.MaxLength}); {advice}");

    /// <summary>
    /// ⌈<paramref name="count"/> / <paramref name="size"/>⌉ for count ≥ 0 and size ≥ 1, exact for every int pair (no
    /// count + size − 1 to wrap): batches of a data set, chunks of a parameter.
    /// </summary>
    public static int CeilDiv(int count, int size) => count / size + (count % size != 0 ? 1 : 0);

    /// <summary>Maps a possibly negative axis into [0, rank).</summary>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)rank) throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for rank {rank}.");
        return a;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the op and both shapes unless they are equal; its
    /// <see cref="ArgumentException.ParamName"/> is <paramref name="paramName"/>, the caller's argument of shape <paramref name="b"/>.
    /// </summary>
    public static void RequireSame(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op, string? paramName)
    {
        if (!a.SequenceEqual(b))
            throw new ArgumentException(Mismatch(a, b, op), paramName);
    }

    /// <summary>The message of two shapes that must be equal: the op and both shapes.</summary>
    public static string Mismatch(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op) => $"{op}: shapes {Format(a)} and {Format(b)} must be equal.";

    /// <summary>A product of sizes that no array reaches, where <see cref="ResolveReshape"/> stops counting (times any int it stays far below long.MaxValue).</summary>
    private const long TooMany = (long)int.MaxValue + 1;

    internal static int[] ResolveReshape(int[] shape, int length, int[] from)
    {
        var r = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: more than one -1 in {Format(shape)}.", nameof(shape));
                infer = i;
            }
            else if (r[i] < 0) throw new ArgumentException($"Reshape: negative size in {Format(shape)}.", nameof(shape));
            else known = Math.Min(known * r[i], TooMany); // saturated: a product past one array cannot wrap to the length
        }
        if (infer >= 0)
        {
            if (known == 0 || length % known != 0)
                throw new ArgumentException($"Reshape: cannot reshape {Format(from)} into {Format(shape)}.", nameof(shape));
            r[infer] = (int)(length / known);
            known *= r[infer];
        }
        if (known != length)
            throw new ArgumentException($"Reshape: cannot reshape {Format(from)} ({length} elements) into {Format(shape)} "
                + (known == TooMany ? $"(more than {Array.MaxLength} elements)." : $"({known} elements)."), nameof(shape));
        return r;
    }
}

/// <summary>
/// The size description of <see cref="ShapeUtil.ArrayLength(long, string, ArrayLengthText, string)"/>: its parts are
/// appended only when the length exceeds <see cref="Array.MaxLength"/>, the one case in which the text is read.
/// </summary>
[InterpolatedStringHandler]
internal ref struct ArrayLengthText
{
    private DefaultInterpolatedStringHandler _text;

    public ArrayLengthText(int literalLength, int formattedCount, long length, out bool exceeds)
    {
        exceeds = length > Array.MaxLength;
        _text = exceeds ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<TValue>(TValue value) => _text.AppendFormatted(value);

    public string ToStringAndClear() => _text.ToStringAndClear();
}
