using SeqLearn.Cli;
using SeqLearn.LanguageModeling;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Optim;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

public class TrainCommandTests
{
    // A model small enough that a few steps take milliseconds.
    private static readonly string[] Tiny = ["--batch", "2", "--bptt", "4", "--embedding", "4", "--hidden", "8", "--threads", "1"];

    private static string Text(TempDir dir, string name, string text)
    {
        string path = dir.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Train_SmallCorpus_PrintsSummaryAndSample_AndResumesFromItsCheckpoint()
    {
        using var tmp = new TempDir("cli-train");
        string corpus = Text(tmp, "c.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 20)));
        var (code, output, error) = Run(["train", "--corpus", corpus, "--max-steps", "6", "--eval-every", "3", "--sample", "20",
            "--checkpoint", tmp.Combine("run"), "--metrics", tmp.Combine("m.jsonl"), .. Tiny]);
        Assert.True(code == 0, error);
        Assert.Contains("stopped: step limit reached after 6 steps", output);
        Assert.Contains("valid loss", output);
        Assert.Contains("sample (temperature 0.8):", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("step ", StringComparison.Ordinal) && l.Contains("| valid ", StringComparison.Ordinal)));   // one plain line per evaluation
        Assert.True(Directory.Exists(tmp.Combine("run/best")) && Directory.Exists(tmp.Combine("run/last")));

        (code, output, error) = Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "8", "--sample", "0", .. Tiny]);
        Assert.True(code == 0, error);
        Assert.Contains("resumed at step 6", output);
        Assert.Contains("after 8 steps", output);

