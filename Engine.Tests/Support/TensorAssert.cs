using System.Globalization;
using SeqLearn.Tensors;
using Xunit.Sdk;

namespace SeqLearn.Tests.Support;

/// <summary>Tensor comparisons whose failure message says where and by how much.</summary>
public static class TensorAssert
{
    /// <summary>
    /// Passes when |actual − expected| ≤ atol + rtol·|expected| everywhere (the numpy/PyTorch allclose rule).
    /// On failure prints the shape, the first failing index, both values there, the count of failures and the max error.
    /// </summary>
    public static void AllClose<T>(Tensor<T> expected, Tensor<T> actual, double rtol = 1e-5, double atol = 1e-8, string? what = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (!expected.SameShape(actual))
            throw new XunitException($"{what ?? "AllClose"}: shapes differ: expected {expected.ShapeString}, actual {actual.ShapeString}.");
        AllClose<T>(expected.Span, actual.Span, rtol, atol, what, expected.ShapeArray());
    }

    /// <summary>Span form of <see cref="AllClose{T}(Tensor{T}, Tensor{T}, double, double, string?)"/>.</summary>
    public static void AllClose<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, double rtol = 1e-5, double atol = 1e-8, string? what = null, int[]? shape = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what ?? "AllClose"}: lengths differ: expected {expected.Length}, actual {actual.Length}.");
        int firstBad = -1, bad = 0;
        double maxErr = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
            double err = Math.Abs(a - e);
            bool ok = err <= atol + rtol * Math.Abs(e) || (double.IsNaN(e) && double.IsNaN(a)) || e == a;
            if (!double.IsNaN(err)) maxErr = Math.Max(maxErr, err);
            if (!ok)
            {
                bad++;
                if (firstBad < 0) firstBad = i;
            }
        }
        if (bad == 0) return;
        string index = shape is null ? firstBad.ToString(CultureInfo.InvariantCulture) : FormatIndex(firstBad, shape);
        throw new XunitException(
            $"{what ?? "AllClose"}: {bad} of {expected.Length} elements differ (rtol {rtol:G3}, atol {atol:G3}). " +
            $"First at index {index}: expected {Fmt(expected[firstBad])}, actual {Fmt(actual[firstBad])}. Max abs error {maxErr:G6}.");
    }

    /// <summary>
    /// <see cref="AllClose{T}(Tensor{T}, Tensor{T}, double, double, string?)"/>, then the largest absolute and relative gaps as
    /// one line (<c>what: max |Δ| …, max |Δ|/|e| …</c>) for a test's output: parity tests report how close they came.
    /// </summary>
    public static string AllCloseGaps<T>(Tensor<T> expected, Tensor<T> actual, double rtol, double atol, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        AllClose(expected, actual, rtol, atol, what);
        double maxAbs = 0, maxRel = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected.Span[i]), d = Math.Abs(double.CreateTruncating(actual.Span[i]) - e);
            maxAbs = Math.Max(maxAbs, d);
            if (e != 0) maxRel = Math.Max(maxRel, d / Math.Abs(e));
        }
        return string.Create(CultureInfo.InvariantCulture, $"{what}: max |Δ| {maxAbs:G3}, max |Δ|/|e| {maxRel:G3}");
    }

    /// <summary>Passes only when every element is bit-for-bit equal.</summary>
    public static void BitEqual<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string? what = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what ?? "BitEqual"}: lengths differ: {expected.Length} vs {actual.Length}.");
        var eb = MemoryMarshal.AsBytes(expected);
        var ab = MemoryMarshal.AsBytes(actual);
        if (eb.SequenceEqual(ab)) return;
        for (int i = 0; i < expected.Length; i++)
            if (!MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))))
                throw new XunitException($"{what ?? "BitEqual"}: first difference at index {i}: {Fmt(expected[i])} vs {Fmt(actual[i])}.");
    }

    private static string Fmt<T>(T v) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        double.CreateTruncating(v).ToString("R", CultureInfo.InvariantCulture);

    private static string FormatIndex(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return "(" + string.Join(", ", idx) + ")";
    }
}
