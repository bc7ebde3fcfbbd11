namespace SeqLearn.Classification;

/// <summary>Token-id sequences with one class label each (labels 0..C−1).</summary>
public sealed class LabeledSequences
{
    /// <summary>Pairs <paramref name="sequences"/>[i] with <paramref name="labels"/>[i]; every sequence needs at least one token.</summary>
    public LabeledSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels) : this(sequences, labels, "LabeledSequences")
    {
    }

    /// <summary>
    /// The public constructor, its errors starting with <paramref name="context"/> (the caller's method and argument) and
    /// naming the caller's parameters <paramref name="sequencesName"/> and <paramref name="labelsName"/>.
    /// </summary>
    internal LabeledSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, string context,
        string sequencesName = "sequences", string labelsName = "labels")
    {
        ArgumentNullException.ThrowIfNull(sequences, sequencesName);
        ArgumentNullException.ThrowIfNull(labels, labelsName);
        if (sequences.Count != labels.Count) throw new ArgumentException($"{context}: {sequences.Count} sequences but {labels.Count} labels.", labelsName);
        if (sequences.Count == 0) throw new ArgumentException($"{context}: no examples.", sequencesName);
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i] is null) throw new ArgumentNullException(sequencesName, $"{context}: example {i} is null.");
            if (sequences[i].Length == 0) throw new ArgumentException($"{context}: example {i} is empty.", sequencesName);
            if (labels[i] < 0) throw new ArgumentOutOfRangeException(labelsName, labels[i], $"{context}: example {i} has label {labels[i]}; labels are 0..C−1.");
        }
        (Sequences, Labels) = (sequences, labels);
        Lengths = sequences.Select(s => s.Length).ToArray();
    }

    /// <summary>The sequences.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    /// <summary>The label of each sequence.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The length of each sequence.</summary>
    public IReadOnlyList<int> Lengths { get; }

    /// <summary>The number of examples.</summary>
    public int Count => Sequences.Count;
}
