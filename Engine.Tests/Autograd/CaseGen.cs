using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>Seeded random shapes and values for gradient-check cases (sizes include 1 and odd sizes).</summary>
public sealed class CaseGen(ulong seed)
{
    private static readonly int[] Sizes = [1, 2, 3, 4, 5, 7];

    /// <summary>The generator, for cases that need their own draws.</summary>
    public SeededRng Rng { get; } = new(seed);

    /// <summary>One axis size from {1, 2, 3, 4, 5, 7}.</summary>
    public int Size() => Sizes[Rng.NextInt(Sizes.Length)];

    /// <summary>A shape of the given rank with sizes from <see cref="Size"/>.</summary>
    public int[] Shape(int rank)
    {
        var s = new int[rank];
        for (int d = 0; d < rank; d++) s[d] = Size();
        return s;
    }

    /// <summary>A shape of random rank in [<paramref name="minRank"/>, <paramref name="maxRank"/>].</summary>
    public int[] Shape(int minRank, int maxRank) => Shape(minRank + Rng.NextInt(maxRank - minRank + 1));

    /// <summary>Standard normal values.</summary>
    public Tensor<double> Normal(params int[] shape) => Tensor<double>.Normal(shape, 0.0, 1.0, Rng);

    /// <summary>Uniform values in [low, high).</summary>
    public Tensor<double> Uniform(double low, double high, params int[] shape) => Tensor<double>.Uniform(shape, low, high, Rng);

    /// <summary>Values with |x| in [0.5, 2) and random sign: safe divisors.</summary>
    public Tensor<double> AwayFromZero(params int[] shape)
    {
        var t = Uniform(0.5, 2.0, shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) if (Rng.NextInt(2) == 0) s[i] = -s[i];
        return t;
    }

    /// <summary>A random axis of a rank-<paramref name="rank"/> shape, negative (from the end) half of the time.</summary>
    public int Axis(int rank)
    {
        int a = Rng.NextInt(rank);
        return Rng.NextInt(2) == 0 ? a : a - rank;
    }

    /// <summary>Formats a shape for case names: <c>2x3</c>.</summary>
    public static string Name(int[] shape) => shape.Length == 0 ? "scalar" : string.Join("x", shape);
}
