using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>The argument checks the decoders share: row counts, buffer sizes, source lengths.</summary>
internal static class DecodingBuffers
{
    /// <summary><paramref name="sources"/> · <paramref name="copies"/> rows when it is an int; otherwise an <see cref="ArgumentException"/> naming both.</summary>
    public static int Rows(string owner, int sources, int copies)
    {
        long rows = (long)sources * copies;
        return rows <= int.MaxValue
            ? (int)rows
            : throw new ArgumentException($"{owner}: {sources} sources × beam {copies} = {rows} rows exceed {int.MaxValue}; decode fewer sources or a narrower beam at once.");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless every source length is in [0, <paramref name="sourceSteps"/>].</summary>
    public static void CheckLengths(string decoder, ReadOnlySpan<int> sourceLengths, int sourceSteps)
    {
        for (int b = 0; b < sourceLengths.Length; b++)
            if ((uint)sourceLengths[b] > (uint)sourceSteps)
                throw new ArgumentException($"{decoder}: source {b} has length {sourceLengths[b]}, outside [0, {sourceSteps}] (the stepper's source steps).", nameof(sourceLengths));
    }

    /// <summary>
    /// <paramref name="rows"/> · <paramref name="width"/> when it fits one array; otherwise an <see cref="ArgumentException"/>
    /// naming the decoder and both sizes (a beam of K over B sources has B·K rows).
    /// </summary>
    public static int Length(string decoder, int rows, int width, string what) =>
        ShapeUtil.ArrayLength((long)rows * width, decoder, $"{rows} rows × {width} {what}", "decode fewer sources or a narrower beam at once.");
}
