using System.CommandLine;
using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>The input options of the <c>classify</c> commands: <c>--pos</c>/<c>--neg</c> or <c>--data</c> (with <c>--label-order</c>).</summary>
internal sealed class ClassifyDataOptions
{
    public Option<string> Pos { get; } = new("--pos") { Description = "Positive sentences, UTF-8, one tokenised sentence per line (label pos = 1); needs --neg." };
    public Option<string> Neg { get; } = new("--neg") { Description = "Negative sentences, UTF-8, one tokenised sentence per line (label neg = 0); needs --pos." };
    public Option<string> Data { get; } = new("--data") { Description = "Instead of --pos/--neg: a UTF-8 file of 'label<TAB>text' lines, any number of classes." };
    public Option<string> LabelOrder { get; } = new("--label-order") { Description = "--data: number labels by first appearance or by sorted name.", DefaultValueFactory = _ => "first-seen" };

    public ClassifyDataOptions() => LabelOrder.AcceptOnlyFromAmong("first-seen", "sorted");

    public void AddTo(Command command)
    {
        command.Options.Add(Pos);
        command.Options.Add(Neg);
        command.Options.Add(Data);
        command.Options.Add(LabelOrder);
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> when a metrics log the run writes is one of the input files: each of
    /// <paramref name="folds"/> (null: no folds) and, with more than one member, each of <paramref name="members"/> has its
    /// own log (<c>NAME.fold{f}.member{m}.EXT</c>, <see cref="ClassifyCommand.FoldMetricsPath"/>,
    /// <see cref="RecurrentEnsembleFactory.MemberMetricsPath"/>).
    /// </summary>
    public void EnsureNotMetrics(ParseResult parse, TrainingCliOptions shared, int[]? folds, int members)
    {
        if (parse.GetValue(shared.Metrics) is not { } log) return;
        var logs = new List<(string Path, string What)> { (log, "--metrics") };   // the name given, even when only its fold or member logs are written
        foreach (int? f in folds is null ? [null] : folds.Select(f => (int?)f))
        {
            string foldLog = f is { } fold ? ClassifyCommand.FoldMetricsPath(log, fold)! : log;
            string what = f is { } n ? $"--metrics {log}: the log of fold {n}" : "--metrics";
            if (members == 1) logs.Add((foldLog, what));
            else
                for (int m = 0; m < members; m++)
                    logs.Add((RecurrentEnsembleFactory.MemberMetricsPath(foldLog, m)!, f is { } fm ? $"--metrics {log}: the log of fold {fm}, member {m}" : $"--metrics {log}: the log of member {m}"));
        }
        shared.EnsureMetricsNotInput(parse, logs, ("--pos", parse.GetValue(Pos)), ("--neg", parse.GetValue(Neg)), ("--data", parse.GetValue(Data)));
    }

    /// <summary>
    /// The labelled sentences the flags name; both or neither of a pair is an <see cref="ArgumentException"/>, and so is
    /// data of a single class (nothing to tell apart), named by its file.
    /// </summary>
    public LabeledSentences Read(ParseResult parse)
    {
        string? posPath = parse.GetValue(Pos), negPath = parse.GetValue(Neg), dataPath = parse.GetValue(Data);
        bool pair = posPath is not null || negPath is not null;
        if (pair == (dataPath is not null) || (pair && (posPath is null || negPath is null)))
            throw new ArgumentException("give either --pos FILE --neg FILE, or --data FILE.");
        if (pair && CliGuard.Given(parse, LabelOrder))   // the polarity files' labels are fixed (neg 0, pos 1)
            throw new ArgumentException("--label-order numbers the labels of --data; --pos/--neg always give neg 0 and pos 1.");
        if (pair) EnsureDistinct(posPath!, negPath!);
        LabeledSentences data = pair
            ? SentenceFiles.ReadPolarity(posPath!, negPath!)
            : SentenceFiles.ReadTabSeparated(dataPath!, parse.GetValue(LabelOrder) == "sorted" ? Classification.LabelOrder.Sorted : Classification.LabelOrder.FirstSeen);
        if (data.ClassCount < 2)
            throw new ArgumentException($"--data {dataPath}: all {data.Count} sentences have the label '{data.ClassNames[0]}'; a classifier needs at least 2 classes.");
        return data;
    }

    // Checked before either file is read: the same file as both classes would give the two classes identical sentences.
    private static void EnsureDistinct(string posPath, string negPath)
    {
        if (Text.PathCheck.SameFile(posPath, negPath))
            throw new ArgumentException($"--pos and --neg are the same file '{posPath}': give the positive and the negative sentences in two files.");
    }

    /// <summary>The option and file class <paramref name="c"/> of <paramref name="data"/> was read from: <c>--pos FILE</c>, <c>--neg FILE</c> or <c>--data FILE</c>.</summary>
    public string Source(ParseResult parse, LabeledSentences data, int c) =>
        parse.GetValue(Data) is { } file ? $"--data {file}" : data.ClassNames[c] == "pos" ? $"--pos {parse.GetValue(Pos)}" : $"--neg {parse.GetValue(Neg)}";

    /// <summary>The input options and files, for a message about the data as a whole.</summary>
    public string Sources(ParseResult parse) =>
        parse.GetValue(Data) is { } file ? $"--data {file}" : $"--pos {parse.GetValue(Pos)} --neg {parse.GetValue(Neg)}";

    /// <summary>
    /// Cross-validation's checks of the data, before any output: a binary model (NBSVM, alone or in rnn+nbsvm) chosen
    /// with <paramref name="model"/> needs exactly two classes (the NBSVM baseline of <c>--baselines</c> is left out then), and every class needs 2 sentences or more, so that the stratified folds (which deal each
    /// class's sentences round the folds) leave every class in every fold's training part. As scikit-learn's
    /// <c>StratifiedKFold</c>, k folds need some class of k sentences or more: otherwise the folds past the largest class
    /// hold a sentence or two of one class, and their accuracies say nothing.
    /// </summary>
    public void EnsureCrossValidates(ParseResult parse, LabeledSentences data, Option<string> model, int folds)
    {
        if (data.ClassCount != 2 && IsBinary(parse.GetValue(model)!))
            throw new ArgumentException($"{CliGuard.Chosen(parse, model)} is binary (NBSVM); {Sources(parse)} has {data.ClassCount} classes: use --model mnb-bi, mnb-uni or rnn.");
        int[] counts = data.ClassCounts();
        for (int c = 0; c < counts.Length; c++)
            if (counts[c] < 2)
                throw new ArgumentException($"{Source(parse, data, c)}: class '{data.ClassNames[c]}' has {counts[c]} sentence; cross-validation needs at least 2 of each class, "
                    + "so that every fold trains on every class.");
        int largest = counts.Max();
        if (folds > largest)
            throw new ArgumentException($"--folds {folds}: {Sources(parse)} has no class of {folds} sentences (the largest, '{data.ClassNames[Array.IndexOf(counts, largest)]}', has {largest}), "
                + $"so stratified folds past {largest} would each test a sentence or two of one class: use --folds {largest} or fewer.");
    }

    /// <summary>True for the models that hold NBSVM, a binary classifier.</summary>
    public static bool IsBinary(string model) => model.Contains("nbsvm", StringComparison.Ordinal);
}

/// <summary>The options of the recurrent classifier (<c>--model rnn</c>) with the shared training flags; defaults are <see cref="RecurrentClassifierOptions"/>'s.</summary>
internal sealed class RecurrentClassifierCliOptions
{
    private static readonly RecurrentClassifierOptions Defaults = new();

