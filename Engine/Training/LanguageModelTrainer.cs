using System.Diagnostics;
using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

/// <summary>
/// Trains a <see cref="LanguageModel{T}"/> by truncated backpropagation through time (docs/lm.md#training):
/// <code>
/// for each window w of the training stream (B streams × T steps; state s reset to 0 at each epoch start):
///     L = (1 / B·T) Σ_{b,t} −log softmax(f(x_{b,≤t}, s))[y_{b,t}]      mean cross-entropy per token
///     g = ∂L/∂θ                         through this window only: s entered detached
///     g ← g · min(1, c / (‖g‖₂ + 1e-6))                                    clip by global norm
///     θ ← optimizer(θ, g, η)           η from the schedule
///     s ← state after the window, detached
/// </code>
/// Evaluates on the validation stream (eval mode, no graph) every N steps and/or every N seconds of training
/// and at the end; keeps the best checkpoint; stops on epochs, time budget, step limit or early stopping.
/// Every random draw comes from seeded RNGs and the kernels are deterministic for any thread count, so a run is
/// reproducible bit for bit, and a run resumed from a checkpoint continues with exactly the same losses.
/// </summary>
public sealed partial class LanguageModelTrainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly LanguageModel<T> _model;
    private readonly BpttBatcher _train;
    private readonly BpttBatcher _valid;
    private readonly TrainingOptions _options;
    private readonly WorkerPool _pool;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly IReadOnlyList<Var<T>> _parameters;
    private readonly Optimizer<T> _optimizer;
    private readonly ReduceLROnPlateau<T>? _plateau;
    private readonly SeededRng _dropoutRng;
    private readonly int[] _inputs;
    private readonly int[] _targets;
    private EpochSchedule<T>? _epochSchedule;
    private RecurrentState<T>? _state;
    private int _badEvaluations;                              // scheduled evaluations since the last new best among them
    private double _patienceBest = double.PositiveInfinity;   // the best of the scheduled evaluations

    /// <summary>
    /// Prepares training of <paramref name="model"/> (in place) on the <paramref name="train"/> stream, validating on
    /// <paramref name="valid"/>. Throws an <see cref="ArgumentException"/> for invalid options or a stream shorter than one
    /// window (B × (T + 1) tokens). <paramref name="vocabulary"/> is stored in checkpoints as is.
    /// </summary>
    public LanguageModelTrainer(LanguageModel<T> model, ReadOnlyMemory<int> train, ReadOnlyMemory<int> valid, TrainingOptions options,
        WorkerPool pool, IProgress<TrainingProgress>? progress = null, JsonNode? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pool);
        options.Validate();
        (_model, _options, _pool, _progress, Vocabulary) = (model, options, pool, progress, vocabulary);
        _train = Batcher(train, "training", options, LastWindow.Drop);
        _valid = Batcher(valid, "validation", options, LastWindow.Keep);   // every position with a successor is scored
        CheckIds(train.Span, "training");
        CheckIds(valid.Span, "validation");
        _parameters = model.Parameters().ToArray();
        _optimizer = options.Optimizer switch
        {
            OptimizerChoice.Sgd => new Sgd<T>(_parameters, options.LearningRate, options.Momentum, nesterov: options.Nesterov, weightDecay: options.WeightDecay),
            OptimizerChoice.Adam => new Adam<T>(_parameters, options.LearningRate, weightDecay: options.WeightDecay),
            OptimizerChoice.AdamW => new AdamW<T>(_parameters, options.LearningRate, weightDecay: options.WeightDecay),
            _ => throw new ArgumentException($"TrainingOptions: unknown optimizer {options.Optimizer}."),
        };
        _epochSchedule = CreateEpochSchedule(options.LearningRate, 0);
        if (options.Schedule == ScheduleChoice.ReduceOnPlateau)
            _plateau = new ReduceLROnPlateau<T>(_optimizer, factor: options.Gamma, patience: options.PlateauPatience, minLearningRate: options.MinLearningRate);
        _dropoutRng = new SeededRng(options.Seed);
        _inputs = new int[options.BatchSize * options.Bptt];
        _targets = new int[options.BatchSize * options.Bptt];
    }

    /// <summary>The model being trained.</summary>
    public LanguageModel<T> Model => _model;

    /// <summary>The optimizer (built from the options).</summary>
    public Optimizer<T> Optimizer => _optimizer;

    /// <summary>The vocabulary description stored in checkpoints.</summary>
    public JsonNode? Vocabulary { get; }

    /// <summary>Global optimizer steps so far.</summary>
    public long Step { get; private set; }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>The next training window within the epoch.</summary>
    public int Window { get; private set; }

    /// <summary>Windows per epoch of the training stream.</summary>
    public int WindowsPerEpoch => _train.WindowCount;

    /// <summary>The lowest validation loss so far (+∞ before the first evaluation).</summary>
    public double BestValidLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>The step of <see cref="BestValidLoss"/> (0 before the first evaluation).</summary>
    public long BestStep { get; private set; }

    /// <summary>Where this trainer's step time went so far (wall clock, accumulated over every step since construction).</summary>
    public StepTimings Timings { get; private set; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Runs until a stop condition of the options is met, then evaluates (unless it just did) and saves <c>last</c>.</summary>
    /// <exception cref="TrainingDivergedException">A loss or gradient norm was NaN or ±∞; the message names the step.</exception>
    public TrainingResult Train(CancellationToken cancellation = default)
    {
        var losses = new List<double>();
        var trainClock = new Stopwatch();
        var evalClock = new Stopwatch();
        using var log = _options.MetricsPath is null ? null : new MetricsLog(_options.MetricsPath);
        long startStep = Step;
        double startFraction = Fraction(TimeSpan.Zero);
        TimeSpan lastEvalTime = TimeSpan.Zero;
        long lastEvalStep = -1;
        double reportSum = 0, evalSum = 0, validLoss = double.NaN;    // training-loss sums since the last report / evaluation
        int reportCount = 0, evalCount = 0;
        StopReason? reason = StopCondition(TimeSpan.Zero, cancellation);   // a resumed run may already be done

        TrainingProgress Report(ProgressKind kind, double? valid)
        {
            var (sum, count) = kind == ProgressKind.Evaluation ? (evalSum, evalCount) : (reportSum, reportCount);
            double trainSeconds = trainClock.Elapsed.TotalSeconds;
            double fraction = Fraction(trainClock.Elapsed);
            double tokensPerSecond = trainSeconds > 0 ? (Step - startStep) * (double)_options.BatchSize * _options.Bptt / trainSeconds : 0;
            TimeSpan? eta = fraction > startFraction ? trainClock.Elapsed * ((1 - fraction) / (fraction - startFraction)) : null;
            var p = new TrainingProgress(kind, Step, Epoch, Window, _train.WindowCount, count > 0 ? sum / count : double.NaN,
                valid, BestValidLoss, _optimizer.LearningRate, tokensPerSecond, trainClock.Elapsed, fraction, eta);
            log?.Append(new MetricsRecord
            {
                Step = Step, Epoch = Epoch, TrainLoss = count > 0 ? p.TrainLoss : null, ValidLoss = valid,
                BitsPerChar = count > 0 ? p.BitsPerToken : null, TokensPerSecond = tokensPerSecond,
                LearningRate = p.LearningRate, ElapsedSeconds = trainSeconds,
            });
            if (kind == ProgressKind.Evaluation) (evalSum, evalCount) = (0, 0);
            else (reportSum, reportCount) = (0, 0);
            _progress?.Report(p);
            return p;
        }

        bool EvaluateAndCheckPatience(bool scheduled)
        {
            evalClock.Start();
            validLoss = Evaluate();
            bool stop = RecordEvaluation(validLoss, scheduled);
            evalClock.Stop();
            (lastEvalStep, lastEvalTime) = (Step, trainClock.Elapsed);
            Report(ProgressKind.Evaluation, validLoss);
            return stop;
        }

        _model.Train();
        while (reason is null)
        {
            trainClock.Start();
            double loss = TrainStep();
            trainClock.Stop();
            losses.Add(loss);
            (reportSum, reportCount, evalSum, evalCount) = (reportSum + loss, reportCount + 1, evalSum + loss, evalCount + 1);
            reason = StopCondition(trainClock.Elapsed, cancellation);
            bool evalDue = (_options.EvalEverySteps > 0 && Step % _options.EvalEverySteps == 0)
                           || (_options.EvalEveryTime is { } every && trainClock.Elapsed - lastEvalTime >= every);
            if (evalDue && EvaluateAndCheckPatience(scheduled: true)) reason ??= StopReason.EarlyStopping;
            else if (!evalDue && Step % _options.ProgressEvery == 0) Report(ProgressKind.Step, null);
        }
        if (lastEvalStep != Step) EvaluateAndCheckPatience(scheduled: false);
        if (_options.CheckpointDirectory is { } dir) SaveCheckpoint(Path.Combine(dir, "last"));
        double seconds = trainClock.Elapsed.TotalSeconds;
        return new TrainingResult(reason.Value, Step, Epoch, losses, validLoss, BestValidLoss, BestStep, trainClock.Elapsed, evalClock.Elapsed,
            seconds > 0 ? (Step - startStep) * (double)_options.BatchSize * _options.Bptt / seconds : 0);
    }

    /// <summary>
    /// The mean cross-entropy per predicted token of the validation stream, batched like training (B streams, windows
    /// of T, state carried from zeros) but with the last, shorter window kept, so every position of a stream that has a
    /// successor is scored (as PyTorch's word_language_model evaluates); in eval mode without recording a graph. Leaves the model in training mode.
    /// </summary>
    public double Evaluate() => MeanLoss(_model, _valid, _pool);

    /// <summary>
    /// The mean cross-entropy per predicted token over every window of <paramref name="batcher"/> (state carried across
    /// windows from zeros), in eval mode and without a graph; the model is switched back to training mode afterwards.
    /// </summary>
    public static double MeanLoss(LanguageModel<T> model, BpttBatcher batcher, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batcher);
        model.Eval();
        try
        {
            using var noGrad = new NoGradScope();
            int b = batcher.BatchSize;
            RecurrentState<T>? state = null;
            double sum = 0;
            long count = 0;
            for (int w = 0; w < batcher.WindowCount; w++)
            {
                int tw = batcher.WindowLength(w);
                var inputs = new int[b * tw];
                var targets = new int[b * tw];
                batcher.Fill(w, inputs, targets);
                var (loss, next) = model.Loss(inputs, targets, b, tw, state, pool: pool);
                sum += double.CreateTruncating(loss.Value.Span[0]) * (b * tw);
                count += b * tw;
                state = next;
            }
            return sum / count;
        }
        finally
        {
            model.Train();
        }
    }

    private double TrainStep()
    {
        int b = _options.BatchSize, t = _options.Bptt;
        long step = Step + 1;
        if (Window == 0) _state = null;                       // each epoch starts from the zero state
        _train.Fill(Window, _inputs, _targets);
        long t0 = Stopwatch.GetTimestamp();
        _optimizer.ZeroGrad();
        var (loss, next) = _model.Loss(_inputs, _targets, b, t, _state, _dropoutRng, _pool);
        double value = double.CreateTruncating(loss.Value.Span[0]);
        if (!double.IsFinite(value)) throw new TrainingDivergedException(step, "loss", value);
        long t1 = Stopwatch.GetTimestamp();
        loss.Backward();
        long t2 = Stopwatch.GetTimestamp();
        var clip = _options.ClipNorm is { } c
            ? GradClip.ClipGradNorm(_parameters, c)
            : new ClipResult(GradClip.GlobalNorm(_parameters), 1, false, null);
        if (!clip.IsFinite)
            throw new TrainingDivergedException(step, "gradient norm", clip.TotalNorm, clip.NonFiniteParameter ?? FirstNonFinite());
        long t3 = Stopwatch.GetTimestamp();
        _optimizer.Step();
        long t4 = Stopwatch.GetTimestamp();
        Timings = new StepTimings(Timings.Forward + Stopwatch.GetElapsedTime(t0, t1), Timings.Backward + Stopwatch.GetElapsedTime(t1, t2),
            Timings.Clip + Stopwatch.GetElapsedTime(t2, t3), Timings.Optimizer + Stopwatch.GetElapsedTime(t3, t4));
        _state = next.Detach();                               // truncated BPTT: the next window's graph starts here
        Step = step;
        if (++Window == _train.WindowCount)
        {
            Window = 0;
            Epoch++;
            _epochSchedule?.Step();
        }
        return value;
    }

    // Updates the best loss (saving best), and, for a scheduled evaluation only, the patience counter and reduce-on-plateau;
    // saves last; true = stop early. The final evaluation of a run that stopped between scheduled evaluations (time budget,
    // step limit) must not change anything later steps depend on, or a run resumed from that checkpoint would diverge from
    // the uninterrupted run (which never made that evaluation).
    private bool RecordEvaluation(double validLoss, bool scheduled)
    {
        bool improved = validLoss < BestValidLoss;
        if (improved) (BestValidLoss, BestStep) = (validLoss, Step);
        if (scheduled)
        {
            if (validLoss < _patienceBest) (_patienceBest, _badEvaluations) = (validLoss, 0);
            else _badEvaluations++;
            _plateau?.Step(validLoss);
        }
        if (_options.CheckpointDirectory is { } dir)
        {
            if (improved) SaveCheckpoint(Path.Combine(dir, "best"));
            SaveCheckpoint(Path.Combine(dir, "last"));
        }
        return _options.Patience is { } patience && _badEvaluations >= patience;
    }

    private StopReason? StopCondition(TimeSpan trained, CancellationToken cancellation)
    {
        if (_options.Epochs is { } epochs && Epoch >= epochs) return StopReason.Epochs;
        if (_options.MaxSteps is { } max && Step >= max) return StopReason.MaxSteps;
        if (_options.TimeBudget is { } budget && trained >= budget) return StopReason.TimeBudget;
        if (cancellation.IsCancellationRequested) return StopReason.Cancelled;
        return null;
    }

    // The largest of the fractions done of each stop condition (the first to reach 1 ends the run).
    private double Fraction(TimeSpan trained)
    {
        double f = 0;
        if (_options.Epochs is { } epochs) f = Math.Max(f, (Epoch + (double)Window / _train.WindowCount) / epochs);
        if (_options.MaxSteps is { } max) f = Math.Max(f, (double)Step / max);
        if (_options.TimeBudget is { } budget) f = Math.Max(f, trained / budget);
        return Math.Min(f, 1);
    }

    private EpochSchedule<T>? CreateEpochSchedule(double baseLearningRate, int epoch) => _options.Schedule switch
    {
        ScheduleChoice.StepDecay => new StepLR<T>(_optimizer, _options.StepSize, _options.Gamma, _options.FirstDecayEpoch) { BaseLearningRate = baseLearningRate, Epoch = epoch },
        ScheduleChoice.Cosine => new CosineAnnealingLR<T>(_optimizer, _options.Epochs!.Value, _options.MinLearningRate) { BaseLearningRate = baseLearningRate, Epoch = epoch },
        _ => null,
    };

    private string? FirstNonFinite()
    {
        foreach (var p in _parameters)
            if (p.Grad is { } g)
                foreach (T x in g.Span)
                    if (!T.IsFinite(x)) return p.Name;
        return null;
    }

    private static BpttBatcher Batcher(ReadOnlyMemory<int> tokens, string which, TrainingOptions options, LastWindow last)
    {
        try { return new BpttBatcher(tokens, options.BatchSize, options.Bptt, last); }
        catch (ArgumentException e)
        {
            string why = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new ArgumentException($"the {which} text is too short: {why}", e);
        }
    }

    private void CheckIds(ReadOnlySpan<int> tokens, string which)
    {
        int v = _model.VocabularySize;
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)v)
                throw new ArgumentException($"the {which} stream has token id {tokens[i]} at position {i}, outside the model's vocabulary [0, {v}).");
    }
}