        // Without --batch and --bptt a resumed run takes the checkpoint's (2 and 4), as it takes its model.
        (code, output, error) = Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "9", "--sample", "0",
            "--embedding", "4", "--hidden", "8", "--threads", "1"]);
        Assert.True(code == 0, error);
        Assert.Contains("resumed at step 6", output);   // --resume alone writes no checkpoint: last is still step 6's
        Assert.Contains("after 9 steps", output);

        (code, _, error) = Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "10", "--batch", "2", "--bptt", "3"]);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {Path.Combine(tmp.Combine("run"), "last", "checkpoint.json")}: the checkpoint cannot resume this training run: it was trained with batch 2 and BPTT 4", error);

        // A shorter training text, so that the checkpoint's batch index 6 is past this epoch's end: the message says what may differ.
        string small = Text(tmp, "small.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 2)));
        (code, _, error) = Run(["train", "--train", small, "--valid", corpus, "--resume", tmp.Combine("run"), "--max-steps", "8", "--sample", "0", .. Tiny]);
        Assert.Equal(1, code);
        Assert.Contains("its batch index 6 is outside this task's 5 batches per epoch (other data, or another batch size or sequence length?)", error);

        // At or past --max-steps already: an error, not a run that trains nothing and reports a NaN loss.
        foreach (string steps in new[] { "6", "5" })   // run/last is still at step 6: the resumed runs above saved no checkpoint
        {
            (code, output, error) = Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", steps, "--sample", "0", .. Tiny]);
            Assert.Equal(1, code);
            Assert.StartsWith($"error: --max-steps {steps}: {Path.Combine(tmp.Combine("run"), "last", "checkpoint.json")} is at step 6 already, so there is nothing to train", error);
        }
        Assert.DoesNotContain("NaN", output);
    }

    [Fact]
    public void Train_Resume_OnOtherData_IsRefusedNamingBothFingerprints()
    {
        // Another --valid-fraction (or corpus) cuts other windows: the resumed losses would not continue the run's.
        using var tmp = new TempDir("cli-train-data");
        string corpus = Text(tmp, "c.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 20)));
        var (code, _, error) = Run(["train", "--corpus", corpus, "--max-steps", "2", "--sample", "0", "--checkpoint", tmp.Combine("run"), .. Tiny]);
        Assert.True(code == 0, error);
        string[] resume = ["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "3", "--sample", "0", .. Tiny];
        (code, _, error) = Run([.. resume, "--valid-fraction", "0.2"]);
        Assert.Equal(1, code);
        Assert.Contains("it was trained on other training data (", error);
        Assert.Contains("tokens, fnv1a ", error);
        (code, _, error) = Run(resume);
        Assert.True(code == 0, error);
    }

    [Fact]
    public void Train_Resume_TakesTheCheckpointsOptimizerSettings_AndRefusesOthers()
    {
        using var tmp = new TempDir("cli-train-sgd");
        string corpus = Text(tmp, "c.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 20)));
        string[] sgd = ["--optimizer", "sgd", "--lr", "0.5", "--momentum", "0.9", "--nesterov", "--weight-decay", "0.01"];
        var (code, _, error) = Run(["train", "--corpus", corpus, "--max-steps", "4", "--sample", "0", "--checkpoint", tmp.Combine("run"), .. sgd, .. Tiny]);
        Assert.True(code == 0, error);

        // Without the flags the resumed run continues with SGD, momentum 0.9, Nesterov and weight decay 0.01 (as
        // load_state_dict does); --optimizer too is the checkpoint's when not given.
        string[] bare = ["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "5", "--sample", "0", .. Tiny];
        (code, var output, error) = Run(bare);
        Assert.True(code == 0, error);
        Assert.Contains("sgd lr=0.5", output);
        Assert.Contains("resumed at step 4", output);
        (code, _, error) = Run([.. bare, "--optimizer", "adam"]);
        Assert.Equal(1, code);
        Assert.Contains("trained with Sgd, these options use Adam", error);

        string[] resume = ["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "6", "--sample", "0", "--optimizer", "sgd", .. Tiny];
        (code, output, error) = Run(resume);
        Assert.True(code == 0, error);
        Assert.Contains("resumed at step 4", output);   // the run above wrote no checkpoint

        // A flag given with another value is refused before anything runs.
        (code, _, error) = Run([.. resume, "--momentum", "0.5"]);
        Assert.Equal(1, code);
        Assert.Contains("optimizer settings", error);
        (code, _, error) = Run([.. resume, "--weight-decay", "0"]);
        Assert.Equal(1, code);
        Assert.Contains("optimizer settings", error);
        // So is another η₀ or clip norm (the run resumed above at --lr 0.5 without the flag: taken from the checkpoint).
        (code, _, error) = Run([.. resume, "--lr", "0.1"]);
        Assert.Equal(1, code);
        Assert.Contains("η₀, clipping and schedule {\"learning_rate\":0.5", error);
        (code, _, error) = Run([.. resume, "--clip", "1"]);
        Assert.Equal(1, code);
        Assert.Contains("\"clip_norm\":5}", error);
    }

    [Theory]
    [InlineData("step", "--step-size", "1")]
    [InlineData("cosine", "--epochs", "3")]
    public void Train_Resume_TakesTheCheckpointsSchedule_WhenNotGiven(string schedule, string flag, string value)
    {
        using var tmp = new TempDir("cli-train-schedule");
        string corpus = Text(tmp, "c.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 20)));
        var (code, _, error) = Run(["train", "--corpus", corpus, "--max-steps", "4", "--sample", "0", "--checkpoint", tmp.Combine("run"),
            "--schedule", schedule, flag, value, .. Tiny]);
        Assert.True(code == 0, error);
        (code, var output, error) = Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "6", "--sample", "0", .. Tiny]);
        Assert.True(code == 0, error);
        Assert.Contains("resumed at step 4", output);
        (code, _, error) = Run(["train", "--corpus", corpus, "--resume", tmp.Combine("run"), "--max-steps", "6", "--sample", "0", "--schedule", "constant", .. Tiny]);
        Assert.Equal(1, code);
        Assert.Contains("schedule, these options use Constant", error);
    }

    [Fact]
    public void Train_WordLevelWithSeparateFiles_Runs()
    {
        using var tmp = new TempDir("cli-word");
        string train = Text(tmp, "train.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat\n", 10)));
        string valid = Text(tmp, "valid.txt", string.Concat(Enumerable.Repeat("the dog sat on the cat\n", 5)));
        var (code, output, error) = Run(["train", "--train", train, "--valid", valid, "--level", "word", "--cell", "gru", "--max-steps", "3",
            "--sample", "5", "--prompt", "the", "--checkpoint", tmp.Combine("run"), .. Tiny]);
        Assert.True(code == 0, error);
        Assert.Contains("70 train + 35 valid tokens, vocabulary 7", output);   // <unk> <eos> the cat sat on mat; "dog" → <unk>
        Assert.Contains("after 3 steps", output);

        // Resuming takes the level, vocabulary and model from the checkpoint (no --level word, no --cell gru here).
        (code, output, error) = Run(["train", "--train", train, "--valid", valid, "--resume", tmp.Combine("run"), "--max-steps", "5", "--sample", "0",
            "--batch", "2", "--bptt", "4"]);
        Assert.True(code == 0, error);
        Assert.Contains("model: gru E=4 H=8", output);
        Assert.Contains("resumed at step 3", output);
    }

    /// <summary>The sample after training writes a word prompt as generate does: single spaces, &lt;eos&gt; as the newline the words continue from.</summary>
    [Fact]
    public void Train_WordLevelSample_WritesThePromptAsGenerateDoes()
    {
        using var tmp = new TempDir("cli-word-sample");
        string train = Text(tmp, "train.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat\n", 10)));
        var (code, output, error) = Run(["train", "--corpus", train, "--level", "word", "--max-steps", "2", "--sample", "3", "--temperature", "0",
            "--prompt", "the  cat <eos>", .. Tiny]);
        Assert.True(code == 0, error);
        string sample = output[(output.IndexOf("sample (temperature 0):\n", StringComparison.Ordinal) + "sample (temperature 0):\n".Length)..];
        Assert.StartsWith("the cat\n", sample);
        string next = sample.Split('\n')[1];
        Assert.False(next.StartsWith(' '), next);
        Assert.DoesNotContain("<eos>", sample);
    }

    [Fact]
    public void Train_WordLevelOneCorpus_SplitsByLines_VocabularyFromTheTrainingLinesOnly()
    {
        using var tmp = new TempDir("cli-word-one");
        // 18 training lines, then 2 validation lines with a word ("dog") the training part never has.
        string corpus = Text(tmp, "c.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat\n", 18)) + "the dog sat\nthe dog sat\n");
        var (code, output, error) = Run(["train", "--corpus", corpus, "--level", "word", "--max-steps", "2", "--sample", "0", .. Tiny]);
        Assert.True(code == 0, error);
        Assert.Contains("126 train + 8 valid tokens, vocabulary 7", output);   // 18 × 7 and 2 × 4; <unk> <eos> the cat sat on mat
    }

    [Fact]
    public void Train_BadInputs_FailWithOneLineAndExitCode1()
    {
        using var tmp = new TempDir("cli-bad");
        string bad = tmp.Combine("bad.txt");
        File.WriteAllBytes(bad, [(byte)'a', (byte)'b', 0xFF, (byte)'c']);
        var cases = new (string[] Args, string Message)[]
        {
            (["train", "--corpus", tmp.Combine("missing.txt")], "Text file not found"),
            (["train", "--corpus", Text(tmp, "empty.txt", "")], "the file is empty"),
            (["train", "--corpus", bad], "invalid UTF-8 at byte offset 2"),
            (["train", "--corpus", Text(tmp, "short.txt", "just a few characters")], "short.txt: the training text has 18 tokens, fewer than one window of --batch 32 streams × (--bptt 64 steps + 1 target)"),
            (["train", "--train", Text(tmp, "t.txt", "abc")], "--train and --valid go together"),
            (["train", "--corpus", Text(tmp, "ok.txt", new string('x', 400)), "--resume", tmp.Combine("nothing-here")], "no checkpoint directory"),
            (["train", "--corpus", Text(tmp, "ok2.txt", new string('x', 400)), "--tie-weights", "--embedding", "4", "--hidden", "8"], "--tie-weights shares the embedding table with the output layer, so it needs --embedding = --hidden, got 4 and 8."),
            (["train", "--corpus", Text(tmp, "cat.txt", string.Concat(Enumerable.Repeat("the cat sat. ", 40))), "--lr", "1e38", "--max-steps", "20", .. Tiny],
                "training diverged at step 2"),
            (["train", "--corpus", Text(tmp, "ok3.txt", new string('x', 400)), "--temperature", "-1"], "--temperature must be a number ≥ 0"),
            (["train", "--corpus", Text(tmp, "ok4.txt", new string('x', 400)), "--temperature", "NaN"], "--temperature must be a number ≥ 0"),
            (["train", "--corpus", Text(tmp, "ok5.txt", new string('x', 400)), "--threads", "100000"], "--threads must be in [1, "),
            (["train", "--corpus", Text(tmp, "ok6.txt", new string('x', 400)), "--clip", "NaN"], "--clip must be a number ≥ 0"),
        };
        foreach (var (args, message) in cases)
        {
            var (code, _, error) = Run(args);
            Assert.True(code == 1, $"{string.Join(' ', args)} → exit {code}");
            Assert.StartsWith("error: ", error);
            Assert.Contains(message, error);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Fact]
    public void Train_UnknownOptionValue_IsRejectedByTheParser()
    {
        var (code, _, error) = Run("train", "--cell", "transformer");
        Assert.NotEqual(0, code);
        Assert.Contains("'transformer' not recognized", error);
    }

    [Fact]
    public void EmbeddedCorpus_IsTheEngineSources()
    {
        string text = TrainCorpus.EmbeddedSources();
        Assert.Contains("public sealed partial class Trainer<T>", text);
        Assert.Contains("namespace SeqLearn.Autograd;", text);
        Assert.True(text.Length > 100_000);
    }

    [Fact]
    public void EmbeddedCorpus_HoldsExactlyTheEngineSourceFiles()
    {
        // A name like Trainer.Run.cs ends in a culture name ("run", Rundi): without WithCulture="false" MSBuild makes it a
        // satellite assembly instead of a resource of the CLI, and the corpus silently misses it.
        string engine = Path.Combine(RepoPaths.Root, "Engine");
        var expected = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(engine, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Select(f => TrainCorpus.EmbeddedPrefix + "Engine/" + f).Order(StringComparer.Ordinal).ToList();
        var embedded = typeof(TrainCorpus).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(TrainCorpus.EmbeddedPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(TrainCorpus.EmbeddedPrefix + "Engine/Training/Trainer.Run.cs", expected);
        Assert.Equal(expected, embedded);
    }
}
