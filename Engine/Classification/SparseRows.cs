namespace SeqLearn.Classification;

/// <summary>Checks of the sparse rows and labels the linear classifiers train on, naming the row and the value.</summary>
internal static class SparseRows
{
    /// <summary>Throws an <see cref="ArgumentException"/> for a negative feature count, a null row or a feature id outside [0, featureCount).</summary>
    public static void CheckIds(string model, IReadOnlyList<int[]> rows, int featureCount, string paramName)
    {
        ArgumentNullException.ThrowIfNull(rows, paramName);
        if (featureCount < 0) throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, $"{model}: the feature count must be ≥ 0, got {featureCount}.");
        for (int i = 0; i < rows.Count; i++) CheckRow(model, rows[i], i, featureCount, paramName);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for a null row or a feature id outside [0, featureCount), naming row <paramref name="index"/>.</summary>
    public static void CheckRow(string model, int[]? row, int index, int featureCount, string paramName)
    {
        if (row is null) throw new ArgumentException($"{model}: row {index} is null.", paramName);
        for (int k = 0; k < row.Length; k++)
            if ((uint)row[k] >= (uint)featureCount)
                throw new ArgumentException($"{model}: row {index} has feature id {row[k]} (position {k}), outside [0, {featureCount}).", paramName);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first label outside [0, classCount) and its row.</summary>
    public static void CheckLabels(string model, IReadOnlyList<int> labels, int classCount, string paramName)
    {
        for (int i = 0; i < labels.Count; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"{model}: row {i} has label {labels[i]}, outside [0, {classCount}).", paramName);
    }
}
