using SeqLearn.Tensors;

namespace SeqLearn.Classification;

/// <summary>
/// A fixed, seeded assignment of every sentence to one of k cross-validation folds, stratified by class.
/// </summary>
/// <remarks>
/// The generator (docs/classification.md#folds), with one <see cref="SeededRng"/>(seed) for the whole assignment:
/// <code>
/// next = 0
/// for c = 0 .. C−1:                                  // classes in id order
///     I = indices of class c, ascending              // dataset order
///     for i = |I|−1 down to 1:                        // Fisher–Yates
///         j = rng.NextInt(i + 1); swap I[i], I[j]
///     for p = 0 .. |I|−1:                             // deal round-robin, continuing across classes
///         fold[I[p]] = next; next = (next + 1) mod k
/// </code>
/// Every fold gets ⌊n_c / k⌋ or ⌈n_c / k⌉ sentences of each class c, and the fold sizes differ by at most one.
/// Fixing the folds makes results comparable across models and runs: on MR the spread between two random
/// 10-fold splits is about as large as the gap between the baselines.
/// </remarks>
public sealed class FoldAssignment
{
    /// <summary>The seed used when none is given (the CLI's <c>--fold-seed</c> default).</summary>
    public const ulong DefaultSeed = 1;

    /// <summary>The fraction of each training fold set aside (per class) as the validation part.</summary>
    public const double DefaultValidationFraction = 0.1;

    private readonly int[] _foldOf;
    private readonly int[] _labels;
    private readonly int _classCount;

    private FoldAssignment(int[] foldOf, int[] labels, int classCount, int foldCount, ulong seed)
    {
        _foldOf = foldOf;
        _labels = labels;
        _classCount = classCount;
        FoldCount = foldCount;
        Seed = seed;
    }

    /// <summary>Number of folds k.</summary>
    public int FoldCount { get; }

    /// <summary>The seed the assignment (and each fold's validation part) was drawn with.</summary>
    public ulong Seed { get; }

    /// <summary>The fold of each sentence, in dataset order.</summary>
    public IReadOnlyList<int> FoldOf => _foldOf;

    /// <summary>Draws the stratified assignment described on the class for <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">k &lt; 2, a label outside [0, classCount), or fewer sentences than folds.</exception>
    public static FoldAssignment Stratified(IReadOnlyList<int> labels, int classCount, int foldCount, ulong seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (foldCount < 2) throw new ArgumentException($"FoldAssignment: the number of folds must be at least 2 (got {foldCount}).", nameof(foldCount));
        if (labels.Count < foldCount)
            throw new ArgumentException($"FoldAssignment: {labels.Count} sentences cannot fill {foldCount} folds.", nameof(labels));
        int[] y = labels.ToArray();
        if (y.Any(v => (uint)v >= (uint)classCount))
            throw new ArgumentException($"FoldAssignment: a label is outside [0, {classCount}).", nameof(labels));
        var rng = new SeededRng(seed);
        var foldOf = new int[y.Length];
        int next = 0;
        int[][] byClass = IndicesByClass(y, classCount, Enumerable.Range(0, y.Length));
        for (int c = 0; c < classCount; c++)
        {
            int[] members = byClass[c];
            Shuffle(members, rng);
            foreach (int i in members)
            {
                foldOf[i] = next;
                next = (next + 1) % foldCount;
            }
        }
        return new FoldAssignment(foldOf, y, classCount, foldCount, seed);
    }

    /// <summary>Indices (ascending) of the sentences in fold <paramref name="fold"/>: its test part.</summary>
    public int[] TestIndices(int fold) => Where(i => _foldOf[i] == CheckFold(fold));

    /// <summary>Indices (ascending) of the sentences in every other fold: the training folds.</summary>
    public int[] TrainingIndices(int fold) => Where(i => _foldOf[i] != CheckFold(fold));

