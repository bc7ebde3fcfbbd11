using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
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
/// The members train concurrently, at most <c>pool.Threads</c> at a time, each on its own one-thread pool (a single member,
/// or a one-thread pool, trains on <c>pool</c> itself; without a pool they train one after another on the calling thread): a member's
/// weights depend only on its seeds, never on which thread trains it or when, so the ensemble is the same for any
/// thread count. One member per core uses two cores better than one model on both (a batch of ~50 sentences gives
/// per-step GEMMs too small to split with profit; docs/classification.md).
/// </summary>
public sealed class RecurrentEnsembleFactory : IClassifierFactory
{
    private readonly RecurrentClassifierOptions _options;
    private readonly TrainingOptions _training;
    private readonly WorkerPool? _pool;

    /// <summary>
    /// An ensemble of <paramref name="members"/> models (1 to 1,024, the most an ensemble checkpoint holds);
    /// <paramref name="pool"/> sets how many train at once and serves prediction (null: the calling thread does both).
    /// </summary>
    public RecurrentEnsembleFactory(RecurrentClassifierOptions options, TrainingOptions training, int members, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        if (members is < 1 or > RecurrentEnsembleClassifier.MaxMembers)
            throw new ArgumentOutOfRangeException(nameof(members), members,
                $"RecurrentEnsembleFactory: members must be in [1, {RecurrentEnsembleClassifier.MaxMembers}] (the most an ensemble checkpoint holds), got {members}.");
        (_options, _training, Members, _pool) = (options, training, members, pool);
    }

    /// <summary>
    /// Where member m of several appends its metrics when the training options name a file <c>dir/name.ext</c>:
    /// <c>dir/name.member{m}.ext</c> (one writer per file). A one-member ensemble writes the named file itself, as it saves
    /// a plain checkpoint.
    /// </summary>
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
        int next = -1, workers = Math.Min(Members, _pool?.Threads ?? 1);
        void Work()
        {
            using var own = workers > 1 ? new WorkerPool(1) : null;   // one member at a time: it gets the whole pool
            for (int m; (m = Interlocked.Increment(ref next)) < Members;)
            {
                try
                {
                    var training = _training with { Seed = _training.Seed + (ulong)m, MetricsPath = Members == 1 ? _training.MetricsPath : MemberMetricsPath(_training.MetricsPath, m) };
                    var factory = new RecurrentClassifierFactory(_options with { Seed = _options.Seed + (ulong)m }, training, own ?? _pool);
                    var trained = factory.Train(fold);
                    members[m] = new RecurrentSentenceClassifier(trained.Model, trained.Words, trained.ClassNames, trained.BatchSize, _pool);
                }
                catch (Exception e) { failures[m] = e; }
            }
        }
        var threads = Enumerable.Range(0, workers - 1).Select(_ => new Thread(Work) { IsBackground = true }).ToArray();
        foreach (var t in threads) t.Start();
        Work();
        foreach (var t in threads) t.Join();
        if (failures.FirstOrDefault(e => e is not null) is { } failure) ExceptionDispatchInfo.Throw(failure);
        return new RecurrentEnsembleClassifier(members);
    }
}

/// <summary>
/// The mean of its members' class probabilities (<see cref="RecurrentEnsembleFactory"/>). <see cref="Save"/> writes a
/// directory holding <c>member0/</c> … <c>member{N−1}/</c> (each a <see cref="RecurrentSentenceClassifier"/> checkpoint)
/// and <c>ensemble.json</c> (<c>{"type": "recurrent_ensemble", "members": N}</c>), all at once; a one-member ensemble is
/// saved as the plain classifier. <see cref="Load"/> reads either form.
/// </summary>
public sealed class RecurrentEnsembleClassifier : ISentenceClassifier
{
    /// <summary>The file that marks an ensemble directory.</summary>
    public const string ManifestFileName = CheckpointFiles.EnsembleManifestFileName;

    private const string ManifestType = "recurrent_ensemble";
    /// <summary>The most members an ensemble has: <see cref="Load"/> reads no more, so none is built with more.</summary>
    public const int MaxMembers = 1024;

    /// <summary>Averages <paramref name="members"/> (1 to 1,024, all with the same classes).</summary>
    public RecurrentEnsembleClassifier(IReadOnlyList<RecurrentSentenceClassifier> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("RecurrentEnsembleClassifier: needs at least one member.", nameof(members));
        if (members.Count > MaxMembers)
            throw new ArgumentException($"RecurrentEnsembleClassifier: {members.Count} members, more than the {MaxMembers} an ensemble checkpoint holds.", nameof(members));
        if (members.Any(m => !m.ClassNames.SequenceEqual(members[0].ClassNames)))
            throw new ArgumentException("RecurrentEnsembleClassifier: the members have different classes.", nameof(members));
        Members = [.. members];
    }

    /// <summary>The averaged classifiers.</summary>
    public IReadOnlyList<RecurrentSentenceClassifier> Members { get; }

