using System.CommandLine;
using System.Text.Json.Nodes;
using SeqLearn.Checkpoints;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>
/// The options every training command shares — threads, seed, stopping, evaluation cadence, patience, checkpoints, resume,
/// metrics log, optimizer, learning rate, schedule, clipping, dropout — defined once, added to each command with
/// <see cref="AddTo"/> and turned into <see cref="TrainingOptions"/> by <see cref="Read"/>. A command passes its own
/// defaults (a language model trains with Adam 0.002 and clip 5; a classifier may prefer others).
/// </summary>
internal sealed class TrainingCliOptions
{
    public TrainingCliOptions(double learningRate = 0.002, double clip = 5.0, double dropout = 0, double? defaultSeconds = 60, double? evalSeconds = 15,
        string schedule = "constant", double gamma = 0.5, int? firstDecayEpoch = null)
    {
        (DefaultSeconds, DefaultEvalSeconds) = (defaultSeconds, evalSeconds);
        LearningRate = new("--lr") { Description = "Learning rate η₀.", DefaultValueFactory = _ => learningRate };
        Optimizer = new("--optimizer") { Description = "sgd, adam or adamw.", DefaultValueFactory = _ => "adam" };
        Optimizer.AcceptOnlyFromAmong("sgd", "adam", "adamw");
        Momentum = new("--momentum") { Description = "SGD momentum μ (0 = none)." };
        Nesterov = new("--nesterov") { Description = "SGD with Nesterov momentum (needs --momentum > 0)." };
        WeightDecay = new("--weight-decay") { Description = "Weight decay λ (L2 for sgd and adam, decoupled for adamw); 0 unless given, for adamw too (PyTorch's AdamW defaults to 0.01)." };
        Schedule = new("--schedule") { Description = "Learning-rate schedule: constant, step (×--gamma every --step-size epochs), cosine (over --epochs) or plateau (×--gamma when the monitored metric stops improving).", DefaultValueFactory = _ => schedule };
        Schedule.AcceptOnlyFromAmong("constant", "step", "cosine", "plateau");
        StepSize = new("--step-size") { Description = "Epochs between decays of --schedule step.", DefaultValueFactory = _ => 1 };
        Gamma = new("--gamma") { Description = "Decay factor of --schedule step and plateau.", DefaultValueFactory = _ => gamma };
        FirstDecay = new("--first-decay-epoch") { Description = "--schedule step: the first epoch (0-based) run at a decayed rate (when unset: --step-size; Zaremba et al.'s PTB schedule: --step-size 1 --first-decay-epoch 4).", DefaultValueFactory = _ => firstDecayEpoch };
        Clip = new("--clip") { Description = "Clip the global gradient 2-norm to this value (0 = no clipping).", DefaultValueFactory = _ => clip };
        Dropout = new("--dropout") { Description = "Dropout probability in [0, 1).", DefaultValueFactory = _ => dropout };
        Epochs = new("--epochs") { Description = "Stop after this many passes over the training data." };
        Budget = new("--time-budget") { Description = $"Stop at the first step past this many seconds of training (evaluation excluded).{(defaultSeconds is { } d ? $" Default {d} when neither --epochs nor --max-steps is given." : "")}" };
        MaxSteps = new("--max-steps") { Description = "Stop after this many optimizer steps in total." };
        EvalEvery = new("--eval-every") { Description = "Evaluate on the validation data every this many steps (0: every --eval-every-seconds, and at the end)." };
        EvalSeconds = new("--eval-every-seconds") { Description = $"Also evaluate after this many seconds of training since the last evaluation{(evalSeconds is { } e ? $" (default {e} when --eval-every is 0)" : "")}." };
        Patience = new("--patience") { Description = "Early stopping: stop after this many evaluations without a better monitored metric." };
        Threads = new("--threads", "-t") { Description = "Worker threads for the kernels (results are identical for any count).", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 4) };
        Seed = new("--seed") { Description = "Seed of the initial weights, dropout, batch order and sampling: the same seed and data give the same run.", DefaultValueFactory = _ => 1UL };
        Checkpoint = new("--checkpoint") { Description = "Directory for checkpoints: DIR/best (best monitored metric) and DIR/last (written atomically at each evaluation)." };
        Resume = new("--resume") { Description = "Continue from a checkpoint directory (DIR/last, or a run directory containing last/); the losses continue exactly. The resumed run keeps the checkpoint's model and optimizer settings, and saves only with --checkpoint (the same directory continues it)." };
        Metrics = new("--metrics") { Description = "Append JSON-lines metrics (kind, step, train loss and its span, validation metrics, tokens/s, lr) to this file." };
    }

    public double? DefaultSeconds { get; }
    public double? DefaultEvalSeconds { get; }
    public Option<double> LearningRate { get; }
    public Option<string> Optimizer { get; }
    public Option<double> Momentum { get; }
    public Option<bool> Nesterov { get; }
    public Option<double> WeightDecay { get; }
    public Option<string> Schedule { get; }
    public Option<int> StepSize { get; }
    public Option<double> Gamma { get; }
    public Option<int?> FirstDecay { get; }
    public Option<double> Clip { get; }
    public Option<double> Dropout { get; }
    public Option<int?> Epochs { get; }
    public Option<double?> Budget { get; }
    public Option<long?> MaxSteps { get; }
    public Option<int> EvalEvery { get; }
    public Option<double?> EvalSeconds { get; }
    public Option<int?> Patience { get; }
    public Option<int> Threads { get; }
    public Option<ulong> Seed { get; }
    public Option<string> Checkpoint { get; }
    public Option<string> Resume { get; }
    public Option<string> Metrics { get; }

    /// <summary>Every shared option, in the order of the help.</summary>
    public Option[] All =>
    [
        LearningRate, Optimizer, Momentum, Nesterov, WeightDecay, Schedule, StepSize, Gamma, FirstDecay, Clip, Dropout, Epochs, Budget,
        MaxSteps, EvalEvery, EvalSeconds, Patience, Threads, Seed, Checkpoint, Resume, Metrics,
    ];

    /// <summary>Adds every shared option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option o in All) command.Options.Add(o);
    }

    /// <summary>The worker threads, checked (1 ≤ threads ≤ 4 × cores).</summary>
    public int ReadThreads(ParseResult parse) => CheckThreads(parse.GetValue(Threads));

    /// <summary>Throws unless 1 ≤ <paramref name="threads"/> ≤ 4 × the cores (more threads only add contention).</summary>
    public static int CheckThreads(int threads, string option = "--threads")
    {
        int cap = 4 * Environment.ProcessorCount;
        if (threads < 1 || threads > cap) throw new ArgumentException($"{option} must be in [1, {cap}] (4 × the {Environment.ProcessorCount} cores), got {threads}.");
        return threads;
    }

    /// <summary>
    /// The checkpoint <c>--resume</c> names (DIR holding checkpoint.json, or a run directory holding last/), loaded, with
    /// the path of its manifest; null without <c>--resume</c>.
    /// </summary>
    public (CheckpointData<float> Data, string Manifest)? LoadResume(ParseResult parse)
    {
        if (parse.GetValue(Resume) is not { } resumeDir) return null;
        string dir = SeqLearn.Checkpoints.Checkpoint.Exists(resumeDir) || !SeqLearn.Checkpoints.Checkpoint.Exists(Path.Combine(resumeDir, "last"))
            ? resumeDir : Path.Combine(resumeDir, "last");
        return (SeqLearn.Checkpoints.Checkpoint.Load<float>(dir), Path.Combine(dir, SeqLearn.Checkpoints.Checkpoint.ManifestFileName));
    }

    /// <summary>The model config of a checkpoint to resume, read by <paramref name="read"/>; a config of another model kind is an error naming the checkpoint's manifest.</summary>
    public static TConfig FromCheckpoint<TConfig>((CheckpointData<float> Data, string Manifest) resumed, Func<JsonObject, TConfig> read)
    {
        try { return read(resumed.Data.ModelConfig!); }
        catch (FormatException e) { throw new FormatException($"{resumed.Manifest}: {e.Message}", e); }
    }

    /// <summary>
    /// Resumes with <paramref name="resume"/>; a checkpoint that cannot resume this run is an error naming its manifest, and
    /// so is one already at or past <c>--max-steps</c> (the run would train nothing and report no loss).
    /// </summary>
    public static void ResumeFrom((CheckpointData<float> Data, string Manifest) from, TrainingOptions options, Action<CheckpointData<float>> resume)
    {
        try { resume(from.Data); }
        catch (IncompatibleCheckpointException e) { throw new IncompatibleCheckpointException($"{from.Manifest}: {e.Message}"); }
        if (options.MaxSteps is { } max && from.Data.Step >= max)
            throw new ArgumentException($"--max-steps {max}: {from.Manifest} is at step {from.Data.Step} already, so there is nothing to train; give a larger --max-steps to continue.");
    }

    /// <summary>
    /// A resumed run continues with its checkpoint's optimizer (<c>--optimizer</c>, from the stored state's kind) and its
    /// settings (weight decay; for SGD momentum and Nesterov), as PyTorch's <c>load_state_dict</c> restores them: each of
    /// those flags not given on the command line takes the stored value; one given with another value is refused by
    /// <c>Trainer.Resume</c>. Checkpoints without the settings keep <paramref name="options"/>.
    /// </summary>
    public TrainingOptions WithCheckpointOptimizer(ParseResult parse, TrainingOptions options, CheckpointData<float>? resumed)
    {
        options = WithCheckpointRun(parse, options, resumed);
        if (parse.GetResult(Optimizer) is not { Implicit: false } && resumed?.Optimizer is { } state)
            options = options with { Optimizer = state.Kind };
        if (resumed?.TrainerState?["optimizer_settings"] is not JsonObject stored) return options;
        if (parse.GetResult(WeightDecay) is not { Implicit: false } && stored["weight_decay"] is JsonValue decay)
            options = options with { WeightDecay = decay.GetValue<double>() };
        if (options.Optimizer != OptimizerKind.Sgd) return options;   // another kind than the checkpoint's: Trainer.Resume names both
        if (parse.GetResult(Momentum) is not { Implicit: false } && stored["momentum"] is JsonValue momentum)
            options = options with { Momentum = momentum.GetValue<double>() };
        if (parse.GetResult(Nesterov) is not { Implicit: false } && stored["nesterov"] is JsonValue nesterov)
            options = options with { Nesterov = nesterov.GetValue<bool>() };
        return options;
    }

    /// <summary>
    /// A resumed run continues with its checkpoint's η₀, clip norm, schedule and schedule settings (<c>Trainer</c>'s run
    /// settings): each of <c>--lr</c>, <c>--clip</c>, <c>--schedule</c>, <c>--step-size</c>, <c>--gamma</c>, <c>--first-decay-epoch</c> not given takes the
    /// stored value, and a cosine run's <c>--epochs</c> its stored period; one given with another value is refused by
    /// <c>Trainer.Resume</c>. Checkpoints without the settings keep <paramref name="options"/>.
    /// </summary>
    private TrainingOptions WithCheckpointRun(ParseResult parse, TrainingOptions options, CheckpointData<float>? resumed)
    {
        if (resumed?.TrainerState?["run_settings"] is not JsonObject run) return options;
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        if (!Given(Schedule) && resumed.TrainerState["schedule"]?["schedule_kind"] is JsonValue kindValue
            && Enum.TryParse(kindValue.GetValue<string>(), ignoreCase: false, out ScheduleKind kind) && Enum.IsDefined(kind))
            options = options with { Schedule = kind };
        if (!Given(LearningRate) && run["learning_rate"] is JsonValue lr) options = options with { LearningRate = lr.GetValue<double>() };
        if (!Given(Clip) && run.ContainsKey("clip_norm")) options = options with { ClipNorm = run["clip_norm"]?.GetValue<double>() };
        if (!Given(StepSize) && run["step_size"] is JsonValue step) options = options with { StepSize = step.GetValue<int>() };
        if (!Given(Gamma) && run["gamma"] is JsonValue gamma) options = options with { Gamma = gamma.GetValue<double>() };
        if (!Given(FirstDecay) && run["first_decay_epoch"] is JsonValue first && run["step_size"] is JsonValue size && first.GetValue<int>() != size.GetValue<int>())
            options = options with { FirstDecayEpoch = first.GetValue<int>() };
        if (!Given(Epochs) && run["cosine_epochs"] is JsonValue period) options = options with { Epochs = period.GetValue<int>() };
        return options;
    }

    /// <summary>
    /// A resumed run keeps its checkpoint's model: <paramref name="option"/>, when given on the command line with a value
    /// other than the checkpoint's <paramref name="stored"/>, is refused instead of silently ignored.
    /// </summary>
    public static void SameAsCheckpoint<TValue>(ParseResult parse, Option<TValue> option, TValue stored)
    {
        if (parse.GetResult(option) is { Implicit: false } && !EqualityComparer<TValue>.Default.Equals(parse.GetValue(option), stored))
            throw new ArgumentException($"{option.Name} {parse.GetValue(option)} conflicts with --resume: the checkpoint's model has {option.Name} {stored} (drop {option.Name}).");
    }

    /// <summary>The dropout probability, checked to be in [0, 1).</summary>
    public double ReadDropout(ParseResult parse)
    {
        double p = parse.GetValue(Dropout);
        if (!(p >= 0 && p < 1)) throw new ArgumentException($"--dropout must be in [0, 1), got {p}.");
        return p;
    }

    /// <summary>
    /// Refuses a flag given on the command line that the chosen optimizer or schedule would ignore: <c>--momentum</c> and
    /// <c>--nesterov</c> are SGD's (PyTorch's Adam and AdamW take neither), <c>--gamma</c> is the factor of step decay and
    /// reduce-on-plateau, <c>--step-size</c> and <c>--first-decay-epoch</c> are step decay's.
    /// </summary>
    private void CheckApplicable(ParseResult parse)
    {
        if (parse.GetValue(Optimizer) != "sgd")
        {
            string optimizer = CliGuard.Chosen(parse, Optimizer);
            CliGuard.RefuseIfGiven(parse, name => $"{name} applies to --optimizer sgd (Adam and AdamW take no momentum), not {optimizer}: drop {name} or use --optimizer sgd.",
                Momentum, Nesterov);
        }
        string schedule = CliGuard.Chosen(parse, Schedule);
        if (parse.GetValue(Schedule) is not ("step" or "plateau"))
            CliGuard.RefuseIfGiven(parse, name => $"{name} applies to --schedule step or plateau, not {schedule}: drop {name} or use one of them.", Gamma);
        if (parse.GetValue(Schedule) != "step")
            CliGuard.RefuseIfGiven(parse, name => $"{name} applies to --schedule step, not {schedule}: drop {name} or use --schedule step.", StepSize, FirstDecay);
    }

    // Each flag checked under its own name (TrainingOptions.Validate repeats the checks for library callers).
    private void CheckFlags(ParseResult parse, int? epochs, long? steps)
    {
        CheckApplicable(parse);
        double lr = parse.GetValue(LearningRate), momentum = parse.GetValue(Momentum), decay = parse.GetValue(WeightDecay), gamma = parse.GetValue(Gamma);
        if (!(lr > 0 && double.IsFinite(lr))) throw new ArgumentException($"--lr must be a positive number, got {lr}.");
        if (!(momentum >= 0 && double.IsFinite(momentum))) throw new ArgumentException($"--momentum must be a number ≥ 0, got {momentum}.");
        if (!(decay >= 0 && double.IsFinite(decay))) throw new ArgumentException($"--weight-decay must be a number ≥ 0, got {decay}.");
        if (!(gamma > 0 && gamma < 1)) throw new ArgumentException($"--gamma must be in (0, 1), got {gamma}.");
        if (parse.GetValue(StepSize) < 1) throw new ArgumentException($"--step-size must be at least 1, got {parse.GetValue(StepSize)}.");
        if (parse.GetValue(FirstDecay) is < 1) throw new ArgumentException($"--first-decay-epoch must be ≥ 1 (epoch 0 runs at --lr), got {parse.GetValue(FirstDecay)}.");
        if (epochs is < 1) throw new ArgumentException($"--epochs must be at least 1, got {epochs}.");
        if (steps is < 1) throw new ArgumentException($"--max-steps must be at least 1, got {steps}.");
        if (parse.GetValue(Patience) is < 1) throw new ArgumentException($"--patience must be at least 1, got {parse.GetValue(Patience)}.");
        ReadDropout(parse);
        if (parse.GetValue(Nesterov) && parse.GetValue(Optimizer) == "sgd" && momentum == 0) throw new ArgumentException("--nesterov needs --momentum > 0.");
        if (parse.GetValue(Schedule) == "cosine" && epochs is null) throw new ArgumentException("--schedule cosine needs --epochs (its period).");
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="option"/> unless <paramref name="seconds"/> is a
    /// duration a <see cref="TimeSpan"/> holds: at least one tick (0.1 µs; less rounds to zero) and at most half of
    /// <see cref="TimeSpan.MaxValue"/> (so that adding it to the elapsed time cannot overflow).
    /// </summary>
    private static void CheckSeconds(double seconds, string option)
    {
        const double tick = 1.0 / TimeSpan.TicksPerSecond;
        double max = TimeSpan.MaxValue.TotalSeconds / 2;
        if (!(seconds > 0 && seconds <= max && TimeSpan.FromSeconds(seconds) > TimeSpan.Zero))
            throw new ArgumentException($"{option} must be a positive number of seconds in [{tick:G2}, {max:G3}], got {seconds}.");
    }

    /// <summary>
    /// Throws an <see cref="IOException"/> when <c>--metrics</c> names one of <paramref name="inputs"/> (option, path; a
    /// null path is an option not given): the log is appended to, which would write JSON lines into the data.
    /// </summary>
    public void EnsureMetricsNotInput(ParseResult parse, params (string Option, string? Path)[] inputs)
    {
        if (parse.GetValue(Metrics) is not { } log) return;
        EnsureMetricsNotInput(parse, [(log, "--metrics")], inputs);
    }

    /// <summary>
    /// <see cref="EnsureMetricsNotInput(ParseResult, ValueTuple{string, string}[])"/> for the logs a run writes under
    /// <c>--metrics</c> (per fold or member, <paramref name="logs"/>: path and what it is, e.g. <c>--metrics d.tsv: the log of fold 0</c>).
    /// </summary>
    public void EnsureMetricsNotInput(ParseResult parse, IEnumerable<(string Path, string What)> logs, params (string Option, string? Path)[] inputs)
    {
        if (parse.GetValue(Metrics) is null) return;
        foreach (var (log, what) in logs)
            foreach (var (option, path) in inputs) SeqLearn.Text.PathCheck.EnsureNotInput(log, what, path, option);
    }

    /// <summary>
    /// Refuses, before any data are read, a <c>--checkpoint</c> run directory that already holds a checkpoint of another
    /// model kind than <paramref name="kind"/> (<see cref="CheckpointPaths.EnsureHoldsOnly"/>), naming the directory and the kind found.
    /// </summary>
    public void EnsureCheckpointHolds(ParseResult parse, CheckpointKind kind)
    {
        if (parse.GetValue(Checkpoint) is { } dir) CheckpointPaths.EnsureHoldsOnly(dir, "--checkpoint", kind, whole: false);
    }

    /// <summary>
    /// Runs a model config's <paramref name="validate"/>; its error is reported with the flags that made the config
    /// (<paramref name="flags"/>, e.g. "--embedding 64 --hidden 128 --layers 1"), so the message names the options, not
    /// the config type the library message starts with.
    /// </summary>
    public static void CheckModel(Action validate, string flags)
    {
        try { validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"the model of {flags}: {CliGuard.MessageForUser(e)}", e); }
    }

    /// <summary>
    /// The training options the shared flags describe; <paramref name="baseOptions"/> holds what the command sets itself
    /// (batch size, BPTT, monitored metric). Throws an <see cref="ArgumentException"/> naming a bad flag.
    /// </summary>
    public TrainingOptions Read(ParseResult parse, TrainingOptions baseOptions)
    {
        // The outputs before any work: a folder that cannot be written would fail only at the first evaluation or save.
        if (parse.GetValue(Checkpoint) is { } checkpoint) SeqLearn.Text.PathCheck.EnsureWritableDirectoryOutput(checkpoint, "--checkpoint");
        if (parse.GetValue(Metrics) is { } metrics)
        {
            SeqLearn.Text.PathCheck.EnsureWritableOutput(metrics, "--metrics");
            // The log is appended to: inside a checkpoint it would corrupt it (beside the checkpoints is the user's place).
            if (parse.GetValue(Checkpoint) is { } dir) CheckpointPaths.EnsureOutside(metrics, "--metrics", dir, "--checkpoint");
            if (parse.GetValue(Resume) is { } from) CheckpointPaths.EnsureOutside(metrics, "--metrics", from, "--resume");
        }
        int evalSteps = parse.GetValue(EvalEvery);
        if (evalSteps < 0) throw new ArgumentException($"--eval-every must be ≥ 0, got {evalSteps}.");
        double? evalTime = parse.GetValue(EvalSeconds) ?? (evalSteps == 0 ? DefaultEvalSeconds : null);
        if (evalTime is { } et) CheckSeconds(et, "--eval-every-seconds");
        if (evalSteps == 0 && evalTime is null)   // only the final evaluation: nothing would count for patience or the plateau schedule
        {
            if (parse.GetValue(Patience) is { } p)
                throw new ArgumentException($"--patience {p} counts evaluations during training, and --eval-every 0 makes none: give --eval-every N or --eval-every-seconds S.");
            if (parse.GetValue(Schedule) == "plateau")
                throw new ArgumentException("--schedule plateau acts after evaluations during training, and --eval-every 0 makes none: give --eval-every N or --eval-every-seconds S.");
        }
        long? steps = parse.GetValue(MaxSteps);
        // Without any stop flag: the command's default time budget, or else its default epochs (baseOptions.Epochs).
        int? epochs = parse.GetValue(Epochs) ?? (steps is null && parse.GetValue(Budget) is null && DefaultSeconds is null ? baseOptions.Epochs : null);
        double? seconds = parse.GetValue(Budget) ?? (epochs is null && steps is null ? DefaultSeconds : null);
        if (seconds is { } s) CheckSeconds(s, "--time-budget");
        double clip = parse.GetValue(Clip);
        if (!(clip >= 0 && double.IsFinite(clip))) throw new ArgumentException($"--clip must be a number ≥ 0, got {clip}.");
        CheckFlags(parse, epochs, steps);
        var options = baseOptions with
        {
            Optimizer = parse.GetValue(Optimizer) switch { "sgd" => OptimizerKind.Sgd, "adamw" => OptimizerKind.AdamW, _ => OptimizerKind.Adam },
            LearningRate = parse.GetValue(LearningRate), Momentum = parse.GetValue(Momentum), Nesterov = parse.GetValue(Nesterov),
            WeightDecay = parse.GetValue(WeightDecay),
            Schedule = parse.GetValue(Schedule) switch
            {
                "step" => ScheduleKind.StepDecay, "cosine" => ScheduleKind.Cosine, "plateau" => ScheduleKind.ReduceOnPlateau, _ => ScheduleKind.Constant,
            },
            StepSize = parse.GetValue(StepSize), Gamma = parse.GetValue(Gamma), FirstDecayEpoch = parse.GetValue(FirstDecay),
            ClipNorm = clip > 0 ? clip : null,
            Epochs = epochs, MaxSteps = steps, TimeBudget = seconds is { } t ? TimeSpan.FromSeconds(t) : null,
            EvalEverySteps = evalSteps, EvalEveryTime = evalTime is { } e ? TimeSpan.FromSeconds(e) : null,
            Patience = parse.GetValue(Patience), Seed = parse.GetValue(Seed) ^ 0x9E3779B97F4A7C15UL,
            CheckpointDirectory = parse.GetValue(Checkpoint), MetricsPath = parse.GetValue(Metrics),
        };
        options.Validate();
        return options;
    }
}
