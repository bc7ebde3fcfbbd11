using System.Globalization;

namespace SeqLearn.Benchmarks;

/// <summary>The whole-number options of the <c>compare</c> commands (<c>--repeats</c>, <c>--rounds</c>, <c>--chars</c>).</summary>
internal static class CompareOptions
{
    /// <summary>
    /// The value after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/> when the option is
    /// absent; a missing value, a non-number or a value below 1 is an <see cref="InvalidOption"/> naming the option
    /// (a median of no samples, or a sample of no work, measures nothing).
    /// </summary>
    public static int Positive(string[] args, string name, int fallback)
    {
        int at = Array.LastIndexOf(args, name);
        if (at < 0) return fallback;
        if (at + 1 >= args.Length) throw new InvalidOption($"{name} needs a value (a whole number ≥ 1).");
        string text = args[at + 1];
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 1)
            throw new InvalidOption($"{name} must be a whole number ≥ 1, got '{text}'.");
        return value;
    }

    /// <summary>A bad option value: <c>compare</c> prints its message as one line and exits with code 2.</summary>
    internal sealed class InvalidOption(string message) : Exception(message);
}
