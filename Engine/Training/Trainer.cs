using System.Diagnostics;
using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Optim.Schedules;
using SeqLearn.Tensors;

namespace SeqLearn.Training;

/// <summary>
/// The one training loop of SeqLearn, for any model and any sequence task (docs/training.md):
/// <code>
/// for epoch e, batch i (in the task's seeded order):
///     L = task.TrainingLoss(e, i)                  mean loss of the batch, graph recorded
///     g = ∂L/∂θ                                    (with P micro-batches: Σ_p ∂L_p/∂θ, the parts side by side, MicroBatchStep)
///     stop with the step if L or ‖g‖₂ is NaN/±∞
///     g ← g · min(1, c / (‖g‖₂ + 1e-6))             clip by global norm (optional)
///     θ ← optimizer(θ, g, η)                        η from the schedule
///     every N steps / N seconds: metrics = task.Evaluate(); keep best (by the monitored metric) and last checkpoints;
///                                early stopping after `patience` evaluations without a new best
/// </code>
/// The task supplies batches, losses and metrics (<see cref="ITrainingTask{T}"/>); the trainer owns the optimizer,
/// schedule, clipping, stopping, evaluation cadence, checkpoints and the metrics log. Every random draw comes from
/// seeded RNGs and the kernels are deterministic for any thread count, so a run is reproducible bit for bit and a run
/// resumed from a checkpoint continues with exactly the same losses.
/// </summary>
public sealed partial class Trainer<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Module<T> _model;
    private readonly ITrainingTask<T> _task;
    private readonly TrainingOptions _options;
    private readonly WorkerPool _pool;

    /// <summary>The pool the trainer runs on: the one it was given, or its own one-thread pool.</summary>
    internal WorkerPool Pool => _pool;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly Var<T>[] _parameters;
    private readonly Optimizer<T> _optimizer;
    private readonly LearningRateSchedule<T> _schedule;
    private bool _gradientsZero;   // true right after a step, whose update also zeroed every gradient
    private readonly SeededRng _dropoutRng;
    private readonly LayerContext _context;
    private readonly MicroBatchStep<T>? _microBatches;   // MicroBatches > 1: the parts of each batch
    private int _badEvaluations;          // scheduled evaluations since the last new best among them
    private double _patienceBest;         // the best monitored value of the scheduled evaluations
    private double _bestLoss = double.PositiveInfinity;   // the lowest validation loss of the scheduled evaluations (divergence check)
    private T[][]? _bestWeights;                           // RestoreBestWeights: the parameters at the best evaluation

    /// <summary>
    /// Prepares training of <paramref name="model"/> (in place) on <paramref name="task"/>, its kernels on
    /// <paramref name="pool"/> (null: the calling thread only). Throws an <see cref="ArgumentException"/> for invalid options.
    /// </summary>
    public Trainer(Module<T> model, ITrainingTask<T> task, TrainingOptions options, WorkerPool? pool = null, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        pool ??= new WorkerPool(1);                                       // one thread: no worker to stop
        options.Validate(nameof(options));
        if (task.BatchesPerEpoch < 1) throw new ArgumentException($"Trainer: the task has {task.BatchesPerEpoch} training batches per epoch.", nameof(task));
        (_model, _task, _options, _pool, _progress) = (model, task, options, pool, progress);
        _parameters = model.Parameters().ToArray();
        _optimizer = options.OptimizerSettings.Create(_parameters);
        _optimizer.Pool = pool;
        _schedule = new LearningRateSchedule<T>(_optimizer, options.ScheduleSettings, Maximize);
        _dropoutRng = new SeededRng(options.Seed);
        _context = new LayerContext(_dropoutRng, pool);
        if (options.MicroBatches > 1)
            _microBatches = new MicroBatchStep<T>(task as IMicroBatchedTask<T> ?? throw new ArgumentException(
                $"Trainer: {options.MicroBatches} micro-batches need a task that splits its batches ({nameof(IMicroBatchedTask<T>)}); {Checks.TypeName(task.GetType())} does not.", nameof(task)),
                options.MicroBatches);
        _patienceBest = WorstValue;
        BestMetric = WorstValue;
    }

    /// <summary>The model being trained.</summary>
    public Module<T> Model => _model;

    /// <summary>The task.</summary>
    public ITrainingTask<T> Task => _task;

    /// <summary>The optimizer (built from the options by <see cref="OptimizerSettings.Create{T}"/>).</summary>
    public Optimizer<T> Optimizer => _optimizer;

    /// <summary>Global optimizer steps so far.</summary>
    public long Step { get; private set; }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>The next training batch within the epoch.</summary>
    public int Batch { get; private set; }

    /// <summary>The best value of the monitored metric so far (the worst possible value before the first evaluation).</summary>
    public double BestMetric { get; private set; }

    /// <summary>The step of <see cref="BestMetric"/> (0 before the first evaluation).</summary>
    public long BestStep { get; private set; }

    /// <summary>Where this trainer's step time went so far (wall clock, accumulated over every step since construction).</summary>
    /// <remarks>A new object made on each read from the four sums the steps add to, so a step itself allocates nothing for it.</remarks>
    public StepTimings Timings => new(_forwardTime, _backwardTime, _clipTime, _optimizerTime);

    private TimeSpan _forwardTime, _backwardTime, _clipTime, _optimizerTime;   // the sums behind Timings

    private bool Maximize => _options.MonitorGoal == MetricGoal.Maximize;

    private double WorstValue => Maximize ? double.NegativeInfinity : double.PositiveInfinity;

    private bool IsBetter(double value, double than) => Maximize ? value > than : value < than;

    /// <summary>Runs until a stop condition of the options is met, then evaluates (unless it just did) and saves <c>last</c>.</summary>
    /// <exception cref="TrainingDivergedException">A training loss or gradient norm was NaN or ±∞, or an evaluation diverged (a
    /// non-finite monitored metric or validation loss, a validation loss above the task's
    /// <see cref="ITrainingTask{T}.DivergedLoss"/>, or one 1000 times the best so far that is also above a tenth of that
    /// bound when the task has one); the message names the step.</exception>
    /// <exception cref="IOException">Another run holds the checkpoint directory, or the metrics log cannot be opened (the message names it).</exception>
    public TrainingResult Train(CancellationToken cancellation = default)
    {
        // The log first: a log that cannot be opened leaves no locked (or newly made) checkpoint directory behind.
        using var log = _options.MetricsPath is null ? null : new MetricsLog(_options.MetricsPath, resumedAt: Step > 0 ? Step : null);
        using var directoryLock = LockCheckpointDirectory();
        RestoreScheduledBest();
        var run = new TrainingRun(this);
        run.Log = log;
        StopReason? reason = StopCondition(TimeSpan.Zero, cancellation);   // a resumed run may already be done
        _model.Train();
        try
        {
            while (reason is null)
            {
                run.TrainClock.Start();
                var (loss, tokens) = TrainStep();
                run.TrainClock.Stop();
                run.AddStep(loss, tokens);
                reason = StopCondition(run.TrainClock.Elapsed, cancellation);
                bool evalDue = (_options.EvalEverySteps > 0 && Step % _options.EvalEverySteps == 0)
                               || (_options.EvalEveryTime is { } every && run.TrainClock.Elapsed - run.LastEvalTime >= every);
                if (evalDue && EvaluateAndRecord(run, scheduled: true)) reason ??= StopReason.EarlyStopping;
                else if (!evalDue && Step % _options.ProgressEvery == 0) run.Report(ProgressKind.Step, null);
            }
        }
        catch (TrainingDivergedException)
        {
            run.LogDiverged(null);   // the training loss of the steps before it stays in the metrics log
            throw;
        }
        finally
        {
            _microBatches?.ReleasePools();
        }
        if (run.LastEvalStep != Step) EvaluateAndRecord(run, scheduled: false);
        if (_options.CheckpointDirectory is { } dir) SaveCheckpoint(Path.Combine(dir, "last"));
        if (_options.RestoreBestWeights && _bestWeights is not null)
            for (int i = 0; i < _parameters.Length; i++) _bestWeights[i].CopyTo(_parameters[i].Value.Span);
        return run.Result(reason.Value);
    }

    /// <summary>The task's validation metrics now (evaluation mode, no graph); leaves the model in training mode.</summary>
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        _model.Eval();
        try
        {
            using var noGrad = new NoGradScope();
            return _task.Evaluate(_pool);
        }
        finally
        {
            _model.Train();
        }
    }

    private bool EvaluateAndRecord(TrainingRun run, bool scheduled)
    {
        run.EvalClock.Start();
        var metrics = Evaluate();
        if (!metrics.TryGetValue(_options.Monitor, out double monitored))
            throw new InvalidOperationException($"Trainer: the task's evaluation has no metric '{_options.Monitor}' to monitor (it has: {string.Join(", ", metrics.Keys)}).");
        try { CheckDivergence(metrics, monitored, scheduled); }
        catch (TrainingDivergedException)
        {
            run.LogDiverged(metrics);   // the diverged evaluation stays in the metrics log
            throw;
        }
        bool stop = RecordEvaluation(monitored, scheduled);
        run.EvalClock.Stop();
        run.Evaluated(Step, metrics);
        return stop;
    }

    private (double Loss, long Tokens) TrainStep()
    {
        long step = Step + 1;
        long t0 = Stopwatch.GetTimestamp();
        if (!_gradientsZero) _optimizer.ZeroGrad();                      // the previous step's update zeroed them
        _gradientsZero = false;
        double value;
        long tokens, t1, t2;
        if (_microBatches is null)
        {
            var (loss, batchTokens) = _task.TrainingLoss(Epoch, Batch, _context);
            (value, tokens) = (double.CreateTruncating(loss.Value.Span[0]), batchTokens);
            if (!double.IsFinite(value)) throw new TrainingDivergedException(step, "loss", value);
            t1 = Stopwatch.GetTimestamp();
            loss.Backward();
            t2 = Stopwatch.GetTimestamp();
        }
        else
        {
            (value, tokens, double forwardShare) = _microBatches.Run(Epoch, Batch, _dropoutRng, _parameters, _pool);
            if (!double.IsFinite(value)) throw new TrainingDivergedException(step, "loss", value);
            t2 = Stopwatch.GetTimestamp();
            t1 = t0 + (long)((t2 - t0) * forwardShare);   // the parts' forward and backward passes overlap: their shares of the wall time
        }
        // _parameters is the optimizer's list, checked for nulls and duplicates when it was built.
        var clip = _options.ClipNorm is { } c
            ? GradClip.Measure(_parameters, c, _pool)                          // the optimizer applies the clip coefficient
            : new ClipResult(GradClip.Norm(_parameters, 2, _pool), 1, false, null);
        if (!clip.IsFinite)
            throw new TrainingDivergedException(step, "gradient norm", clip.TotalNorm, FirstNonFinite());   // by dotted name: Var.Name is only the local one
        long t3 = Stopwatch.GetTimestamp();
        _optimizer.Step(clip.Scale, zeroGradients: true);                   // θ update with c·g, then g ← 0, in one pass
        _gradientsZero = true;
        long t4 = Stopwatch.GetTimestamp();
        _forwardTime += Stopwatch.GetElapsedTime(t0, t1);
        _backwardTime += Stopwatch.GetElapsedTime(t1, t2);
        _clipTime += Stopwatch.GetElapsedTime(t2, t3);
        _optimizerTime += Stopwatch.GetElapsedTime(t3, t4);
        Step = step;
        if (++Batch == _task.BatchesPerEpoch)
        {
            Batch = 0;
            Epoch++;
            _schedule.EndEpoch();
        }
        return (value, tokens);
    }

    // Updates the best value, and, for a scheduled evaluation only, the patience counter, the best scheduled evaluation and
    // reduce-on-plateau; saves last, then best when it improved; true = stop early. The final evaluation of a run that stopped between
    // scheduled evaluations (time budget, step limit) must not change anything later steps depend on, or a run resumed from
    // that checkpoint would diverge from the uninterrupted run (which never made that evaluation); a resume also takes the
    // best back to the best scheduled evaluation (Trainer.BestCheckpoint.cs).
    private bool RecordEvaluation(double monitored, bool scheduled)
    {
        bool improved = IsBetter(monitored, BestMetric);
        if (improved) (BestMetric, BestStep) = (monitored, Step);
        if (improved && _options.RestoreBestWeights) _bestWeights = [.. _parameters.Select(p => p.Value.ToArray())];
        if (scheduled)
        {
            if (IsBetter(monitored, _patienceBest)) (_patienceBest, _scheduledBestStep, _badEvaluations) = (monitored, Step, 0);
            else _badEvaluations++;
            _schedule.AfterEvaluation(monitored);
        }
        if (_options.CheckpointDirectory is { } dir)
        {
            // last first: a crash between the two writes leaves a DIR/last whose best weights are in DIR/best or in DIR/last
            // itself (Trainer.BestCheckpoint.cs), never a DIR/best already past the best step DIR/last records.
            SaveCheckpoint(Path.Combine(dir, "last"));
            if (improved) SaveBest(dir, scheduled);
        }
        return _options.Patience is { } patience && _badEvaluations >= patience;
    }

    // A validation that a user would call divergence stops the run before anything is saved: best never holds a diverged
    // model, and last keeps the previous evaluation's state. Only scheduled evaluations lower the best loss the check
    // compares with (see RecordEvaluation: a resumed run must see the best loss the uninterrupted run saw).
    private void CheckDivergence(IReadOnlyDictionary<string, double> metrics, double monitored, bool scheduled)
    {
        if (!double.IsFinite(monitored)) throw new TrainingDivergedException(Step, $"validation {_options.Monitor}", monitored);
        if (!metrics.TryGetValue("loss", out double loss)) return;
        if (!double.IsFinite(loss)) throw new TrainingDivergedException(Step, "validation loss", loss);
        if (_task.DivergedLoss is { } bound && loss > bound)
            throw new TrainingDivergedException(Step, "validation loss", loss, reason: $"above {bound:G4}, far worse than an untrained model");
        if (scheduled) _bestLoss = Math.Min(_bestLoss, loss);
        // Orders of magnitude above the best, and (when the task has a scale) worse than a tenth of its bound — worse than an
        // untrained model: a model still better than a uniform guess (or than the constant forecast) has not diverged, however
        // small its best loss was.
        if (loss > 1000 * _bestLoss && _bestLoss > 0 && (_task.DivergedLoss is not { } scale || loss > scale / 10))
            throw new TrainingDivergedException(Step, "validation loss", loss, reason: $"1000 times the best so far ({_bestLoss:G4})");
    }

    private StopReason? StopCondition(TimeSpan trained, CancellationToken cancellation)
    {
        if (_options.Epochs is { } epochs && Epoch >= epochs) return StopReason.Epochs;
        if (_options.MaxSteps is { } max && Step >= max) return StopReason.MaxSteps;
        if (_options.TimeBudget is { } budget && trained >= budget) return StopReason.TimeBudget;
        if (cancellation.IsCancellationRequested) return StopReason.Cancelled;
        if (_options.Patience is { } patience && _badEvaluations >= patience) return StopReason.EarlyStopping;   // a resumed run that stopped early
        return null;
    }

    // The largest of the fractions done of each stop condition (the first to reach 1 ends the run).
    private double Fraction(TimeSpan trained)
    {
        double f = 0;
        if (_options.Epochs is { } epochs) f = Math.Max(f, (Epoch + (double)Batch / _task.BatchesPerEpoch) / epochs);
        if (_options.MaxSteps is { } max) f = Math.Max(f, (double)Step / max);
        if (_options.TimeBudget is { } budget) f = Math.Max(f, trained / budget);
        return Math.Min(f, 1);
    }

    private string? FirstNonFinite()
    {
        foreach (var (name, p) in _model.NamedParameters())
            if (p.Grad is { } g)
                foreach (T x in g.Span)
                    if (!T.IsFinite(x)) return name;
        return null;
    }
}
