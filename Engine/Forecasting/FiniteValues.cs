namespace SeqLearn.Forecasting;

/// <summary>Checks that series values are finite (and, for a float network, within float's range) before a fit or a forecast uses them.</summary>
internal static class FiniteValues
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first value of <paramref name="values"/> that is not finite or
    /// whose magnitude exceeds <paramref name="limit"/>, by its row (<paramref name="firstRow"/> + its index).
    /// </summary>
    public static void Require(ReadOnlySpan<double> values, string who, string what, string parameter, int firstRow = 0, double limit = double.MaxValue)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (double.IsFinite(v) && Math.Abs(v) <= limit) continue;
            string range = limit < double.MaxValue ? $" within ±{limit:G3}" : "";
            throw new ArgumentException($"{who}: {what} value at row {firstRow + i} is {v}; it needs finite values{range}.", parameter);
        }
    }
}
