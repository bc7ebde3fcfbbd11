namespace SeqLearn.Translation;

/// <summary>The size check of the decoders' per-row buffers (rows × vocabulary, rows × source steps).</summary>
internal static class DecodingBuffers
{
    /// <summary>
    /// <paramref name="rows"/> · <paramref name="width"/> when it fits one array; otherwise an <see cref="ArgumentException"/>
    /// naming the decoder and both sizes (a beam of K over B sources has B·K rows).
    /// </summary>
    public static int Length(string decoder, int rows, int width, string what)
    {
        long length = (long)rows * width;
        return length <= Array.MaxLength
            ? (int)length
            : throw new ArgumentException($"{decoder}: {rows} rows × {width} {what} = {length} values exceed one array ({Array.MaxLength}); decode fewer sources or a narrower beam at once.");
    }
}
