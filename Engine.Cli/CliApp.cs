using System.CommandLine;

namespace SeqLearn.Cli;

/// <summary>The <c>seqlearn</c> command: a thin shell over the library's public API.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns the exit code.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// As <see cref="Run(string[])"/>, writing help, results and errors of the commands that support it (<c>train</c>)
    /// to <paramref name="output"/> and <paramref name="error"/> (tests run the CLI in-process this way).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("SeqLearn: train, evaluate and sample sequence models (n-gram and neural).");
        root.Subcommands.Add(NGramCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ForecastCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(TranslateCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
