using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SeqLearn.Classification;
using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Cli;

/// <summary>
/// <c>seqlearn classify cv</c>: k-fold stratified cross-validation of a sentence classifier on the sentence polarity
/// files (<c>--pos</c>/<c>--neg</c>) or a <c>label&lt;TAB&gt;text</c> file (<c>--data</c>). Prints one row per fold and
/// ends with one summary line <c>accuracy M ± S % over k folds (model NAME, T s)</c>, S the sample standard deviation;
/// <c>--json</c> prints the same report as one JSON object instead. Models are <see cref="IClassifierFactory"/>
/// instances: the baselines, plus any passed to <see cref="Create(IReadOnlyList{IClassifierFactory})"/>.
/// </summary>
public static partial class ClassifyCommand
{
    /// <summary>Builds the <c>classify</c> command with the baselines only.</summary>
    public static Command Create() => Create([]);

    /// <summary>Builds the <c>classify</c> command; <paramref name="extraModels"/> join the baselines as <c>--model</c> choices.</summary>
    public static Command Create(IReadOnlyList<IClassifierFactory> extraModels)
    {
        var classify = new Command("classify", "Many-to-one sentence classification: cross-validated accuracy of a model (cv), training and saving one (train), classifying sentences with it (predict).");
        classify.Subcommands.Add(Cv(extraModels));
        classify.Subcommands.Add(Train());
        classify.Subcommands.Add(Predict());
        return classify;
    }

    /// <summary>
    /// Members of the seed ensemble that <c>--model rnn</c> cross-validates by default: four biLSTMs, two at a time on
    /// the two cores, fit the ten folds of MR in the 10-minute budget (docs/classification.md#ensemble).
    /// </summary>
    public const int DefaultEnsemble = 4;

    // --ensemble N: 1 to the most members an ensemble checkpoint holds.
    private static int ReadEnsemble(ParseResult parse, Option<int> ensemble)
    {
        int members = parse.GetValue(ensemble);
        if (members is < 1 or > RecurrentEnsembleClassifier.MaxMembers)
            throw new ArgumentException($"--ensemble must be in [1, {RecurrentEnsembleClassifier.MaxMembers}], got {members}.");
        return members;
    }

