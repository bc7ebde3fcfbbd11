using SeqLearn.Tensors;

namespace SeqLearn.Tests.Support;

/// <summary>Integer draws in the form the tests use, on <see cref="SeededRng"/> (docs/testing.md#determinism).</summary>
internal static class SeededRngDraws
{
    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public static int Next(this SeededRng rng, int maxExclusive) => rng.NextInt(maxExclusive);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public static int Next(this SeededRng rng, int min, int maxExclusive) => min + rng.NextInt(maxExclusive - min);
}
