namespace SeqLearn.Classification;

/// <summary>
/// A labelled set of tokenised sentences for many-to-one classification: sentence i is
/// <see cref="Sentences"/>[i] (whitespace tokens, at least one) with class id <see cref="Labels"/>[i] in
/// [0, <see cref="ClassCount"/>), whose name is <see cref="ClassNames"/>[id]. Immutable; subsets share the token arrays.
/// </summary>
public sealed class LabeledSentences
{
    private readonly string[][] _sentences;
    private readonly int[] _labels;
    private readonly string[] _classNames;

    /// <summary>Creates the set; every label must be a valid class id and every sentence non-empty.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, a label is out of range, or a sentence has no tokens.</exception>
    public LabeledSentences(IReadOnlyList<string[]> sentences, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (sentences.Count != labels.Count)
            throw new ArgumentException($"LabeledSentences: {sentences.Count} sentences but {labels.Count} labels.", nameof(labels));
        if (classNames.Count < 1)
            throw new ArgumentException("LabeledSentences: at least one class name is needed.", nameof(classNames));
        _sentences = sentences.ToArray();
        _labels = labels.ToArray();
        _classNames = classNames.ToArray();
        for (int i = 0; i < _labels.Length; i++)
        {
            if ((uint)_labels[i] >= (uint)_classNames.Length)
                throw new ArgumentException($"LabeledSentences: label {_labels[i]} of sentence {i} is not in [0, {_classNames.Length}).", nameof(labels));
            if (_sentences[i] is null || _sentences[i].Contains(null))
                throw new ArgumentNullException(nameof(sentences), $"LabeledSentences: sentence {i} {(_sentences[i] is null ? "is null" : "holds a null token")}.");
            if (_sentences[i].Length == 0)
                throw new ArgumentException($"LabeledSentences: sentence {i} has no tokens.", nameof(sentences));
        }
    }

    /// <summary>The sentences, each an array of tokens.</summary>
    public IReadOnlyList<string[]> Sentences => _sentences;

    /// <summary>The class id of each sentence.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>Class names by id (for the sentiment files: neg = 0, pos = 1).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Number of sentences.</summary>
    public int Count => _labels.Length;

    /// <summary>Number of classes (including classes with no sentence in this subset).</summary>
    public int ClassCount => _classNames.Length;

    /// <summary>Sentences per class id.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int y in _labels) counts[y]++;
        return counts;
    }

    /// <summary>The sentences at <paramref name="indices"/>, in that order, with the same class names.</summary>
    public LabeledSentences Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var sentences = new string[indices.Count][];
        var labels = new int[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            sentences[k] = _sentences[indices[k]];
            labels[k] = _labels[indices[k]];
        }
        return new LabeledSentences(sentences, labels, _classNames);
    }

    /// <summary>This set followed by <paramref name="other"/> (which must have the same class names).</summary>
    public LabeledSentences Concat(LabeledSentences other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!_classNames.SequenceEqual(other._classNames, StringComparer.Ordinal))
            throw new ArgumentException("LabeledSentences.Concat: the two sets have different class names.", nameof(other));
        return new LabeledSentences([.. _sentences, .. other._sentences], [.. _labels, .. other._labels], _classNames);
    }
}
