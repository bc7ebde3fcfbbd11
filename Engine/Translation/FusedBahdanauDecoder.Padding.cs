using SeqLearn.Nn;

namespace SeqLearn.Translation;

/// <summary>
/// Target padding in <see cref="FusedBahdanauDecoder"/>: row b runs its first n_b steps only, the row blocks of a pool hold
/// equal numbers of live steps, and the saved and gradient buffers hold zeros at the padded steps (the all-steps weight
/// GEMMs read them).
/// </summary>
internal sealed partial class FusedBahdanauDecoderNode<T, TSpec>
{
    /// <summary>Cuts rows 0 … B−1 into <paramref name="chunks"/> contiguous blocks holding about equal numbers of steps.</summary>
    private static int[] Blocks(int[] steps, int chunks)
    {
        var bounds = new int[chunks + 1];
        long total = steps.Sum(n => (long)n), run = 0;
        for (int b = 0, c = 1; b < steps.Length && c < chunks; b++)
        {
            run += steps[b];
            while (c < chunks && run * chunks >= total * c) bounds[c++] = b + 1;
        }
        for (int c = 1; c <= chunks; c++) bounds[c] = c == chunks ? steps.Length : Math.Max(bounds[c], bounds[c - 1]);
        return bounds;
    }

    /// <summary>One past the last row in [b0, b1) that runs step t (b0 when none does).</summary>
    private int LiveEnd(int b0, int b1, int t)
    {
        int end = b1;
        while (end > b0 && _steps[end - 1] <= t) end--;
        return end;
    }

    /// <summary>Zeroes the (B, U, <paramref name="width"/>) rows of the steps past each row's length.</summary>
    private void ClearPadding(T[] buffer, int width)
    {
        if (!_padded) return;
        for (int b = 0; b < _b; b++)
            buffer.AsSpan((b * _u + _steps[b]) * width, (_u - _steps[b]) * width).Clear();
    }
}