    private static Command Cv(IReadOnlyList<IClassifierFactory> extraModels)
    {
        string[] names = [.. BaselineClassifiers.Names, "rnn", "rnn+nbsvm", .. extraModels.Select(m => m.Name)];
        var input = new ClassifyDataOptions();
        var folds = new Option<int>("--folds", "-k") { Description = "Number of stratified folds k (2 or more).", DefaultValueFactory = _ => 10 };
        var model = new Option<string>("--model", "-m") { Description = $"Model to cross-validate: {string.Join(", ", names)}.", DefaultValueFactory = _ => "nbsvm-bi" };
        model.AcceptOnlyFromAmong(names);
        var baselines = new Option<bool>("--baselines") { Description = "Also run the classical baselines (mnb-uni, mnb-bi, and nbsvm-bi for two classes) on the same folds." };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object instead of text." };
        var seed = new Option<ulong>("--fold-seed") { Description = "Seed of the fold assignment (the same seed gives the same folds).", DefaultValueFactory = _ => FoldAssignment.DefaultSeed };
        var ensemble = new Option<int>("--ensemble") { Description = "rnn: average the probabilities of this many models that differ only in their seeds (trained side by side, one per thread; with --metrics DIR/NAME.EXT fold f, member m writes DIR/NAME.fold{f}.member{m}.EXT; one model DIR/NAME.fold{f}.EXT).", DefaultValueFactory = _ => DefaultEnsemble };
        var onlyFolds = new Option<string>("--only-folds") { Description = "Run only these folds (comma-separated, 0-based, e.g. 0,1,2) for a quick screen; the summary covers them." };
        var rnn = new RecurrentClassifierCliOptions();
        rnn.Shared.Checkpoint.Hidden = rnn.Shared.Resume.Hidden = true;   // refused below: every fold trains a new model
        var command = new Command("cv", "k-fold stratified cross-validation: train on k−1 folds, test on the held-out one, report mean ± std accuracy.")
        {
            folds, model, baselines, json, seed, onlyFolds, ensemble,
        };
        input.AddTo(command);
        rnn.AddTo(command);
        command.SetAction(parse => CliGuard.Run(parse.InvocationConfiguration.Error, () =>
        {
            int k = parse.GetValue(folds);
            if (k < 2) throw new ArgumentException($"--folds must be at least 2 (got {k}).");
            int[]? listed = parse.GetValue(onlyFolds) is { } list ? SelectedFolds(list, k) : null;
            foreach (Option o in new Option[] { rnn.Shared.Resume, rnn.Shared.Checkpoint })
                if (parse.GetResult(o) is { Implicit: false })
                    throw new ArgumentException($"{o.Name} is not supported by classify cv: every fold trains a new model from scratch (classify train saves one).");
            string chosen = parse.GetValue(model)!;
            bool neural = chosen.StartsWith("rnn", StringComparison.Ordinal);
            CheckApplicable(parse, model, neural, rnn, ensemble);
            var settings = rnn.Read(parse);   // every option checked before the data are read, whichever model uses it
            int threads = rnn.Shared.ReadThreads(parse);
            int members = ReadEnsemble(parse, ensemble);
            LabeledSentences sentences = input.Read(parse);
            if (k > sentences.Count) throw new ArgumentException($"--folds {k}: the data have only {sentences.Count} sentences.");
            int[] selected = listed ?? [.. Enumerable.Range(0, k)];   // k is at most the sentence count here
            input.EnsureNotMetrics(parse, rnn.Shared, selected, chosen == "rnn" ? members : 1);   // read, not yet written
            if (neural) RecurrentClassifierCliOptions.EnsureFits(settings.Model, settings.Training, sentences);
            input.EnsureCrossValidates(parse, sentences, model, k);
            var assignment = FoldAssignment.Stratified(sentences.Labels, sentences.ClassCount, k, parse.GetValue(seed));
            if (neural)
                foreach (int f in selected)
                {
                    var fold = assignment.Fold(sentences, f);
                    RecurrentClassifierCliOptions.EnsureValidationPart(fold.Train.Count, fold.Validation.Count, $"--model {chosen} --folds {k}, fold {f}");
                }

            var run = new List<string> { chosen };
            if (parse.GetValue(baselines))   // NBSVM is binary: with more classes only the MNB baselines are added
                run.AddRange(BaselineClassifiers.Names.Where(n => n != chosen && (sentences.ClassCount == 2 || !ClassifyDataOptions.IsBinary(n))));
            using var pool = new WorkerPool(threads);
            // Each fold's training writes its own metrics log (NAME.fold{f}.EXT; members of several add .member{m}): one log per run of
            // steps, as `plot` reads it, where folds appending to one file would restart the step count inside it.
            IClassifierFactory Factory(string name, int fold)
            {
                var foldSettings = (settings.Model, Training: settings.Training with { MetricsPath = FoldMetricsPath(settings.Training.MetricsPath, fold) });
                return BaselineClassifiers.TryCreate(name)
                    ?? (name switch
                    {
                        "rnn" => new RecurrentEnsembleFactory(foldSettings.Model, foldSettings.Training, members, pool),
                        "rnn+nbsvm" => new RecurrentNbSvmEnsembleFactory(RecurrentClassifierCliOptions.Factory(foldSettings, pool)),
                        _ => extraModels.First(m => m.Name == name),
                    });
            }

            TextWriter output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            IClassifierFactory[] factories = run.Select(name => Factory(name, selected[0])).ToArray();
            var perModel = factories.Select(_ => new List<FoldResult>()).ToArray();
            if (!asJson) PrintHeader(output, sentences, assignment, run);
            foreach (int f in selected)   // fold by fold, so each row appears as soon as its fold is done
            {
                for (int m = 0; m < factories.Length; m++)
                    perModel[m].Add(CrossValidation.Run(sentences, assignment, Factory(run[m], f), [f]).Folds[0]);
                if (!asJson) PrintRow(output, perModel.Select(r => r[^1]).ToArray());
            }
            var results = factories.Select((fm, m) => new CrossValidationResult(fm.Name, perModel[m])).ToArray();
            if (asJson) output.WriteLine(Json(sentences, assignment, chosen, results));
            else PrintSummary(output, results);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Refuses an option the chosen model would ignore: a model that is not neural reads none of the recurrent
    /// classifier's options (nor <c>--ensemble</c>), and <c>rnn+nbsvm</c> mixes one network with NBSVM-bi, so it reads no
    /// <c>--ensemble</c>.
    /// </summary>
    private static void CheckApplicable(ParseResult parse, Option<string> model, bool neural, RecurrentClassifierCliOptions rnn, Option<int> ensemble)
    {
        string chosen = CliGuard.Chosen(parse, model);
        if (!neural)
            CliGuard.RefuseIfGiven(parse, o => $"{o} applies to --model rnn or rnn+nbsvm, not {chosen}: drop {o} or use --model rnn.",
                [.. rnn.Own, .. rnn.Shared.All, ensemble]);
        else if (parse.GetValue(model) == "rnn+nbsvm")
            CliGuard.RefuseIfGiven(parse, o => $"{o} applies to --model rnn, not {chosen} (one network mixed with NBSVM-bi): drop {o} or use --model rnn.", ensemble);
    }

    /// <summary>The folds of <c>--only-folds</c> ("0,2,5"), each in [0, k) and listed once.</summary>
    /// <summary><c>dir/name.fold{f}.ext</c> for the metrics path <c>dir/name.ext</c> (null stays null).</summary>
    internal static string? FoldMetricsPath(string? path, int fold) =>
        path is null ? null : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}.fold{fold}{Path.GetExtension(path)}");

    private static int[] SelectedFolds(string list, int k)
    {
        var folds = new List<int>();
        foreach (string part in list.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int f) || f >= k)
                throw new ArgumentException($"--only-folds: '{part}' is not a fold number in [0, {k}).");
            if (folds.Contains(f)) throw new ArgumentException($"--only-folds: fold {f} is listed twice.");
            folds.Add(f);
        }
        return [.. folds];
    }

    private static void PrintHeader(TextWriter output, LabeledSentences data, FoldAssignment assignment, IReadOnlyList<string> models)
    {
        int[] counts = data.ClassCounts();
        string classes = string.Join(", ", data.ClassNames.Select((n, c) => $"{n} {counts[c]}"));
        output.WriteLine($"data: {data.Count} sentences, {data.ClassCount} classes ({classes}); {assignment.FoldCount} stratified folds, seed {assignment.Seed}");
        output.WriteLine($"{"fold",4}  {"test",5}  {string.Join("  ", models.Select(m => $"{m,9}"))}");
    }

    /// <summary>One fold's row: fold, test size, and each model's accuracy in percent.</summary>
    private static void PrintRow(TextWriter output, IReadOnlyList<FoldResult> fold)
    {
        var c = CultureInfo.InvariantCulture;
        var row = new StringBuilder(string.Create(c, $"{fold[0].Fold,4}  {fold[0].TestCount,5}"));
        foreach (FoldResult r in fold) row.Append(string.Create(c, $"  {100 * r.Accuracy,9:F2}"));
        output.WriteLine(row.ToString());
    }

    /// <summary>A summary line per extra model, then the chosen model's <see cref="SummaryLine"/> last.</summary>
    private static void PrintSummary(TextWriter output, IReadOnlyList<CrossValidationResult> results)
    {
        foreach (CrossValidationResult r in results.Skip(1))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline {r.Model}: {Accuracy(r)} ({r.Seconds:F1} s)"));
        output.WriteLine(SummaryLine(results[0]));
    }

    /// <summary>
    /// <c>accuracy M ± S % over k folds (model NAME, T s)</c>, M and S in percent, S the sample standard deviation;
    /// <c>accuracy M % over 1 fold (…)</c> for one fold (<c>--only-folds</c>), where S is undefined.
    /// </summary>
    public static string SummaryLine(CrossValidationResult result) => string.Create(CultureInfo.InvariantCulture,
        $"accuracy {Accuracy(result)} over {result.Folds.Count} {(result.Folds.Count == 1 ? "fold" : "folds")} (model {result.Model}, {result.Seconds:F1} s)");

    // "M ± S %", or "M %" over one fold.
    private static string Accuracy(CrossValidationResult r) => r.Folds.Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"{100 * r.MeanAccuracy:F2} %")
        : string.Create(CultureInfo.InvariantCulture, $"{100 * r.MeanAccuracy:F2} ± {100 * r.StdAccuracy:F2} %");