    public RecurrentClassifierCliOptions()
    {
        Cell.AcceptOnlyFromAmong("lstm", "gru", "rnn");
        Pooling.AcceptOnlyFromAmong("max", "mean", "last");
        // The classifier evaluates once per epoch or every --eval-every steps, never by time (RecurrentClassifierFactory).
        Shared.EvalEvery.Description = "rnn: evaluate on the validation sentences every this many steps (0: once per epoch).";
        Shared.EvalSeconds.Hidden = true;
        Shared.Epochs.Description = $"{Shared.Epochs.Description} rnn: {RecurrentClassifierOptions.DefaultTraining.Epochs} when neither --time-budget nor --max-steps is given.";
    }

    public Option<string> Cell { get; } = new("--cell") { Description = "rnn: recurrent cell lstm, gru or rnn.", DefaultValueFactory = _ => Defaults.Cell.ToString().ToLowerInvariant() };
    public Option<int> Embedding { get; } = new("--embedding") { Description = "rnn: word-vector width E (learned from scratch).", DefaultValueFactory = _ => Defaults.Embedding };
    public Option<int> Hidden { get; } = new("--hidden") { Description = "rnn: hidden units H per direction.", DefaultValueFactory = _ => Defaults.Hidden };
    public Option<bool> Unidirectional { get; } = new("--unidirectional") { Description = "rnn: read left to right only (default: bidirectional)." };
    public Option<string> Pooling { get; } = new("--pooling") { Description = "rnn: max or mean over the valid steps, or last (the last valid step).", DefaultValueFactory = _ => Defaults.Pooling.ToString().ToLowerInvariant() };
    public Option<int> Batch { get; } = new("--batch", "-b") { Description = "rnn: sentences per step (length-bucketed).", DefaultValueFactory = _ => RecurrentClassifierOptions.DefaultTraining.BatchSize };
    public Option<int> MicroBatches { get; } = new("--micro-batches") { Description = "rnn: parts each batch is split into, run side by side on the threads, their gradients added in order (results depend on this, not on --threads).", DefaultValueFactory = _ => 1 };
    public Option<double?> EmbeddingDropout { get; } = new("--embedding-dropout") { Description = "rnn: dropout on the word vectors (default: half of --dropout)." };
    public Option<double> WordDropout { get; } = new("--word-dropout") { Description = "rnn: probability of reading a training word as <unk>.", DefaultValueFactory = _ => Defaults.WordDropout };
    public Option<double> EmbeddingStd { get; } = new("--embedding-std") { Description = "rnn: standard deviation of the word vectors' random start.", DefaultValueFactory = _ => Defaults.EmbeddingStd };
    public Option<int> MinCount { get; } = new("--min-count") { Description = "rnn: vocabulary of the words seen at least this often in the training part (others read as <unk>).", DefaultValueFactory = _ => Defaults.MinCount };
    public TrainingCliOptions Shared { get; } = new(learningRate: RecurrentClassifierOptions.DefaultTraining.LearningRate, clip: 5, dropout: Defaults.Dropout,
        defaultSeconds: null, evalSeconds: null);

