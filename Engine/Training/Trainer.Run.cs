using System.Diagnostics;

namespace SeqLearn.Training;

public sealed partial class Trainer<T>
{
    /// <summary>
    /// The bookkeeping of one <see cref="Train"/> call: clocks, the training-loss sums behind progress reports and
    /// metrics records, and the last evaluation. Kept apart from the loop so the loop reads like the algorithm.
    /// </summary>
    private sealed class TrainingRun(Trainer<T> trainer)
    {
        private readonly List<double> _losses = [];
        private readonly double _startFraction = trainer.Fraction(TimeSpan.Zero);
        private long _tokens;
        private double _reportSum, _evalSum, _logSum;     // training-loss sums since the last step report / evaluation / log record
        private int _reportCount, _evalCount, _logCount;
        private IReadOnlyDictionary<string, double> _lastMetrics = new Dictionary<string, double>();

        public Stopwatch TrainClock { get; } = new();

        public Stopwatch EvalClock { get; } = new();

        public MetricsLog? Log { get; set; }

        public long LastEvalStep { get; private set; } = -1;

        public TimeSpan LastEvalTime { get; private set; }

        public void AddStep(double loss, long tokens)
        {
            _losses.Add(loss);
            _tokens += tokens;
            (_reportSum, _reportCount) = (_reportSum + loss, _reportCount + 1);
            (_evalSum, _evalCount) = (_evalSum + loss, _evalCount + 1);
            (_logSum, _logCount) = (_logSum + loss, _logCount + 1);
        }

        public void Evaluated(long step, IReadOnlyDictionary<string, double> metrics)
        {
            _lastMetrics = metrics;
            (LastEvalStep, LastEvalTime) = (step, TrainClock.Elapsed);
            Report(ProgressKind.Evaluation, metrics);
        }

        public TrainingProgress Report(ProgressKind kind, IReadOnlyDictionary<string, double>? metrics)
        {
            var (sum, count) = kind == ProgressKind.Evaluation ? (_evalSum, _evalCount) : (_reportSum, _reportCount);
            double trainSeconds = TrainClock.Elapsed.TotalSeconds;
            double fraction = trainer.Fraction(TrainClock.Elapsed);
            double tokensPerSecond = trainSeconds > 0 ? _tokens / trainSeconds : 0;
            TimeSpan? eta = fraction > _startFraction ? TrainClock.Elapsed * ((1 - fraction) / (fraction - _startFraction)) : null;
            var p = new TrainingProgress(kind, trainer.Step, trainer.Epoch, trainer.Batch, trainer._task.BatchesPerEpoch,
                count > 0 ? sum / count : double.NaN, metrics, trainer._options.Monitor, trainer.BestMetric, trainer._optimizer.LearningRate,
                tokensPerSecond, TrainClock.Elapsed, fraction, eta);
            AppendRecord(kind == ProgressKind.Evaluation ? MetricsRecordKind.Evaluation : MetricsRecordKind.Train, metrics);
            if (kind == ProgressKind.Evaluation) (_evalSum, _evalCount) = (0, 0);
            else (_reportSum, _reportCount) = (0, 0);
            trainer._progress?.Report(p);
            return p;
        }

        /// <summary>
        /// Appends what the log has not recorded yet when the run stops by divergence: the training loss since the last
        /// record and, for a diverged evaluation, its metrics. The display is not told; the exception reports it.
        /// </summary>
        public void LogDiverged(IReadOnlyDictionary<string, double>? metrics)
        {
            if (metrics is not null || _logCount > 0) AppendRecord(metrics is null ? MetricsRecordKind.Train : MetricsRecordKind.Evaluation, metrics);
        }

        // One metrics record: the mean training loss since the previous record (whose sums it resets), and the metrics.
        private void AppendRecord(MetricsRecordKind kind, IReadOnlyDictionary<string, double>? metrics)
        {
            double trainSeconds = TrainClock.Elapsed.TotalSeconds;
            Log?.Append(new MetricsRecord
            {
                Kind = kind, Step = trainer.Step, Epoch = trainer.Epoch,
                TrainLoss = _logCount > 0 ? _logSum / _logCount : null, TrainSteps = _logCount > 0 ? _logCount : null,
                Metrics = metrics, TokensPerSecond = trainSeconds > 0 ? _tokens / trainSeconds : 0,
                LearningRate = trainer._optimizer.LearningRate, ElapsedSeconds = trainSeconds,
            });
            (_logSum, _logCount) = (0, 0);
        }

        public TrainingResult Result(StopReason reason)
        {
            double seconds = TrainClock.Elapsed.TotalSeconds;
            return new TrainingResult(reason, trainer.Step, trainer.Epoch, _losses, _lastMetrics, trainer._options.Monitor, trainer.BestMetric,
                trainer.BestStep, TrainClock.Elapsed, EvalClock.Elapsed, seconds > 0 ? _tokens / seconds : 0);
        }
    }
}
