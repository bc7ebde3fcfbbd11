using System.Runtime.ExceptionServices;
using SeqLearn.Kernels;
using SeqLearn.Training;

namespace SeqLearn.Classification;

/// <summary>
/// N recurrent classifiers that differ only in their seeds, averaged: member m (0-based) is the
/// <see cref="RecurrentClassifierFactory"/> model with weight seed <c>options.Seed + m</c> and batch-order seed
/// <c>training.Seed + m</c> (so member 0 is the single model of the same settings), each choosing its epoch on the
/// fold's validation part, and
/// <code>
/// P(y = k | x) = (1 / N) Σ_m P_m(y = k | x)
/// </code>
/// The members train concurrently, at most <c>pool.Threads</c> at a time, each on its own one-thread pool: a member's
/// weights depend only on its seeds, never on which thread trains it or when, so the ensemble is the same for any
/// thread count. One member per core uses two cores better than one model on both (a batch of ~50 sentences gives
/// per-step GEMMs too small to split with profit; docs/classification.md).
/// </summary>
public sealed class RecurrentEnsembleFactory : IClassifierFactory
{
    private readonly RecurrentClassifierOptions _options;
    private readonly TrainingOptions _training;
    private readonly WorkerPool _pool;

    /// <summary>An ensemble of <paramref name="members"/> models (at least 1); <paramref name="pool"/> sets how many train at once and serves prediction.</summary>
    public RecurrentEnsembleFactory(RecurrentClassifierOptions options, TrainingOptions training, int members, WorkerPool pool)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(members);
        (_options, _training, Members, _pool) = (options, training, members, pool);
    }

    /// <summary>Where member m appends its metrics when the training options name a file <c>dir/name.ext</c>: <c>dir/name.member{m}.ext</c> (one writer per file).</summary>
    public static string? MemberMetricsPath(string? path, int member) =>
        path is null ? null : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}.member{member}{Path.GetExtension(path)}");

    /// <summary>N, the members.</summary>
    public int Members { get; }

    /// <inheritdoc/>
    public string Name => "rnn";

    /// <inheritdoc/>
    ISentenceClassifier IClassifierFactory.Train(ClassificationFold fold) => Train(fold);

    /// <summary>Trains the N members on <paramref name="fold"/> (each choosing its epoch on the validation part).</summary>
    public RecurrentEnsembleClassifier Train(ClassificationFold fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        var members = new RecurrentSentenceClassifier[Members];
        var failures = new Exception?[Members];
        int next = -1;
        void Work()
        {
            using var own = new WorkerPool(1);
            for (int m; (m = Interlocked.Increment(ref next)) < Members;)
            {
                try
                {
                    var training = _training with { Seed = _training.Seed + (ulong)m, MetricsPath = MemberMetricsPath(_training.MetricsPath, m) };
                    var factory = new RecurrentClassifierFactory(_options with { Seed = _options.Seed + (ulong)m }, training, own);
                    var trained = factory.Train(fold);
                    members[m] = new RecurrentSentenceClassifier(trained.Model, trained.Words, trained.ClassNames, trained.BatchSize, _pool);
                }
                catch (Exception e) { failures[m] = e; }
            }
        }
        var threads = Enumerable.Range(0, Math.Min(Members, _pool.Threads) - 1).Select(_ => new Thread(Work) { IsBackground = true }).ToArray();
        foreach (var t in threads) t.Start();
        Work();
        foreach (var t in threads) t.Join();
        if (failures.FirstOrDefault(e => e is not null) is { } failure) ExceptionDispatchInfo.Throw(failure);
        return new RecurrentEnsembleClassifier(members);
    }
}

/// <summary>The mean of its members' class probabilities (<see cref="RecurrentEnsembleFactory"/>).</summary>
public sealed class RecurrentEnsembleClassifier : ISentenceClassifier
{
    /// <summary>Averages <paramref name="members"/> (at least one, all with the same classes).</summary>
    public RecurrentEnsembleClassifier(IReadOnlyList<RecurrentSentenceClassifier> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("RecurrentEnsembleClassifier: needs at least one member.", nameof(members));
        if (members.Any(m => !m.ClassNames.SequenceEqual(members[0].ClassNames)))
            throw new ArgumentException("RecurrentEnsembleClassifier: the members have different classes.", nameof(members));
        Members = [.. members];
    }

    /// <summary>The averaged classifiers.</summary>
    public IReadOnlyList<RecurrentSentenceClassifier> Members { get; }

    /// <inheritdoc/>
    public int ClassCount => Members[0].ClassCount;

    /// <inheritdoc/>
    public double[][] PredictProbabilities(IReadOnlyList<string[]> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var mean = Members[0].PredictProbabilities(sentences);
        foreach (var member in Members.Skip(1))
        {
            var p = member.PredictProbabilities(sentences);
            for (int i = 0; i < mean.Length; i++)
                for (int k = 0; k < mean[i].Length; k++) mean[i][k] += p[i][k];
        }
        foreach (var row in mean)
            for (int k = 0; k < row.Length; k++) row[k] /= Members.Count;
        return mean;
    }
}