    /// <inheritdoc/>
    public int ClassCount => Members[0].ClassCount;

    /// <summary>Class names by id (the members').</summary>
    public IReadOnlyList<string> ClassNames => Members[0].ClassNames;

    /// <summary>
    /// Writes the ensemble to <paramref name="directory"/> atomically (the members, then the manifest, moved in by one
    /// rename), holding the lock file <c>{directory}.lock</c> beside it as <see cref="RecurrentSentenceClassifier.Save"/> does.
    /// </summary>
    public void Save(string directory)
    {
        using var held = CheckpointDirectoryLock.AcquireBeside(directory);
        if (Members.Count == 1)
        {
            Members[0].SaveUnlocked(directory);
            return;
        }
        AtomicFile.WriteDirectory(directory, tmp =>
        {
            for (int m = 0; m < Members.Count; m++) Members[m].SaveUnlocked(Path.Combine(tmp, $"member{m}"));
            var manifest = new JsonObject { ["type"] = ManifestType, ["members"] = Members.Count };
            AtomicFile.WriteFlushed(Path.Combine(tmp, ManifestFileName), Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        });
    }

    // {"type": "recurrent_ensemble", "members": N}; any other content is a format error naming the file.
    private static int ReadMemberCount(string manifest)
    {
        if (new FileInfo(manifest).Length > 4096) throw new CheckpointFormatException(manifest, null, "the ensemble manifest is larger than 4 KiB");
        byte[] bytes = File.ReadAllBytes(manifest);
        if (JsonStructureCheck.FirstProblem(bytes, maxDepth: 64) is { } problem)   // a repeated key or invalid UTF-8, at its byte
            throw new CheckpointFormatException(manifest, problem.Offset, problem.Problem);
        try
        {
            var root = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (root is not JsonObject o || o["type"]?.GetValueKind() != JsonValueKind.String || o["type"]!.GetValue<string>() != ManifestType)
                throw new CheckpointFormatException(manifest, null, $"'type' must be \"{ManifestType}\"");
            if (o["members"]?.GetValueKind() != JsonValueKind.Number || !o["members"]!.AsValue().TryGetValue(out int n) || n is < 1 or > MaxMembers)
                throw new CheckpointFormatException(manifest, null, $"'members' must be a whole number in [1, {MaxMembers}]");
            return n;
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(manifest, JsonFields.OffsetOf(bytes, e), "not valid JSON: " + e.Message, e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)   // invalid UTF-8 in a string, a repeated key
        {
            throw new CheckpointFormatException(manifest, null, "not a valid ensemble manifest: " + e.Message, e);
        }
    }

    /// <summary>
    /// Reads an ensemble written by <see cref="Save"/>, or a single <see cref="RecurrentSentenceClassifier"/> checkpoint as
    /// a one-member ensemble. A malformed <c>ensemble.json</c> is a <see cref="CheckpointFormatException"/> naming the file.
    /// </summary>
    /// <remarks>
    /// When <paramref name="directory"/> is missing because a writer was stopped between the two renames of its save, the
    /// complete ensemble the rename sequence left is read, as <see cref="Checkpoint.Load{T}"/> does for one checkpoint:
    /// <c>{directory}.tmp</c> (the new one) when it loads, else <c>{directory}.old</c> (the previous one).
    /// </remarks>
    public static RecurrentEnsembleClassifier Load(string directory, WorkerPool? pool = null, int batchSize = 50)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory) && AtomicFile.ReadLeftCopy(directory, ManifestFileName, d => LoadExisting(d, pool, batchSize)) is { } left)
            return left;
        return LoadExisting(directory, pool, batchSize);   // a single classifier's left copy is Checkpoint.Load's to find
    }

    private static RecurrentEnsembleClassifier LoadExisting(string directory, WorkerPool? pool, int batchSize)
    {
        string manifest = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(manifest)) return new([RecurrentSentenceClassifier.Load(directory, pool, batchSize)]);
        int n = ReadMemberCount(manifest);
        var members = new RecurrentSentenceClassifier[n];
        for (int m = 0; m < n; m++)
        {
            string member = Path.Combine(directory, $"member{m}");
            if (!Directory.Exists(member)) throw new CheckpointFormatException(manifest, null, $"it lists {n} members, but member{m}{Path.DirectorySeparatorChar} is missing");
            members[m] = RecurrentSentenceClassifier.Load(member, pool, batchSize);
        }
        try
        {
            return new(members);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(manifest, null, Checks.MessageWithoutParameter(e).TrimEnd('.'), e);
        }
    }

    /// <summary>
    /// The predicted class of each sentence, as <see cref="ISentenceClassifier.Predict"/> (public here so that it is
    /// callable without a cast to the interface).
    /// </summary>
    public int[] Predict(IReadOnlyList<string[]> sentences) => [.. PredictProbabilities(sentences).Select(ISentenceClassifier.ArgMax)];

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
