namespace SeqLearn.Optim;

/// <summary>
/// The work items of a pass over several parameters cut into fixed chunks: parameter q owns items
/// [firstItem[q], firstItem[q + 1]), so the items of all parameters are numbered consecutively.
/// </summary>
internal static class ParameterChunks
{
    /// <summary>The parameter that owns item <paramref name="index"/> (parameters without items are skipped).</summary>
    public static int Owner(int[] firstItem, int count, int index)
    {
        int q = Array.BinarySearch(firstItem, 0, count + 1, index);
        if (q < 0) q = ~q - 1;
        while (firstItem[q + 1] == index) q++;                              // skip empty parameters sharing the start
        return q;
    }
}
