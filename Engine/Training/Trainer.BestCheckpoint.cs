using SeqLearn.Checkpoints;

namespace SeqLearn.Training;

// The best checkpoint across a resume. A run that stops between two scheduled evaluations (a step limit, a time budget,
// a cancellation) evaluates once more at its last step, and that evaluation can be its best: DIR/best then holds it, as a
// user expects of a finished run. The uninterrupted run never made that evaluation, so a run resumed from DIR/last
// continues from the best of the scheduled evaluations instead (value, step, RestoreBestWeights' weights and DIR/best),
// and ends with exactly the best the uninterrupted run ends with (docs/training.md#5-checkpoints-and-resume):
//
//   final evaluation better than every scheduled one:  DIR/scheduled-best ← DIR/best (the scheduled best), DIR/best ← it
//   resume of that run (Train, with the directory held): DIR/best ← DIR/scheduled-best (or removed when no scheduled
//                                                         evaluation came before), DIR/scheduled-best removed
//   a scheduled evaluation with a new best:              DIR/best ← it, DIR/scheduled-best removed
//   resume at the step of the best scheduled evaluation: DIR/best ← this state when DIR/best is not of that step (a crash
//                                                         stopped the run after writing DIR/last, before DIR/best)
//
// Nothing is lost by the resume: the final evaluation's weights are DIR/last's, which the resumed run continues from.
public sealed partial class Trainer<T>
{
    /// <summary>The directory beside <c>best</c> and <c>last</c> that keeps the best scheduled evaluation while <c>best</c> holds a final one.</summary>
    public const string ScheduledBestDirectory = "scheduled-best";

    private long _scheduledBestStep;                         // the step of _patienceBest, the best scheduled evaluation (0: none yet)
    private (long Step, double Value)? _finalEvaluationBest;  // set by a resume whose best was a final evaluation: DIR/best to put back
    private bool _resumedAtBest;                             // set by a resume at the step of its best scheduled evaluation

    // RecordEvaluation's new best: saves DIR/best and keeps DIR/scheduled-best as the table above says.
    private void SaveBest(string dir, bool scheduled)
    {
        string best = Path.Combine(dir, "best"), kept = Path.Combine(dir, ScheduledBestDirectory);
        if (scheduled)
            AtomicFile.DeleteDirectory(kept);
        else if (_scheduledBestStep > 0 && TryLoad(best) is { } previous && previous.Step == _scheduledBestStep)
            Checkpoint.Save(kept, previous);
        SaveCheckpoint(best);
    }

    // Train, with the directory held: after a resume whose best was the interrupted run's final evaluation, DIR/best goes back
    // to the best scheduled evaluation. Only a DIR/best that is that final evaluation (same step and value) is replaced, so a
    // run resumed into another directory leaves its best alone; without the kept copy, DIR/best stays as it is.
    private void RestoreScheduledBest()
    {
        SaveBestOfResumedStep();
        if (_finalEvaluationBest is not { } final || _options.CheckpointDirectory is not { } dir) return;
        _finalEvaluationBest = null;
        string best = Path.Combine(dir, "best"), kept = Path.Combine(dir, ScheduledBestDirectory);
        if (TryLoad(best) is not { } current || current.Step != final.Step || BestOf(current) != final.Value) return;
        if (BestStep == 0)
            AtomicFile.DeleteDirectory(best);
        else if (TryLoad(kept) is { } scheduled && scheduled.Step == BestStep)
            Checkpoint.Save(best, scheduled);
        else
            return;
        AtomicFile.DeleteDirectory(kept);
    }

    // Train, with the directory held: a resume at the step of its best scheduled evaluation continues from a DIR/last that
    // RecordEvaluation wrote before DIR/best; when a crash stopped the DIR/best write, DIR/best is saved from this state,
    // which is that evaluation's, as the uninterrupted run saved it.
    private void SaveBestOfResumedStep()
    {
        if (!_resumedAtBest || _options.CheckpointDirectory is not { } dir) return;
        _resumedAtBest = false;
        if (TryLoad(Path.Combine(dir, "best")) is not { } current || current.Step != Step) SaveBest(dir, scheduled: true);
    }

    // Resume: the weights of the best scheduled evaluation (step k) for RestoreBestWeights, from DIR/best or DIR/scheduled-best.
    private static CheckpointData<T>? BestWeightsOfStep(string parent, long step)
    {
        foreach (string name in new[] { "best", ScheduledBestDirectory })
            if (TryLoad(Path.Combine(parent, name)) is { } data && data.Step == step) return data;
        return null;
    }

    private static double? BestOf(CheckpointData<T> data) =>
        data.TrainerState?["best_metric"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out double x) ? x : null;

    private static CheckpointData<T>? TryLoad(string directory)
    {
        if (!Checkpoint.Exists(directory)) return null;
        try { return Checkpoint.Load<T>(directory); }
        catch (CheckpointFormatException) { return null; }
    }
}