    /// <summary>
    /// The JSON report: data summary, fold count, seed and fingerprint of the assignment, the chosen model, and per
    /// model the fold accuracies and macro-F1 (fractions in [0, 1]), their mean and sample standard deviation, and seconds.
    /// </summary>
    private static string Json(LabeledSentences data, FoldAssignment assignment, string chosen, IReadOnlyList<CrossValidationResult> results)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("sentences", data.Count);
            w.WriteStartArray("classes");
            int[] counts = data.ClassCounts();
            for (int c = 0; c < data.ClassCount; c++)
            {
                w.WriteStartObject();
                w.WriteString("name", data.ClassNames[c]);
                w.WriteNumber("id", c);
                w.WriteNumber("count", counts[c]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("folds", assignment.FoldCount);
            w.WriteNumber("foldSeed", assignment.Seed);
            w.WriteString("foldFingerprint", $"{assignment.Fingerprint():x16}");
            w.WriteString("model", chosen);
            w.WriteStartArray("results");
            foreach (CrossValidationResult r in results)
            {
                w.WriteStartObject();
                w.WriteString("model", r.Model);
                w.WriteNumber("meanAccuracy", r.MeanAccuracy);
                if (r.Folds.Count == 1) w.WriteNull("stdAccuracy");   // a sample standard deviation of one value is undefined
                else w.WriteNumber("stdAccuracy", r.StdAccuracy);
                w.WriteNumber("seconds", r.Seconds);
                w.WriteStartArray("foldResults");
                foreach (FoldResult f in r.Folds)
                {
                    w.WriteStartObject();
                    w.WriteNumber("fold", f.Fold);
                    w.WriteNumber("test", f.TestCount);
                    w.WriteNumber("accuracy", f.Accuracy);
                    w.WriteNumber("macroF1", f.Confusion.MacroF1);
                    w.WriteNumber("seconds", f.Seconds);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("summary", SummaryLine(results[0]));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
