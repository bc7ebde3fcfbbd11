using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Globalization;
using SeqLearn.Classification;
using SeqLearn.Cli;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;

namespace SeqLearn.Tests.Cli;

public class ClassifyCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(ClassifyCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>40 sentences: "good …" are pos, "bad …" are neg, with a shared filler word; easy for every baseline.</summary>
    private static (TempDir Dir, string Pos, string Neg, string Tsv) Setup()
    {
        var dir = new TempDir("cli-classify");
        string[] pos = Enumerable.Range(0, 20).Select(i => $"a good film number{i % 5} , really good").ToArray();
        string[] neg = Enumerable.Range(0, 20).Select(i => $"a bad film number{i % 5} , really bad").ToArray();
        File.WriteAllLines(dir.Combine("p"), pos);
        File.WriteAllLines(dir.Combine("n"), neg);
        File.WriteAllLines(dir.Combine("d.tsv"), pos.Select(s => "pos\t" + s).Concat(neg.Select(s => "neg\t" + s)));
        return (dir, dir.Combine("p"), dir.Combine("n"), dir.Combine("d.tsv"));
    }

    [Fact]
    public void Cv_PosNeg_RowPerFold_EndsWithOneSummaryLine()
    {
        var (dir, pos, neg, _) = Setup();
        using var _ = dir;
        var (code, output, error) = Run("classify", "cv", "--pos", pos, "--neg", neg, "--folds", "4", "--model", "mnb-uni");
        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd().Split('\n');
        Assert.Equal(2 + 4 + 1, lines.Length);
        Assert.StartsWith("data: 40 sentences, 2 classes (neg 20, pos 20); 4 stratified folds, seed 1", lines[0]);
        Assert.Matches(new Regex(@"^accuracy 100\.00 ± 0\.00 % over 4 folds \(model mnb-uni, \d+\.\d s\)$"), lines[^1]);
        Assert.Single(lines, l => l.StartsWith("accuracy ", StringComparison.Ordinal));
    }

    [Fact]
    public void Cv_Rnn_SeedEnsemble_OneMetricsFilePerMember_SameResultOnAnyThreadCount()
    {
        var (dir, _, _, tsv) = Setup();
        using var _ = dir;
        string[] Cv(string threads, string metrics) =>
            Run("classify", "cv", "--data", tsv, "--folds", "2", "--model", "rnn", "--ensemble", "3", "--embedding", "4", "--hidden", "3",
                "--epochs", "2", "--batch", "8", "--lr", "0.01", "--threads", threads, "--metrics", metrics) is var r && r.Code == 0
                ? r.Output.TrimEnd().Split('\n') : throw new Xunit.Sdk.XunitException(r.Error);
        string[] two = Cv("2", dir.Combine("m2.jsonl")), one = Cv("1", dir.Combine("m1.jsonl"));
        Assert.Matches(new Regex(@"^accuracy \d+\.\d\d ± \d+\.\d\d % over 2 folds \(model rnn, \d+\.\d s\)$"), two[^1]);
        Assert.Equal(two[..^1], one[..^1]);     // every fold's row (the wall time in the last line differs)
        // One log per fold and member, each a single run of steps (2 epochs, one evaluation each) that `plot` draws as one curve.
        for (int f = 0; f < 2; f++)
            for (int m = 0; m < 3; m++)
            {
                var records = SeqLearn.Training.MetricsLog.Read(dir.Combine($"m2.fold{f}.member{m}.jsonl"));
                Assert.Equal(2, records.Count(r => r.Kind == SeqLearn.Training.MetricsRecordKind.Evaluation));
                Assert.Equal(records.Select(r => r.Step).Order(), records.Select(r => r.Step));
            }
        Assert.False(File.Exists(dir.Combine("m2.jsonl")));
        Assert.False(File.Exists(dir.Combine("m2.member0.jsonl")));
    }

    [Fact]
    public void Cv_DataWithBaselinesAndJson_OneObjectWithThreeModels()
    {
        var (dir, _, _, tsv) = Setup();
        using var _ = dir;
        var (code, output, error) = Run("classify", "cv", "--data", tsv, "--folds", "5", "--model", "nbsvm-bi", "--baselines", "--json", "--fold-seed", "9");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal(40, root.GetProperty("sentences").GetInt32());
        Assert.Equal("pos", root.GetProperty("classes")[0].GetProperty("name").GetString()); // first seen → id 0
        Assert.Equal(9UL, root.GetProperty("foldSeed").GetUInt64());
        Assert.Equal(["nbsvm-bi", "mnb-uni", "mnb-bi"], root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("model").GetString()));
        JsonElement first = root.GetProperty("results")[0];
        Assert.Equal(5, first.GetProperty("foldResults").GetArrayLength());
        Assert.Equal(1.0, first.GetProperty("meanAccuracy").GetDouble());
        Assert.StartsWith("accuracy 100.00 ± 0.00 % over 5 folds (model nbsvm-bi", root.GetProperty("summary").GetString());
    }

    [Fact]
    public void Cv_Baselines_TextReportHasAColumnPerModel()
    {
        var (dir, pos, neg, _) = Setup();
        using var _ = dir;
        var (code, output, error) = Run("classify", "cv", "--pos", pos, "--neg", neg, "--folds", "2", "--model", "mnb-bi", "--baselines");
        Assert.True(code == 0, error);
        Assert.Contains("    mnb-bi    mnb-uni   nbsvm-bi", output);
        Assert.Contains("baseline mnb-uni: 100.00 ± 0.00 %", output);
        Assert.Contains("baseline nbsvm-bi: 100.00 ± 0.00 %", output);
        Assert.StartsWith("accuracy 100.00 ± 0.00 % over 2 folds (model mnb-bi", output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public void Cv_ThreeClassData_BaselinesLeaveOutNbsvm_AndNbsvmAloneIsAnError()
    {
        using var dir = new TempDir("cli-classify3");
        string tsv = dir.Combine("three.tsv");
        File.WriteAllLines(tsv, Enumerable.Range(0, 30).Select(i => $"{"abc"[i % 3]}\tword{"abc"[i % 3]} filler{i % 4}"));
        var (code, output, error) = Run("classify", "cv", "--data", tsv, "--folds", "3", "--model", "mnb-uni", "--baselines", "--label-order", "sorted");
        Assert.True(code == 0, error);
        Assert.Contains("data: 30 sentences, 3 classes (a 10, b 10, c 10)", output);
        Assert.DoesNotContain("nbsvm", output);
        Assert.Contains("baseline mnb-bi: 100.00 ± 0.00 %", output);
        var nbsvm = Run("classify", "cv", "--data", tsv, "--folds", "3");
        Assert.Equal(1, nbsvm.Code);
        Assert.Equal("", nbsvm.Output);   // refused before the table's header
        Assert.Equal($"error: --model nbsvm-bi (the default) is binary (NBSVM); --data {tsv} has 3 classes: use --model mnb-bi, mnb-uni or rnn.", nbsvm.Error.TrimEnd());
    }

    // A tiny model: train writes a checkpoint, predict prints the library's probabilities for it, and a sentence gets the
    // same line alone as inside a batch of other lengths.
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void Train_ThenPredict_LibraryProbabilities_AloneAndBatchedIdentical(string members)
    {
        var (dir, pos, neg, _) = Setup();
        using var _ = dir;
        string checkpoint = dir.Combine("model");
        var train = Run("classify", "train", "--pos", pos, "--neg", neg, "--checkpoint", checkpoint, "--embedding", "8", "--hidden", "6",
            "--epochs", "3", "--batch", "8", "--lr", "0.01", "--threads", "1", "--ensemble", members);
        Assert.Equal(members != "1", File.Exists(Path.Combine(checkpoint, RecurrentEnsembleClassifier.ManifestFileName)));
        Assert.True(train.Code == 0, train.Error);
        Assert.Matches(new Regex(@"^trained on 36 sentences, 2 classes \(neg, pos\); validation accuracy \d+\.\d\d % on 4\n"), train.Output.Replace("\r", ""));

        string[] batch = ["a good film number1 , really good", "bad", "a bad unseenword film number3 , really bad bad bad"];
        var alone = Run("classify", "predict", "--checkpoint", checkpoint, batch[0]);
        var together = Run(["classify", "predict", "--checkpoint", checkpoint, "--threads", "2", .. batch]);
        Assert.True(alone.Code == 0 && together.Code == 0, alone.Error + together.Error);
        string[] lines = together.Output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(alone.Output.TrimEnd(), lines[0]);

        var library = RecurrentEnsembleClassifier.Load(checkpoint);
        Assert.Equal(int.Parse(members, CultureInfo.InvariantCulture), library.Members.Count);
        double[][] p = library.PredictProbabilities([.. batch.Select(s => s.Split(' '))]);
        for (int i = 0; i < batch.Length; i++)
        {
            int c = p[i][1] > p[i][0] ? 1 : 0;
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{library.ClassNames[c]}\t{p[i][c]:F6}"), lines[i]);
        }
        Assert.Equal(p[0], library.PredictProbabilities([batch[0].Split(' ')]).Single());   // bit for bit
    }

    [Fact]
    public void Predict_NotAClassifierCheckpoint_OneLineError()
    {
        using var dir = new TempDir("cli-classify-bad");
        var (code, _, error) = Run("classify", "predict", "--checkpoint", dir.Combine("nothing"), "a sentence");
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("classify", "cv", "--pos", "POS")]
    [InlineData("classify", "cv", "--pos", "POS", "--neg", "NEG", "--data", "TSV")]
    [InlineData("classify", "cv", "--data", "TSV", "--folds", "1")]
    [InlineData("classify", "cv", "--data", "BAD")]
    [InlineData("classify", "cv", "--data", "MISSING")]
    [InlineData("classify", "cv", "--data", "TSV", "--only-folds", "0,10")]
    [InlineData("classify", "train", "--data", "TSV")]
    [InlineData("classify", "cv", "--pos", "POS", "--neg", "NEG", "--label-order", "sorted")]
    public void BadInput_OneLineError_NonZeroExit(params string[] args)
    {
        var (dir, pos, neg, tsv) = Setup();
        using var _ = dir;
        File.WriteAllText(dir.Combine("bad.tsv"), "pos\tgood\nneg bad\n");
        string[] real = args.Select(a => a switch
        {
            "POS" => pos, "NEG" => neg, "TSV" => tsv, "BAD" => dir.Combine("bad.tsv"), "MISSING" => dir.Combine("missing"), _ => a,
        }).ToArray();
        var (code, _, error) = Run(real);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        if (args.Contains("BAD")) Assert.Contains("bad.tsv:2: expected 'label<TAB>text'", error);
        if (args.Contains("--label-order")) Assert.Contains("--label-order numbers the labels of --data", error);
    }

    [Fact]
    public void Cv_PosAndNegTheSameFile_IsRefusedBeforeReading()
    {
        var (dir, pos, _, _) = Setup();
        using var _ = dir;
        string line = CliRun.AssertOneErrorLine(Run("classify", "cv", "--pos", pos, "--neg", pos, "--model", "mnb-uni"), "--pos and --neg are the same file");
        Assert.Equal($"error: --pos and --neg are the same file '{pos}': give the positive and the negative sentences in two files.", line);
    }

    [Theory]
    [InlineData(21)]    // 20 sentences per class: folds 21 … would test one sentence each
    [InlineData(40)]
    public void Cv_MoreFoldsThanTheLargestClass_IsRefused_AsStratifiedKFold(int k)
    {
        var (dir, _, _, tsv) = Setup();
        using var _ = dir;
        string line = CliRun.AssertOneErrorLine(Run("classify", "cv", "--data", tsv, "--folds", $"{k}", "--model", "mnb-uni"), $"--folds {k}");
        Assert.Equal($"error: --folds {k}: --data {tsv} has no class of {k} sentences (the largest, 'pos', has 20), "
            + $"so stratified folds past 20 would each test a sentence or two of one class: use --folds 20 or fewer.", line);
        Assert.Equal(0, Run("classify", "cv", "--data", tsv, "--folds", "20", "--model", "mnb-uni").Code);
    }

    [Fact]
    public void Cv_OneFold_ReportsNoStandardDeviation()
    {
        var (dir, _, _, tsv) = Setup();
        using var _ = dir;
        var (code, output, error) = Run("classify", "cv", "--data", tsv, "--folds", "4", "--only-folds", "2", "--model", "mnb-uni", "--baselines");
        Assert.True(code == 0, error);
        Assert.Matches(new Regex(@"^accuracy 100\.00 % over 1 fold \(model mnb-uni, \d+\.\d s\)$"), output.TrimEnd().Split('\n')[^1]);
        Assert.Contains("baseline mnb-bi: 100.00 % (", output);
        var (jsonCode, json, _) = Run("classify", "cv", "--data", tsv, "--folds", "4", "--only-folds", "2", "--model", "mnb-uni", "--json");
        Assert.Equal(0, jsonCode);
        var result = JsonDocument.Parse(json).RootElement.GetProperty("results")[0];
        Assert.Equal(JsonValueKind.Null, result.GetProperty("stdAccuracy").ValueKind);
    }

    [Fact]
    public void Predict_OnATrainingRunDirectory_SaysWhatItHolds()
    {
        using var dir = new TempDir("cli-classify-run");
        string run = dir.Combine("run");
        Directory.CreateDirectory(run);
        var vocab = CharVocabulary.Build("ab");
        LanguageModelCheckpoint.Save(Path.Combine(run, "best"), new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 2, 2, 1), new SeededRng(1)), vocab);
        string line = CliRun.AssertOneErrorLine(Run("classify", "predict", "--checkpoint", run, "a sentence"), run);
        Assert.Equal($"error: --checkpoint {run} holds a training run's best/ and last/ checkpoints ('seqlearn train' or 'translate train'), not a classifier saved by 'classify train'.", line);
    }
}
