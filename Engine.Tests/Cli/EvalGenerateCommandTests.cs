using SeqLearn.Cli;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Text;
using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

public class EvalGenerateCommandTests
{
    private static (TempDir Dir, string Checkpoint, string Corpus) CharSetup()
    {
        var dir = new TempDir("cli-gen");
        const string text = "the cat sat on the mat\nthe dog sat on the log\n";
        var vocab = CharVocabulary.Build(text);
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(3));
        LanguageModelCheckpoint.Save(dir.Combine("ckpt"), model, vocab);
        File.WriteAllText(dir.Combine("c.txt"), text);
        return (dir, dir.Combine("ckpt"), dir.Combine("c.txt"));
    }

    [Fact]
    public void Eval_Checkpoint_PrintsTheReport()
    {
        var (dir, ckpt, corpus) = CharSetup();
        using var _ = dir;
        var (code, output, error) = Run("eval", "--checkpoint", ckpt, "--corpus", corpus, "--batch", "2", "--steps", "5");
        Assert.True(code == 0, error);
        foreach (string line in new[] { "Loss (nats/token):", "Perplexity including OOVs:", "Bits per character:", "Tokens:\t46", "Sentences:\t2" })
            Assert.Contains(line, output);
    }

    /// <summary>--stepper scores the same stream as the batched path at B = 1 in one window (same loss to the printed digits); --int8 scores the quantised model.</summary>
    [Fact]
    public void Eval_Stepper_AndInt8_PrintTheReport()
    {
        var (dir, ckpt, corpus) = CharSetup();
        using var _ = dir;
        string Loss(string output) => output.Split('\n').Single(l => l.StartsWith("Loss (nats/token):", StringComparison.Ordinal));
        var batched = Run("eval", "--checkpoint", ckpt, "--corpus", corpus, "--batch", "1", "--steps", "1000");
        var stepped = Run("eval", "--checkpoint", ckpt, "--corpus", corpus, "--stepper");
        var int8 = Run("eval", "--checkpoint", ckpt, "--corpus", corpus, "--int8");
        Assert.True(stepped.Code == 0 && int8.Code == 0, stepped.Error + int8.Error);
        Assert.Equal(Loss(batched.Output), Loss(stepped.Output));
        Assert.Contains("Int8 matrices", int8.Output);
        Assert.Contains("Tokens:\t46", int8.Output);
    }

    [Fact]
    public void Eval_Arpa_PrintsTheSameReport()
    {
        using var dir = new TempDir("cli-arpa");
        string corpus = dir.Combine("c.txt");
        File.WriteAllText(corpus, "a b c\nb c a\n");
        Assert.Equal(0, Run("ngram", "train", "--corpus", corpus, "--arpa", dir.Combine("m.arpa"), "--order", "2", "--smoothing", "addk").Code);
        var (code, output, error) = Run("eval", "--arpa", dir.Combine("m.arpa"), "--corpus", corpus);
        Assert.True(code == 0, error);
        Assert.Contains("Loss (nats/token):", output);
        Assert.Contains("Tokens:\t8", output);
    }

    [Fact]
    public void NGramEval_MaximumLikelihoodUnseenBigram_PrintsInfinitePerplexity()
    {
        using var dir = new TempDir("cli-ngram-mle");
        string corpus = dir.Combine("c.txt"), test = dir.Combine("t.txt"), arpa = dir.Combine("m.arpa");
        File.WriteAllText(corpus, "a b c\nb c a\n");
        File.WriteAllText(test, "a b c\nc b\n");   // "c b" was never seen: probability 0 under maximum likelihood
        Assert.Equal(0, Run("ngram", "train", "--corpus", corpus, "--arpa", arpa, "--order", "2", "--smoothing", "mle").Code);
        var ngram = Run("ngram", "eval", "--arpa", arpa, "--corpus", test, "--sentences");
        Assert.True(ngram.Code == 0, ngram.Error);
        Assert.Contains("\nTotal: -inf OOV: 0\n", ngram.Output);
        Assert.Contains("Perplexity including OOVs:\tinf\n", ngram.Output);
        Assert.Contains("Total log10 prob:\t-inf\n", ngram.Output);
        Assert.Contains("Bits per token:\tinf\n", ngram.Output);
        var eval = Run("eval", "--arpa", arpa, "--corpus", test);
        Assert.True(eval.Code == 0, eval.Error);
        Assert.Contains("Loss (nats/token):\tinf\n", eval.Output);
        Assert.Contains("Perplexity including OOVs:\tinf\n", eval.Output);
        Assert.DoesNotContain("E+", ngram.Output + eval.Output);
    }

    [Fact]
    public void NGram_TrainEvalGenerate_WriteToTheGivenOutput()
    {
        using var dir = new TempDir("cli-ngram-output");
        string corpus = dir.Combine("c.txt"), arpa = dir.Combine("m.arpa");
        File.WriteAllText(corpus, "a b c\nb c a\n");
        var train = Run("ngram", "train", "--corpus", corpus, "--arpa", arpa, "--order", "2", "--smoothing", "wb");
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains($"wrote {arpa}", train.Output);
        var eval = Run("ngram", "eval", "--arpa", arpa, "--corpus", corpus, "--sentences");
        Assert.True(eval.Code == 0, eval.Error);
        Assert.Contains("Perplexity including OOVs:", eval.Output);
        Assert.Contains("Tokens:\t8", eval.Output);
        var generate = Run("ngram", "generate", "--arpa", arpa, "--count", "3", "--max-tokens", "5");
        Assert.True(generate.Code == 0, generate.Error);
        Assert.Equal(3, generate.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Generate_SameSeed_SameText_AndBeamPrintsWidthResults()
    {
        var (dir, ckpt, _) = CharSetup();
        using var _ = dir;
        var a = Run("generate", "--checkpoint", ckpt, "--prompt", "the", "--length", "30", "--temperature", "0.7", "--top-k", "5", "--seed", "9");
        var b = Run("generate", "--checkpoint", ckpt, "--prompt", "the", "--length", "30", "--temperature", "0.7", "--top-k", "5", "--seed", "9");
        Assert.True(a.Code == 0, a.Error);
        Assert.Equal(a.Output, b.Output);
        Assert.StartsWith("the", a.Output);
        foreach (string threads in new[] { "1", "2", "3" })   // one thread; two roles per step; a third thread idle
        {
            var t = Run("generate", "--checkpoint", ckpt, "--prompt", "the", "--length", "30", "--temperature", "0.7", "--top-k", "5", "--seed", "9", "--threads", threads);
            Assert.True(t.Code == 0, t.Error);
            Assert.Equal(a.Output, t.Output);
        }
        var beam = Run("generate", "--checkpoint", ckpt, "--prompt", "the", "--length", "6", "--beam", "3");
        Assert.True(beam.Code == 0, beam.Error);
        Assert.Contains("[3] log P = ", beam.Output);
        Assert.DoesNotContain("[4]", beam.Output);
        var int8 = Run("generate", "--checkpoint", ckpt, "--prompt", "the", "--length", "30", "--int8", "--seed", "9");
        Assert.True(int8.Code == 0, int8.Error);
        Assert.StartsWith("the", int8.Output);
    }

    [Fact]
    public void Eval_TextTheModelCannotScore_NamesTheFileAndLine()
    {
        var (dir, ckpt, _) = CharSetup();
        using var owned = dir;
        // A character outside the vocabulary (no <unk>): file and line, the code point.
        File.WriteAllText(dir.Combine("euro.txt"), "the cat\nthe mat€\n");
        var (code, _, error) = Run("eval", "--checkpoint", ckpt, "--corpus", dir.Combine("euro.txt"));
        Assert.Equal(1, code);
        Assert.Equal($"error: {dir.Combine("euro.txt")}:2: character U+20AC '€' is not in the model's vocabulary (it has no <unk>).", error.TrimEnd());
        // A model whose vocabulary has no newline cannot score several lines (it would join them), nor one character
        // (the first is only context: nothing is left to score).
        var vocab = CharVocabulary.Build("the cat sat");
        LanguageModelCheckpoint.Save(dir.Combine("oneline"), new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 8, 1), new SeededRng(3)), vocab);
        File.WriteAllText(dir.Combine("lines.txt"), "the cat\nsat\n");
        (code, _, error) = Run("eval", "--checkpoint", dir.Combine("oneline"), "--corpus", dir.Combine("lines.txt"));
        Assert.Equal(1, code);
        Assert.Contains("2 lines, but the model's vocabulary has no newline", error);
        File.WriteAllText(dir.Combine("one.txt"), "t");
        (code, _, error) = Run("eval", "--checkpoint", dir.Combine("oneline"), "--corpus", dir.Combine("one.txt"));
        Assert.Equal(1, code);
        Assert.Contains("nothing to score", error);
    }

    [Fact]
    public void Train_CrlfCorpus_LearnsNoCarriageReturn_AndLevelConflictsWithResume()
    {
        // CRLF line ends are read as LF, as eval reads the text by lines: a character model never learns '\r'.
        using var dir = new TempDir("cli-crlf");
        string text = string.Concat(Enumerable.Repeat("the cat sat on the mat\r\nthe dog sat on the log\r\n", 40));
        File.WriteAllText(dir.Combine("crlf.txt"), text);
        var (code, output, error) = Run("train", "--corpus", dir.Combine("crlf.txt"), "--embedding", "4", "--hidden", "8", "--batch", "2", "--bptt", "8",
            "--max-steps", "2", "--eval-every", "2", "--sample", "0", "--threads", "1", "--checkpoint", dir.Combine("run"));
        Assert.True(code == 0, error);
        var loaded = LanguageModelCheckpoint.Load(Path.Combine(dir.Combine("run"), "last"));
        Assert.False(loaded.Vocabulary.TryGetId("\r", out _));
        Assert.True(loaded.Vocabulary.TryGetId("\n", out _));

        (code, _, error) = Run("train", "--corpus", dir.Combine("crlf.txt"), "--level", "word", "--resume", dir.Combine("run"), "--max-steps", "4");
        Assert.Equal(1, code);
        Assert.Equal("error: --level word conflicts with --resume: the checkpoint's model has --level char (drop --level).", error.TrimEnd());
    }

    [Theory]
    [InlineData("generate", "--checkpoint", "MISSING")]
    [InlineData("generate", "--checkpoint", "CKPT", "--top-p", "1.5")]
    [InlineData("generate", "--checkpoint", "CKPT", "--temperature", "-1")]
    [InlineData("generate", "--checkpoint", "CKPT", "--prompt", "xyz€")]
    [InlineData("eval", "--corpus", "CORPUS")]
    [InlineData("eval", "--checkpoint", "CORPUS", "--corpus", "CORPUS")]
    public void BadInput_OneLineError_NonZeroExit(params string[] args)
    {
        var (dir, ckpt, corpus) = CharSetup();
        using var _ = dir;
        string[] real = args.Select(a => a switch { "CKPT" => ckpt, "CORPUS" => corpus, "MISSING" => dir.Combine("missing"), _ => a }).ToArray();
        var (code, output, error) = Run(real);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>
    /// A prompt character outside the vocabulary is an option error with no .NET parameter suffix; a carriage return is
    /// named by its code point, not written out (it would move the cursor back over the line).
    /// </summary>
    [Fact]
    public void Generate_PromptOutsideTheVocabulary_OneCleanLine()
    {
        var (dir, ckpt, _) = CharSetup();
        using var _ = dir;
        Assert.Equal("error: --prompt: Character U+000D is not in the vocabulary and it has no <unk>.",
            AssertOneErrorLine(Run("generate", "--checkpoint", ckpt, "--prompt", "the\r\ncat"), "U+000D"));
        Assert.Equal("error: --prompt: Character '€' (U+20AC) is not in the vocabulary and it has no <unk>.",
            AssertOneErrorLine(Run("generate", "--checkpoint", ckpt, "--prompt", "the €"), "U+20AC"));
        Assert.DoesNotContain("(Parameter", AssertOneErrorLine(Run("generate", "--checkpoint", ckpt, "--prompt", "a\uD800b"), "lone UTF-16 surrogate U+D800"));
        Assert.DoesNotContain("(Parameter", AssertOneErrorLine(Run("train", "--corpus", dir.Combine("c.txt"), "--prompt", "a\uD800b", "--max-steps", "1"),
            "--prompt: the text holds a lone UTF-16 surrogate"));
    }

    [Fact]
    public void Generate_CheckpointThatIsAFile_SaysSo()
    {
        using var dir = new TempDir("cli-generate-file");
        string file = dir.Combine("corpus.txt");
        File.WriteAllText(file, "some text\n");
        Assert.Equal($"error: {file} is a file, not a checkpoint directory (one that holds checkpoint.json).",
            AssertOneErrorLine(Run("generate", "--checkpoint", file), "is a file"));
    }
}
