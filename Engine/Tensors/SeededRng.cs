using System.Runtime.CompilerServices;

namespace SeqLearn.Tensors;

/// <summary>
/// A small, explicit, seedable random number generator (xoshiro256** seeded through SplitMix64).
/// Every random choice in SeqLearn takes one of these; nothing is seeded from the clock. Its state can be
/// saved and restored (checkpoints), and its integer and uniform streams are the same on every platform and .NET
/// version (normal draws go through Math.Log, Math.Sin and Math.Cos, whose last bit the platform's math library decides).
/// </summary>
public sealed class SeededRng
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    /// <summary>Creates a generator whose whole stream is determined by <paramref name="seed"/>.</summary>
    public SeededRng(ulong seed) => Reseed(seed);

    /// <summary>Starts the stream of <paramref name="seed"/> over, as <c>new SeededRng(seed)</c> would, without a new generator.</summary>
    internal void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        _spareNormal = null;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    // One xoshiro256** step: the output, and the state advanced in place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Fills <paramref name="destination"/> with the next <c>destination.Length</c> values of <see cref="NextDouble"/>, in order
    /// (the same stream as that many calls), with the state held in registers for the whole loop.
    /// </summary>
    public void NextDoubles(Span<double> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (Step(ref s0, ref s1, ref s2, ref s3) >> 11) * (1.0 / (1UL << 53));
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next <c>destination.Length</c> values of <see cref="NextUInt64"/>,
    /// in order (the same stream as that many calls), with the state held in registers for the whole loop.
    /// </summary>
    internal void NextUInt64s(Span<ulong> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = Step(ref s0, ref s1, ref s2, ref s3);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "NextInt: the bound must be positive.");
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            UInt128 m = (UInt128)r * bound;
            if ((ulong)m >= threshold) return (int)(m >> 64);
        }
    }

    /// <summary>A standard normal draw (Box-Muller, pairs cached).</summary>
    public double NextNormal()
    {
        if (_spareNormal is double s) { _spareNormal = null; return s; }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Derives an independent generator (for a sub-task such as one dropout layer).</summary>
    public SeededRng Fork() => new(NextUInt64());

    /// <summary>The full state, to be stored in a checkpoint.</summary>
    public RngState GetState() => new(_s0, _s1, _s2, _s3, _spareNormal);

    /// <summary>
    /// Restores a state from <see cref="GetState"/>; the all-zero state, which xoshiro256** never leaves, and a
    /// non-finite cached normal draw are refused and leave the generator as it was.
    /// </summary>
    public void SetState(RngState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0) throw new ArgumentException("SetState: the all-zero state is invalid for xoshiro256**.", nameof(state));
        if (state.SpareNormal is double spare && !double.IsFinite(spare))
            throw new ArgumentException($"SetState: the cached normal draw {spare} is not finite.", nameof(state));
        (_s0, _s1, _s2, _s3, _spareNormal) = (state.S0, state.S1, state.S2, state.S3, state.SpareNormal);
    }
}

/// <summary>The complete state of a <see cref="SeededRng"/>.</summary>
public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3, double? SpareNormal);
