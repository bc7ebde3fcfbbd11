using System.CommandLine;
using System.Globalization;
using SeqLearn.Checkpoints;
using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn classify train … --checkpoint DIR</c>: the recurrent classifier on all the data (a stratified 10 % held out
/// to choose the epoch), saved as a checkpoint; <c>seqlearn classify predict --checkpoint DIR [SENTENCE…]</c>: one line
/// <c>label&lt;TAB&gt;probability</c> per sentence (the arguments, else each non-blank line of standard input: see
/// <see cref="SentenceInput"/>), the
/// probability being that of the predicted label.
/// </summary>
public static partial class ClassifyCommand
{
    private static Command Train()
    {
        var input = new ClassifyDataOptions();
        var rnn = new RecurrentClassifierCliOptions();
        // This command's own instances: the trained classifier is saved once, to one directory, and nothing resumes.
        rnn.Shared.Checkpoint.Description = "The directory the trained classifier (or ensemble) is saved to, atomically: config, vocabulary and weights.";
        rnn.Shared.Resume.Hidden = true;
        var splitSeed = new Option<ulong>("--split-seed") { Description = "Seed of the stratified validation part (10 % of each class).", DefaultValueFactory = _ => FoldAssignment.DefaultSeed };
        var ensemble = new Option<int>("--ensemble") { Description = "Train and save this many models that differ only in their seeds, averaged when predicting (classify cv's default is " + DefaultEnsemble + ").", DefaultValueFactory = _ => 1 };
        var command = new Command("train", "Train the recurrent classifier on all sentences (10 % held out to pick the epoch) and save it to --checkpoint DIR.") { splitSeed, ensemble };
        input.AddTo(command);
        rnn.AddTo(command);
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            string dir = parse.GetValue(rnn.Shared.Checkpoint) ?? throw new ArgumentException("give --checkpoint DIR (where the trained classifier is saved).");
            if (File.Exists(dir))   // a directory replaces a directory; a file there (the data, say) would fail only after training
                throw new IOException($"--checkpoint {dir} is a file; the classifier is saved as a directory: give another path.");
            CheckpointPaths.EnsureHoldsOnly(dir, "--checkpoint", CheckpointKind.Classifier, whole: true);
            Checkpoint.EnsureWritable(dir);   // other files in it would also fail only after training
            if (parse.GetValue(rnn.Shared.Resume) is not null) throw new ArgumentException("classify train does not resume (--resume); it trains in one run.");
            var settings = rnn.Read(parse);   // every option checked before the data are read
            if (parse.GetValue(rnn.Shared.Metrics) is { } log) CheckpointPaths.EnsureOutside(log, "--metrics", dir, "--checkpoint", whole: true);
            int members = ReadEnsemble(parse, ensemble);
            input.EnsureNotMetrics(parse, rnn.Shared, null, members);
            LabeledSentences sentences = input.Read(parse);
            RecurrentClassifierCliOptions.EnsureFits(settings.Model, settings.Training, sentences);
            ClassificationFold split = FoldAssignment.TrainingSplit(sentences, FoldAssignment.DefaultValidationFraction, parse.GetValue(splitSeed));
            RecurrentClassifierCliOptions.EnsureValidationPart(split.Train.Count, split.Validation.Count, parse.GetValue(input.Data) is { } data ? $"--data {data}" : "--pos/--neg");
            using var pool = new WorkerPool(rnn.Shared.ReadThreads(parse));
            RecurrentEnsembleClassifier classifier = new RecurrentEnsembleFactory(settings.Model, settings.Training, members, pool).Train(split);
            double accuracy = ClassificationMetrics.Accuracy([.. split.Validation.Labels], ((ISentenceClassifier)classifier).Predict(split.Validation.Sentences));
            classifier.Save(dir);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trained on {split.Train.Count} sentences, {sentences.ClassCount} classes ({string.Join(", ", sentences.ClassNames)}); validation accuracy {100 * accuracy:F2} % on {split.Validation.Count}"));
            output.WriteLine($"saved {dir}");
            return 0;
        }));
        return command;
    }

    private static Command Predict()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A classifier saved by 'classify train'.", Required = true };
        var threads = new Option<int>("--threads", "-t") { Description = "Worker threads (results are identical for any count).", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 4) };
        var sentences = new Argument<string[]>("sentences") { Description = "Tokenised sentences (default: each non-blank line of standard input).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("predict", "Classify sentences with a saved classifier: one 'label<TAB>probability' line per sentence.") { checkpoint, threads, sentences };
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            int t = parse.GetValue(threads);
            TrainingCliOptions.CheckThreads(t);
            string[] lines = SentenceInput.Read(parse, sentences, "classify");   // before the checkpoint is loaded
            string dir = parse.GetValue(checkpoint)!;
            if (!Checkpoint.Exists(dir) && (Checkpoint.Exists(Path.Combine(dir, "best")) || Checkpoint.Exists(Path.Combine(dir, "last"))))
                throw new ArgumentException($"--checkpoint {dir} holds a training run's best/ and last/ checkpoints ('seqlearn train' or 'translate train'), not a classifier saved by 'classify train'.");
            using var pool = new WorkerPool(t);
            var classifier = RecurrentEnsembleClassifier.Load(dir, pool);
            double[][] p = classifier.PredictProbabilities([.. lines.Select(TokenVocabulary.Tokenize)]);
            var output = parse.InvocationConfiguration.Output;
            foreach (double[] row in p)
            {
                int c = ISentenceClassifier.ArgMax(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{classifier.ClassNames[c]}\t{row[c]:F6}"));
            }
            return 0;
        }));
        return command;
    }
}