    /// <summary>The recurrent classifier's own options (without the shared training flags).</summary>
    public Option[] Own => [Cell, Embedding, Hidden, Unidirectional, Pooling, Batch, MicroBatches, EmbeddingDropout, WordDropout, EmbeddingStd, MinCount];

    public void AddTo(Command command)
    {
        foreach (Option o in Own) command.Options.Add(o);
        Shared.AddTo(command);
    }

    /// <summary>
    /// Refuses a split that leaves the recurrent classifier no validation sentence (<paramref name="validation"/> = 0):
    /// it holds out round(10 %) of each class of its training sentences, at least one of each class with 2 or more, to
    /// choose the epoch, so <paramref name="training"/> sentences with at most one of each class give none.
    /// <paramref name="what"/> names the options that made the split.
    /// </summary>
    public static void EnsureValidationPart(int training, int validation, string what)
    {
        if (validation == 0)
            throw new ArgumentException($"{what}: the recurrent classifier trains on {training} sentences, at most one of each class, which leaves no validation sentence "
                + "(it holds out 10 % of each class with 2 or more to choose the epoch); it needs a class with at least 2 training sentences.");
    }

    /// <summary>The model and training settings the flags describe, each checked under its flag's name (reads no file).</summary>
    public (RecurrentClassifierOptions Model, TrainingOptions Training) Read(ParseResult parse)
    {
        CliGuard.RefuseIfGiven(parse, o => $"{o}: the recurrent classifier evaluates once per epoch or every --eval-every N steps, never by time: drop {o}.",
            Shared.EvalSeconds);
        int e = parse.GetValue(Embedding), h = parse.GetValue(Hidden), b = parse.GetValue(Batch);
        if (e is < 1 or > 4096 || h is < 1 or > 4096) throw new ArgumentException($"--embedding and --hidden must be in [1, 4096], got {e} and {h}.");
        if (b < 1 || b > Array.MaxLength) throw new ArgumentException($"--batch must be in [1, {Array.MaxLength}] (sentences per step), got {b}.");
        Shared.ReadThreads(parse);
        var options = Defaults with
        {
            Cell = parse.GetValue(Cell) switch { "gru" => RecurrentCell.Gru, "rnn" => RecurrentCell.Rnn, _ => RecurrentCell.Lstm },
            Embedding = e, Hidden = h, Bidirectional = !parse.GetValue(Unidirectional),
            Pooling = parse.GetValue(Pooling) switch { "mean" => SequencePooling.Mean, "last" => SequencePooling.Last, _ => SequencePooling.Max },
            Dropout = Shared.ReadDropout(parse), Seed = parse.GetValue(Shared.Seed),
            EmbeddingDropout = parse.GetValue(EmbeddingDropout) ?? Defaults.EmbeddingDropout, MinCount = parse.GetValue(MinCount),
            WordDropout = parse.GetValue(WordDropout), EmbeddingStd = parse.GetValue(EmbeddingStd),
        };
        if (options.MinCount < 1) throw new ArgumentException($"--min-count must be at least 1, got {options.MinCount}.");
        if (!(options.EmbeddingStd is > 0 and <= 100)) throw new ArgumentException($"--embedding-std must be in (0, 100], got {options.EmbeddingStd}.");
        if (!(options.WordDropout is >= 0 and < 1)) throw new ArgumentException($"--word-dropout must be in [0, 1), got {options.WordDropout}.");
        if (options.EmbeddingDropout is { } pe && !(pe >= 0 && pe < 1)) throw new ArgumentException($"--embedding-dropout must be in [0, 1), got {pe}.");
        int parts = parse.GetValue(MicroBatches);
        if (parts is < 1 or > TrainingOptions.MaxMicroBatches) throw new ArgumentException($"--micro-batches must be in [1, {TrainingOptions.MaxMicroBatches}], got {parts}.");
        var training = Shared.Read(parse, RecurrentClassifierOptions.DefaultTraining with { BatchSize = b, MicroBatches = parts });
        return (options, training with { CheckpointDirectory = null });
    }

