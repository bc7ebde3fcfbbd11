using System.CommandLine;
using System.Text.Json;
using SeqLearn.Cli;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Translation;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Cli;

public class TranslateCommandTests
{
    // Runs `seqlearn translate ...` in-process through TranslateCommand.Create(), as CliApp would once it registers it.
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand("test") { TranslateCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(["translate", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static string SmallPairs(TempDir dir)
    {
        string[] english = ["Go.", "Hi.", "Run!", "Who?", "Wow!", "Help!", "Jump.", "Stop!", "Wait!", "Hello!", "I see.", "I try."];
        var lines = english.Select((e, i) => $"{e}\tfr{i} {e.ToLowerInvariant()}").Concat(["Go.\tva !", "Go.\tva !", "Hi.\tsalut !"]);
        string path = dir.Combine("pairs.txt");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    [Fact]
    public void Eval_Memory_EndsWithSignatureThenBleu_AndWritesOneLinePerSentence()
    {
        using var dir = new TempDir("translate");
        string pairs = SmallPairs(dir), sentences = dir.Combine("out.tsv");
        var (code, output, error) = Run("eval", "--pairs", pairs, "--split", "test", "--baseline", "memory", "--output", sentences);
        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd().Split('\n');
        Assert.Contains("Split:\ttest, seed 1 (distinct sources: train 9, valid 1, test 2; ", output);
        Assert.StartsWith("nrefs:", lines[^2]);
        Assert.EndsWith("|case:lc|eff:no|tok:d2l-fra-eng+whitespace|smooth:exp|version:seqlearn-1", lines[^2]);
        Assert.Matches(@"^BLEU = \d+\.\d\d \d+\.\d/\d+\.\d/\d+\.\d/\d+\.\d \(BP = \d\.\d{3} ratio = \d+\.\d{3} hyp_len = \d+ ref_len = \d+\)$", lines[^1]);
        string[] rows = File.ReadAllLines(sentences);
        Assert.Equal(2, rows.Length);
        Assert.All(rows, r => Assert.True(r.Split('\t').Length >= 3, r));
        Assert.All(rows, r => Assert.StartsWith("fr", r.Split('\t')[2]));    // first reference: "frN <english>"
    }

    [Fact]
    public void Eval_Json_OneObjectWithTheScore_OnFraEng30kValid()
    {
        var (code, output, error) = Run("eval", "--pairs", FraEng30k.Path, "--split", "valid", "--baseline", "memory", "--json");
        Assert.True(code == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal(20.894486, root.GetProperty("score").GetDouble(), 1e-5);   // as TranslationMemoryTests
        Assert.Equal(1861, root.GetProperty("sentences").GetInt32());
        Assert.Equal(4, root.GetProperty("precisions").GetArrayLength());
        Assert.Equal("nrefs:var|case:lc|eff:no|tok:d2l-fra-eng+whitespace|smooth:exp|version:seqlearn-1", root.GetProperty("signature").GetString());
        Assert.StartsWith("BLEU = 20.89 ", root.GetProperty("verbose_score").GetString());
    }

    [Fact]
    public void Eval_LineWithoutTab_OneLineErrorNamingFileAndLine()
    {
        using var dir = new TempDir("translate-bad");
        string pairs = dir.Combine("bad.txt");
        File.WriteAllText(pairs, "Go.\tVa !\nno tab\n");
        var (code, _, error) = Run("eval", "--pairs", pairs, "--baseline", "memory");
        Assert.Equal(1, code);
        Assert.Equal($"error: {pairs}:2: expected 'source<TAB>target', found no tab in 'no tab'.", error.TrimEnd());
    }

    // A tiny model (E = H = 8, batches of 4) trained on SmallPairs for a few steps on one thread, saved to checkpoint/.
    private static (int Code, string Output, string Error) TrainSmall(string pairs, string checkpoint, string attention, int steps) =>
        Run("train", "--pairs", pairs, "--attention", attention, "--embedding", "8", "--hidden", "8",
            "--batch", "4", "--max-steps", $"{steps}", "--eval-every", "3", "--threads", "1", "--checkpoint", checkpoint);

    // A few steps on a toy corpus: the command trains, reports validation BLEU, translates the test part greedily and with a
    // beam, and its checkpoint translates again through `translate eval --checkpoint` to the same greedy BLEU line.
    [Fact]
    public void Train_ThenEvalCheckpoint_SameGreedyBleu()
    {
        using var dir = new TempDir("translate-train");
        string pairs = SmallPairs(dir), checkpoint = dir.Combine("run");
        var (code, output, error) = TrainSmall(pairs, checkpoint, "luong-general", steps: 6);
        Assert.True(code == 0, error);
        Assert.Contains("valid loss", output);
        Assert.Contains("bleu", output);
        string greedy = output.Split('\n').Single(l => l.StartsWith("test, ", StringComparison.Ordinal) && l.Contains("greedy", StringComparison.Ordinal));
        Assert.Contains("beam 5", output);

        var (code2, output2, error2) = Run("eval", "--pairs", pairs, "--split", "test", "--checkpoint", checkpoint);
        Assert.True(code2 == 0, error2);
        Assert.Equal(greedy[(greedy.IndexOf("BLEU = ", StringComparison.Ordinal))..].TrimEnd(), output2.TrimEnd().Split('\n')[^1].TrimEnd());
        // Another split puts some of the model's training sentences into the scored part: refused.
        var (codeSplit, outputSplit, errorSplit) = Run("eval", "--pairs", pairs, "--split", "test", "--split-seed", "12345", "--checkpoint", checkpoint);
        Assert.Equal(1, codeSplit);
        Assert.Empty(outputSplit);
        Assert.StartsWith($"error: {checkpoint}: the model's vocabularies are not those of the training part of --pairs with --split-seed 12345", errorSplit);

        // `translate --checkpoint DIR SENTENCE…` prints one translation per sentence, the same alone or with others.
        var (code3, output3, error3) = Run("--checkpoint", checkpoint, "Go.", "Help!", "I see.");
        Assert.True(code3 == 0, error3);
        string[] lines = output3.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(lines[1], Run("--checkpoint", checkpoint, "Help!").Output.TrimEnd());

        // The beam's length normalisation is an option, named in the report; a negative α is a one-line error.
        var (code4, output4, error4) = Run("eval", "--pairs", pairs, "--split", "test", "--checkpoint", checkpoint, "--beam", "3",
            "--length-penalty", "0.6", "--length-normalization", "gnmt");
        Assert.True(code4 == 0, error4);
        Assert.Contains("beam 3, length normalisation gnmt α = 0.6", output4);
        var (code5, _, error5) = Run("--checkpoint", checkpoint, "--beam", "3", "--length-penalty", "-1", "Go.");
        Assert.Equal(1, code5);
        Assert.Equal("error: --length-penalty must be a finite number ≥ 0, got -1.", error5.TrimEnd());

        // fairseq's length options: M = ⌊a·n + b⌋ output tokens (⟨eos⟩ included) and a shortest output, named in the report.
        var (codeMax, outputMax, errorMax) = Run("--checkpoint", checkpoint, "--max-len-a", "0", "--max-len-b", "1", "Go.", "I see.", "Help!");
        Assert.True(codeMax == 0, errorMax);
        Assert.All(outputMax.TrimEnd().Split('\n'), l => Assert.True(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 1, l));
        // A sentence longer than --max-source-tokens is refused by its number before the checkpoint is read.
        var (codeLong, outputLong, errorLong) = Run("--checkpoint", checkpoint + "-missing", "--max-source-tokens", "3", "Go.", "one two three four");
        Assert.Equal(1, codeLong);
        Assert.Empty(outputLong);
        Assert.Equal("error: sentence 2 of 2 has 4 tokens, more than --max-source-tokens 3: decoding takes time in proportion to its length " +
                     "times the output's; split it or raise --max-source-tokens.", errorLong.TrimEnd());
        var (codeEval, outputEval, errorEval) = Run("eval", "--pairs", pairs, "--split", "test", "--checkpoint", checkpoint,
            "--max-len-a", "1.5", "--max-len-b", "3", "--min-len", "1", "--no-repeat-ngram-size", "2");
        Assert.True(codeEval == 0, errorEval);
        Assert.Contains("greedy, max length ⌊1.5·n + 3⌋, min length 1, no repeated 2-grams", outputEval);

        // --resume continues with the checkpoint's model (no model option repeated); a different one is refused.
        var (code6, output6, error6) = Run("train", "--pairs", pairs, "--resume", checkpoint, "--batch", "4", "--max-steps", "9", "--eval-every", "3", "--threads", "1");
        Assert.True(code6 == 0, error6);
        Assert.Contains("E=8 H=8", output6);
        Assert.Contains("after 9 steps", output6);
        var (code7, output7, error7) = Run("train", "--pairs", pairs, "--resume", checkpoint, "--hidden", "16", "--batch", "4", "--max-steps", "9");
        Assert.Equal(1, code7);
        Assert.Equal("error: --hidden 16 conflicts with --resume: the checkpoint's model has --hidden 8 (drop --hidden).", error7.TrimEnd());
        Assert.Empty(output7);
    }

    [Fact]
    public void ModelWithoutAttention_AttentionPlotAndReplaceUnk_AreOneLineErrors_AndResumeOnOtherWordsIsRefused()
    {
        using var dir = new TempDir("translate-no-attention");
        string pairs = SmallPairs(dir), checkpoint = dir.Combine("run");
        var (code, _, error) = TrainSmall(pairs, checkpoint, "none", steps: 3);
        Assert.True(code == 0, error);

        // Without attention the decoders report all-zero weights: nothing to draw, no source word to copy.
        var (code2, output2, error2) = Run("--checkpoint", checkpoint, "--attention-plot", dir.Combine("a.png"), "Go.");
        Assert.Equal(1, code2);
        Assert.Contains("has no attention to draw", error2);
        Assert.False(File.Exists(dir.Combine("a.png")));
        var (code3, _, error3) = Run("--checkpoint", checkpoint, "--replace-unk", "Go.");
        Assert.Equal(1, code3);
        Assert.StartsWith("error: --replace-unk: the model in ", error3);
        Assert.Equal(0, Run("--checkpoint", checkpoint, "Go.").Code);

        // The same number of words is not the same words: the weights belong to the checkpoint's token ids.
        string other = dir.Combine("other.txt");
        File.WriteAllText(other, File.ReadAllText(pairs).Replace("Go.", "Zz.", StringComparison.Ordinal).Replace("fr0", "xx9", StringComparison.Ordinal));
        var (code4, output4, error4) = Run("train", "--pairs", other, "--resume", checkpoint, "--batch", "4", "--max-steps", "6", "--threads", "1");
        Assert.Equal(1, code4);
        Assert.Contains("hold other words than those built from --pairs", error4);
        Assert.Empty(output4);
    }

    [Fact]
    public void Eval_NeitherBaselineNorCheckpoint_IsAOneLineError()
    {
        using var dir = new TempDir("translate-none");
        var (code, _, error) = Run("eval", "--pairs", SmallPairs(dir), "--split", "test");
        Assert.Equal(1, code);
        Assert.StartsWith("error: give either --baseline NAME or --checkpoint DIR", error);
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("train")]
    public void SentencesBeforeASubcommand_AreRefused_NotDropped(string subcommand)
    {
        using var dir = new TempDir("translate-sentences-sub");
        string[] options = subcommand == "eval" ? ["--baseline", "memory"] : ["--max-steps", "1", "--checkpoint", dir.Combine("ck")];
        var (code, output, error) = Run(["Hello", subcommand, "--pairs", SmallPairs(dir), .. options]);
        Assert.Equal(1, code);
        Assert.DoesNotContain("BLEU = ", output);
        Assert.StartsWith($"'translate {subcommand}' takes no sentences, got 1 before '{subcommand}' ('Hello')", error);
    }

    [Fact]
    public void TooFewDistinctSentences_NamesThePairsFile()
    {
        using var dir = new TempDir("translate-few");
        string pairs = dir.Combine("few.txt");
        File.WriteAllLines(pairs, ["Go.\tVa !", "Go.\tBouge !", "Hi.\tSalut !"]);
        foreach (string[] args in new[] { new[] { "eval", "--pairs", pairs, "--baseline", "memory" }, ["train", "--pairs", pairs, "--max-steps", "1", "--checkpoint", dir.Combine("ck")] })
            Assert.Equal($"error: --pairs {pairs}: 2 distinct English sentences in 3 pairs; the 80/10/10 split by distinct sentence needs at least 10.",
                CliRun.AssertOneErrorLine(Run(args), "--pairs"));
    }

    [Fact]
    public void Train_LongValidationPair_IsRefusedByItsLine_BeforeTraining()
    {
        // One pair of 20,000 words among short ones, placed in the validation part: its batches need terabytes of attention values.
        using var dir = new TempDir("translate-long-valid");
        string pairs = SmallPairs(dir);
        string[] shortLines = File.ReadAllLines(pairs);
        File.WriteAllLines(pairs, [.. shortLines, "Long " + string.Join(' ', Enumerable.Repeat("word", 20_000)) + "\t" + string.Join(' ', Enumerable.Repeat("mot", 20_000))]);
        var read = ParallelCorpus.Read(pairs);
        ulong seed = Enumerable.Range(1, 500).Select(k => (ulong)k)
            .First(k => TranslationSplit.Create(read, k).Valid.Any(e => e.Source.StartsWith("long", StringComparison.OrdinalIgnoreCase)));
        var r = Run("train", "--pairs", pairs, "--split-seed", $"{seed}", "--max-steps", "1", "--checkpoint", dir.Combine("ck"));
        string line = CliRun.AssertOneErrorLine(r, pairs);
        Assert.Contains($"the longest source, line {shortLines.Length + 1}, has 20,002 tokens", line);
        Assert.EndsWith("remove or split the long pairs.", line);
        Assert.False(Directory.Exists(Path.Combine(dir.Combine("ck"), "last")));
    }

    // SmallPairs plus one pair whose source has 2,000 tokens, and a split seed that puts that source in the test part.
    private static (string Pairs, int Line, ulong Seed) LongTestPair(TempDir dir)
    {
        string pairs = SmallPairs(dir);
        string[] shortLines = File.ReadAllLines(pairs);
        File.WriteAllLines(pairs, [.. shortLines, string.Join(' ', Enumerable.Repeat("word", 1_999)) + " .\tmot ."]);
        var read = ParallelCorpus.Read(pairs);
        ulong seed = Enumerable.Range(1, 500).Select(k => (ulong)k)
            .First(k => TranslationSplit.Create(read, k).Test.Any(e => e.Source.StartsWith("word", StringComparison.Ordinal)));
        return (pairs, shortLines.Length + 1, seed);
    }

    [Fact]
    public void Train_TestSourceLongerThanMaxSourceTokens_IsRefusedByItsLine_BeforeTraining()
    {
        using var dir = new TempDir("translate-long-test");
        var (pairs, line, seed) = LongTestPair(dir);
        string checkpoint = dir.Combine("ck");
        var r = Run("train", "--pairs", pairs, "--split-seed", $"{seed}", "--embedding", "8", "--hidden", "8", "--max-steps", "1", "--checkpoint", checkpoint);
        Assert.Equal($"error: {pairs}:{line}: the test source has 2,000 tokens, more than --max-source-tokens 1024: decoding takes time in " +
                     "proportion to its length times the output's; remove or split the pair or raise --max-source-tokens.", CliRun.AssertOneErrorLine(r, pairs));
        Assert.Empty(r.Output);
        Assert.False(Directory.Exists(checkpoint));
        // The limit is an option: raised above the source's length, the run trains and decodes the test part.
        var ok = Run("train", "--pairs", pairs, "--split-seed", $"{seed}", "--embedding", "8", "--hidden", "8", "--batch", "4",
            "--max-steps", "1", "--threads", "1", "--max-source-tokens", "2000");
        Assert.True(ok.Code == 0, ok.Error);
        Assert.Contains("test, ", ok.Output);
        Assert.Equal("error: --max-source-tokens must be ≥ 1, got 0.",
            CliRun.AssertOneErrorLine(Run("train", "--pairs", pairs, "--max-source-tokens", "0", "--max-steps", "1"), "--max-source-tokens"));
    }

    [Fact]
    public void EvalCheckpoint_SourceLongerThanMaxSourceTokens_IsRefusedByItsLine_BeforeTheModelIsRead()
    {
        using var dir = new TempDir("translate-long-eval");
        var (pairs, line, seed) = LongTestPair(dir);
        string missing = dir.Combine("no-such-checkpoint");   // never opened: the lengths are checked first
        var r = Run("eval", "--pairs", pairs, "--split", "test", "--split-seed", $"{seed}", "--checkpoint", missing);
        Assert.Equal($"error: {pairs}:{line}: the test source has 2,000 tokens, more than --max-source-tokens 1024: decoding takes time in " +
                     "proportion to its length times the output's; remove or split the pair or raise --max-source-tokens.", CliRun.AssertOneErrorLine(r, pairs));
        Assert.Empty(r.Output);
        // The valid part has no long source: it gets as far as reading the checkpoint.
        Assert.DoesNotContain("--max-source-tokens", Run("eval", "--pairs", pairs, "--split", "valid", "--split-seed", $"{seed}", "--checkpoint", missing).Error);
        // A baseline decodes nothing: the option is refused with it.
        CliRun.AssertOneErrorLine(Run("eval", "--pairs", pairs, "--baseline", "memory", "--max-source-tokens", "5"), "--max-source-tokens applies to a model's decoding");
    }
}