    /// <summary>
    /// The split for fold <paramref name="fold"/>: its test part, and the other folds divided into a training part and a
    /// stratified validation part of round(fraction · n_c) sentences of each class c (for a positive fraction, clamped to
    /// 1 … n_c − 1 while n_c ≥ 2).
    /// The validation sentences of class c are the first ones after a Fisher–Yates shuffle (as in the class remarks) of
    /// the class's training indices, with a generator of seed <c>Seed + 0x9E3779B97F4A7C15 · (fold + 1)</c> (wrapping),
    /// classes in id order. All index lists are ascending.
    /// </summary>
    public ClassificationFold Fold(LabeledSentences data, int fold, double validationFraction = DefaultValidationFraction)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count != _foldOf.Length)
            throw new ArgumentException($"FoldAssignment.Fold: the assignment covers {_foldOf.Length} sentences, the data has {data.Count}.", nameof(data));
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"FoldAssignment.Fold: the validation fraction must be in [0, 1) (got {validationFraction}).");
        var (train, valid) = SplitValidation(_labels, _classCount, TrainingIndices(fold), validationFraction,
            new SeededRng(unchecked(Seed + 0x9E3779B97F4A7C15UL * (ulong)(fold + 1))));
        return new ClassificationFold(fold, data, train, valid, TestIndices(fold));
    }

    /// <summary>
    /// All of <paramref name="data"/> for training a final model: a stratified validation part drawn as in
    /// <see cref="Fold"/> (with a generator of seed <paramref name="seed"/>), the rest as the training part, and an empty
    /// test part (<see cref="ClassificationFold.Index"/> −1).
    /// </summary>
    public static ClassificationFold TrainingSplit(LabeledSentences data, double validationFraction = DefaultValidationFraction, ulong seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"FoldAssignment.TrainingSplit: the validation fraction must be in [0, 1) (got {validationFraction}).");
        var (train, valid) = SplitValidation([.. data.Labels], data.ClassCount, [.. Enumerable.Range(0, data.Count)], validationFraction, new SeededRng(seed));
        return new ClassificationFold(-1, data, train, valid, []);
    }

    // The first round(fraction · n_c) of each class's shuffled training indices (classes in id order) are the validation part.
    private static (int[] Train, int[] Valid) SplitValidation(int[] labels, int classCount, int[] training, double fraction, SeededRng rng)
    {
        var validation = new List<int>();
        int[][] byClass = IndicesByClass(labels, classCount, training);
        for (int c = 0; c < classCount; c++)
        {
            int[] members = byClass[c];
            Shuffle(members, rng);
            int m = (int)Math.Round(fraction * members.Length, MidpointRounding.AwayFromZero);
            if (fraction > 0 && members.Length >= 2) m = Math.Clamp(m, 1, members.Length - 1);
            validation.AddRange(members.Take(m));
        }
        int[] valid = validation.Order().ToArray();
        var isValid = new HashSet<int>(valid);
        return (training.Where(i => !isValid.Contains(i)).ToArray(), valid);
    }

    /// <summary>
    /// FNV-1a (64-bit) of the fold ids as little-endian 32-bit integers in dataset order: a short fingerprint of the
    /// assignment that tests pin and scripts/classify_baselines_sklearn.py prints.
    /// </summary>
    public ulong Fingerprint()
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (int f in _foldOf)
            for (int b = 0; b < 4; b++)
            {
                h ^= (byte)(f >> (8 * b));
                h *= 0x100000001B3UL;
            }
        return h;
    }

    // The indices of each class among the given ones, in their order: one pass, not one per class (C classes cost O(n), not O(C·n)).
    private static int[][] IndicesByClass(int[] labels, int classCount, IEnumerable<int> among)
    {
        var lists = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) lists[c] = [];
        foreach (int i in among) lists[labels[i]].Add(i);
        return [.. lists.Select(l => l.ToArray())];
    }

    private static void Shuffle(int[] a, SeededRng rng)
    {
        for (int i = a.Length - 1; i >= 1; i--)
        {
            int j = rng.NextInt(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }

    private int CheckFold(int fold) =>
        (uint)fold < (uint)FoldCount ? fold : throw new ArgumentOutOfRangeException(nameof(fold), $"FoldAssignment: fold {fold} is not in [0, {FoldCount}).");

    private int[] Where(Func<int, bool> keep) => Enumerable.Range(0, _foldOf.Length).Where(keep).ToArray();
}