    /// <summary>
    /// Refuses a model that cannot train on <paramref name="data"/> in the memory available: the vocabulary is at most the
    /// distinct words + &lt;pad&gt; and &lt;unk&gt;, a batch at most B of the longest sentences. Refuses as well a
    /// <c>--min-count</c> above every word's count, which would leave the model only &lt;unk&gt; to read.
    /// </summary>
    public static void EnsureFits(RecurrentClassifierOptions model, TrainingOptions training, LabeledSentences data)
    {
        var counts = data.Sentences.SelectMany(s => s).CountBy(w => w, StringComparer.Ordinal).ToArray();
        if (counts.Length > 0 && counts.MaxBy(c => c.Value) is var (top, n) && n < model.MinCount)   // a fold counts a subset of these
            throw new ArgumentException($"--min-count {model.MinCount} keeps no word: the most frequent, '{top}', occurs {n:N0} times in all the data, so every sentence would read as <unk>.");
        int vocabulary = counts.Length + 2;
        int longest = data.Sentences.Max(s => Math.Max(1, s.Length));
        CliGuard.EnsureTrainingFits(model.ParameterCount(vocabulary, data.ClassCount), sizeof(float),
            $"the classifier (--embedding {model.Embedding} --hidden {model.Hidden} --batch {training.BatchSize}; {vocabulary:N0} words, sentences up to {longest:N0})",
            model.ActivationValues(Math.Min(training.BatchSize, data.Count), longest));
    }

    /// <summary>The factory of checked settings (no trainer checkpoints: a fold's model lives in memory).</summary>
    public static RecurrentClassifierFactory Factory((RecurrentClassifierOptions Model, TrainingOptions Training) settings, WorkerPool pool) =>
        new(settings.Model, settings.Training, pool);
}
