namespace SeqLearn.Data;

/// <summary>
/// Contiguous train / validation / test splits of one token stream by fraction (no shuffling: language-model
/// text keeps its order). With n tokens: train = [0, ⌊f_train·n⌋), valid = the next ⌊f_valid·n⌋, test = the rest.
/// </summary>
public readonly record struct CorpusSplit(ReadOnlyMemory<int> Train, ReadOnlyMemory<int> Valid, ReadOnlyMemory<int> Test)
{
    /// <summary>Splits <paramref name="tokens"/>; the test part gets 1 − f_train − f_valid of it.</summary>
    public static CorpusSplit ByFraction(ReadOnlyMemory<int> tokens, double trainFraction, double validFraction)
    {
        if (!(trainFraction >= 0 && validFraction >= 0 && trainFraction + validFraction <= 1 + 1e-12))
            throw new ArgumentOutOfRangeException(trainFraction is >= 0 and <= 1 ? nameof(validFraction) : nameof(trainFraction),
                $"CorpusSplit: fractions must be ≥ 0 and sum to at most 1 (train {trainFraction}, valid {validFraction}).");
        int n = tokens.Length;
        int train = Math.Min(n, FloorOfProduct(trainFraction, n));
        int valid = Math.Min(n - train, FloorOfProduct(validFraction, n));
        return new CorpusSplit(tokens[..train], tokens.Slice(train, valid), tokens[(train + valid)..]);
    }

    // ⌊f·n⌋, where a double product that rounding left just below an integer (0.7 · 90 = 62.99999999999999) counts as
    // that integer: the error of f and of the product is below 3e-16 of it, far inside the 1e-12 allowed here.
    private static int FloorOfProduct(double fraction, int n)
    {
        double x = fraction * n, up = Math.Ceiling(x);
        return (int)(up - x <= 1e-12 * x ? up : Math.Floor(x));
    }
}
