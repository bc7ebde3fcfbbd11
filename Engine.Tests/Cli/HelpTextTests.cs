using static SeqLearn.Tests.Cli.CliRun;

namespace SeqLearn.Tests.Cli;

/// <summary>What <c>--help</c> says about defaults and inputs that the README and docs rely on.</summary>
public class HelpTextTests
{
    private static string Help(params string[] command)
    {
        var (code, output, error) = Run([.. command, "--help"]);
        Assert.True(code == 0, error);
        // The help wraps long descriptions over several lines: join them to search the text.
        return string.Join(' ', output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    // The README runs 'generate --checkpoint runs/src' and 'eval --checkpoint runs/src' on the run directory of 'train --checkpoint runs/src'.
    [Theory]
    [InlineData("generate")]
    [InlineData("eval")]
    public void LanguageModelCommands_CheckpointHelp_SaysARunDirectoryIsReadFromItsBest(string command) =>
        Assert.Contains("its --checkpoint DIR (DIR/best is read, else DIR/last)", Help(command));

    // Without a stop flag the recurrent classifier trains RecurrentClassifierOptions.DefaultTraining.Epochs epochs (docs/classification.md: 7).
    [Theory]
    [InlineData("cv")]
    [InlineData("train")]
    public void Classify_EpochsHelp_GivesTheRecurrentModelsDefault(string command) =>
        Assert.Contains("rnn: 7 when neither --time-budget nor --max-steps is given.", Help("classify", command));

    // A subcommand's help shows what it takes: translate's sentences are not arguments of eval or train.
    [Theory]
    [InlineData("eval")]
    [InlineData("train")]
    public void TranslateSubcommandHelp_ShowsNotTheParentsSentences(string command)
    {
        string help = Help("translate", command);
        Assert.Contains($" translate {command} [options]", help);
        Assert.DoesNotContain("sentences>", help);
    }

    // --stop-at-end ends a generation at the first line end, and --length still caps it (TextGenerator's maxTokens) when no line ends sooner.
    [Fact]
    public void Generate_StopAtEndHelp_SaysLengthStillCapsTheText() =>
        Assert.Contains("Stop at the end of a line (<eos> or newline), or after --length tokens if no line ends sooner.", Help("generate"));

    // The translate command itself takes them.
    [Fact]
    public void TranslateHelp_ShowsItsSentences() => Assert.Contains(" translate [<sentences>...] [command]", Help("translate"));

    // The overview names every subcommand of classify and translate, not only cv and eval.
    [Fact]
    public void Overview_DescribesEverySubcommandOfClassifyAndTranslate()
    {
        string overview = Help();
        Assert.Contains("cross-validated accuracy of a model (cv), training and saving one (train), classifying sentences with it (predict).", overview);
        Assert.Contains("translate sentences with a trained model (--checkpoint DIR), train one (train), or score a model or baseline", overview);
    }
}
