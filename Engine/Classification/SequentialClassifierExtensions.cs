using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Training;

namespace SeqLearn.Classification;

/// <summary>
/// The Keras-style path for many-to-one models: <c>model.Fit(x, y, validX, validY, options)</c> trains a
/// <see cref="Sequential{T}"/> classifier with the one <see cref="Trainer{T}"/> (length-bucketed padded batches, masked by
/// lengths), <c>model.Evaluate(x, y)</c> scores it and <c>model.Predict(x)</c> gives class probabilities.
/// </summary>
public static class SequentialClassifierExtensions
{
    /// <summary>
    /// Trains <paramref name="model"/> on (<paramref name="sequences"/>, <paramref name="labels"/>), evaluating on the
    /// validation pair when given (else on the training data) as <paramref name="options"/> say. With validation data and
    /// neither <see cref="TrainingOptions.EvalEverySteps"/> nor <see cref="TrainingOptions.EvalEveryTime"/> set, it evaluates at
    /// the end of every epoch, as Keras's <c>fit(validation_data=…)</c>, so that <see cref="TrainingOptions.Patience"/> and
    /// <see cref="TrainingOptions.RestoreBestWeights"/> act per epoch. Batches come from <see cref="TrainingOptions.Seed"/>;
    /// <paramref name="pool"/> null runs on the calling thread.
    /// </summary>
    public static TrainingResult Fit<T>(this Sequential<T> model, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels,
        IReadOnlyList<int[]>? validSequences, IReadOnlyList<int>? validLabels, TrainingOptions options, WorkerPool? pool = null,
        IProgress<TrainingProgress>? progress = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if ((validSequences is null) != (validLabels is null))
            throw new ArgumentNullException(validSequences is null ? nameof(validSequences) : nameof(validLabels), "Fit: give both validation sequences and labels, or neither.");
        var train = Examples(model, "Fit", "training data", sequences, labels);
        var valid = validSequences is null ? null : Examples(model, "Fit", "validation data", validSequences, validLabels!, nameof(validSequences), nameof(validLabels));
        var task = new SequenceClassificationTask<T>(model, train, valid, options.BatchSize, options.Seed);
        if (valid is not null && options.EvalEverySteps == 0 && options.EvalEveryTime is null)
            options = options with { EvalEverySteps = task.BatchesPerEpoch };
        return new Trainer<T>(model, task, options, pool, progress).Train();
    }

    /// <summary>
    /// <see cref="Fit{T}(Sequential{T}, IReadOnlyList{int[]}, IReadOnlyList{int}, IReadOnlyList{int[]}?, IReadOnlyList{int}?, TrainingOptions, WorkerPool?, IProgress{TrainingProgress}?)"/>
    /// without validation data (Keras's <c>fit(x, y)</c>): evaluations (by default only the final one) are on the training data.
    /// </summary>
    public static TrainingResult Fit<T>(this Sequential<T> model, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels,
        TrainingOptions options, WorkerPool? pool = null, IProgress<TrainingProgress>? progress = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        model.Fit(sequences, labels, null, null, options, pool, progress);

    /// <summary>"loss" (mean cross-entropy per example) and "accuracy" of <paramref name="model"/> on the given examples.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate<T>(this Sequential<T> model, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels,
        int batchSize = 64, WorkerPool? pool = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var data = Examples(model, "Evaluate", "data", sequences, labels);
        return InEvalMode(model, () => new SequenceClassificationTask<T>(model, data, null, batchSize, 0).Score(data, pool));
    }

    /// <summary>
    /// The class probabilities of each sequence (one array of C per sequence; none for no sequences). The model runs in
    /// evaluation mode (no dropout) whatever its mode, which is restored afterwards.
    /// </summary>
    public static T[][] Predict<T>(this Sequential<T> model, IReadOnlyList<int[]> sequences, int batchSize = 64, WorkerPool? pool = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) return [];
        var data = Examples(model, "Predict", "data", sequences, new int[sequences.Count]);
        return InEvalMode(model, () => new SequenceClassificationTask<T>(model, data, null, batchSize, 0).Predict(sequences, pool));
    }

    // The examples as LabeledSequences, its validation errors naming the caller's method, argument and parameter; with a
    // C-class Linear head, a label outside 0 … C−1 fails here rather than in the loss or after an epoch of training.
    private static LabeledSequences Examples<T>(Sequential<T> model, string method, string what, IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels,
        string sequencesName = "sequences", string labelsName = "labels") where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var data = new LabeledSequences(sequences, labels, $"{method}: {what}", sequencesName, labelsName);
        SequenceClassificationTask<T>.CheckLabels(model, data, $"{method}: {what}", labelsName);
        SequenceClassificationTask<T>.CheckTokens(model, data.Sequences, $"{method}: {what}", sequencesName);
        return data;
    }

    private static TResult InEvalMode<T, TResult>(Module<T> model, Func<TResult> score) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        bool training = model.Training;
        model.Eval();
        try
        {
            using var noGrad = new NoGradScope();
            return score();
        }
        finally
        {
            model.Train(training);
        }
    }
}
