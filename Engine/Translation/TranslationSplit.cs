using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// The train/valid/test split of a parallel corpus by distinct source sentence: every pair whose (preprocessed)
/// source is the same lands in the same part, so no test source is ever seen in training, and all targets of a
/// test source are its references.
/// <para>Procedure: the distinct sources in order of first occurrence, shuffled by Fisher–Yates with
/// <see cref="SeededRng"/>(seed) (for i = n−1 down to 1: j = NextInt(i + 1), swap i and j); the first
/// ⌊0.8 n⌋ are train, the next ⌊0.1 n⌋ valid, the rest test. Each part lists its examples in shuffled order.</para>
/// </summary>
public sealed class TranslationSplit
{
    /// <summary>The split seed used unless another is given (<c>--split-seed</c>).</summary>
    public const ulong DefaultSeed = 1;

    private TranslationSplit(ulong seed, IReadOnlyList<TranslationExample> train, IReadOnlyList<TranslationExample> valid,
        IReadOnlyList<TranslationExample> test, IReadOnlyList<TranslationPair> trainPairs)
    {
        Seed = seed;
        Train = train;
        Valid = valid;
        Test = test;
        TrainPairs = trainPairs;
    }

    /// <summary>The seed of the shuffle.</summary>
    public ulong Seed { get; }

    /// <summary>Training sources with their targets (shuffled order).</summary>
    public IReadOnlyList<TranslationExample> Train { get; }

    /// <summary>Validation sources with their references (shuffled order).</summary>
    public IReadOnlyList<TranslationExample> Valid { get; }

    /// <summary>Test sources with their references (shuffled order).</summary>
    public IReadOnlyList<TranslationExample> Test { get; }

    /// <summary>Every pair whose source is in <see cref="Train"/>, in file order (what a model trains on and vocabularies are counted from).</summary>
    public IReadOnlyList<TranslationPair> TrainPairs { get; }

    /// <summary>The part named <c>train</c>, <c>valid</c> or <c>test</c>.</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public IReadOnlyList<TranslationExample> Part(string name) => name switch
    {
        "train" => Train,
        "valid" => Valid,
        "test" => Test,
        null => throw new ArgumentNullException(nameof(name)),
        _ => throw new ArgumentException($"Unknown split '{name}'; expected train, valid or test.", nameof(name)),
    };

    /// <summary>Splits <paramref name="pairs"/> (see the type's summary).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> or one of its pairs is null.</exception>
    /// <exception cref="ArgumentException">Fewer than 10 distinct sources (a part would be empty).</exception>
    public static TranslationSplit Create(IReadOnlyList<TranslationPair> pairs, ulong seed = DefaultSeed)
    {
        IReadOnlyList<TranslationExample> distinct = TranslationExample.Group(pairs);
        int n = distinct.Count;
        if (n < 10)
            throw new ArgumentException($"TranslationSplit: {n} distinct source sentences; at least 10 are needed for a 80/10/10 split.", nameof(pairs));
        var order = new TranslationExample[n];
        for (int i = 0; i < n; i++) order[i] = distinct[i];
        var rng = new SeededRng(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int nTrain = (int)(8L * n / 10), nValid = n / 10; // ⌊0.8 n⌋ and ⌊0.1 n⌋ in exact integer arithmetic
        TranslationExample[] train = order[..nTrain], valid = order[nTrain..(nTrain + nValid)], test = order[(nTrain + nValid)..];
        var trainSources = new HashSet<string>(train.Select(e => e.Source), StringComparer.Ordinal);
        TranslationPair[] trainPairs = pairs.Where(p => trainSources.Contains(p.Source)).ToArray();
        return new TranslationSplit(seed, train, valid, test, trainPairs);
    }
}
