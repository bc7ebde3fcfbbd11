namespace SeqLearn.Classification;

/// <summary>
/// One cross-validation fold of a <see cref="LabeledSentences"/> set: the held-out <see cref="Test"/> part, and the
/// other folds divided into <see cref="Train"/> and a stratified <see cref="Validation"/> part (for early stopping of
/// models that need it; models without one train on <see cref="TrainAndValidation"/>). Built by
/// <see cref="FoldAssignment.Fold"/>; all index lists are ascending indices into <see cref="Data"/>.
/// Anything learnt from data (vocabularies, counts, weights) must come from the training folds only.
/// </summary>
public sealed class ClassificationFold
{
    internal ClassificationFold(int index, LabeledSentences data, int[] train, int[] validation, int[] test)
    {
        Index = index;
        Data = data;
        TrainIndices = train;
        ValidationIndices = validation;
        TestIndices = test;
        Train = data.Subset(train);
        Validation = data.Subset(validation);
        Test = data.Subset(test);
        TrainingIndices = train.Concat(validation).Order().ToArray();
        TrainAndValidation = data.Subset(TrainingIndices);
    }

    /// <summary>The fold number, 0 .. k−1 (−1 for <see cref="FoldAssignment.TrainingSplit"/>, which has no test part).</summary>
    public int Index { get; }

    /// <summary>The whole data set the indices refer to.</summary>
    public LabeledSentences Data { get; }

    /// <summary>Indices of the training part (training folds minus the validation part).</summary>
    public IReadOnlyList<int> TrainIndices { get; }

    /// <summary>Indices of the validation part.</summary>
    public IReadOnlyList<int> ValidationIndices { get; }

    /// <summary>Indices of the training folds: training and validation parts together, ascending.</summary>
    public IReadOnlyList<int> TrainingIndices { get; }

    /// <summary>Indices of the test part (this fold).</summary>
    public IReadOnlyList<int> TestIndices { get; }

    /// <summary>The training part.</summary>
    public LabeledSentences Train { get; }

    /// <summary>The validation part.</summary>
    public LabeledSentences Validation { get; }

    /// <summary>All training folds (in ascending index order): what models without early stopping train on.</summary>
    public LabeledSentences TrainAndValidation { get; }

    /// <summary>The test part.</summary>
    public LabeledSentences Test { get; }
}
