using SeqLearn.Cli;

namespace SeqLearn.Tests.Cli;

/// <summary>Runs the <c>seqlearn</c> CLI in process.</summary>
internal static class CliRun
{
    /// <summary>The exit code and what the command wrote to standard output and standard error.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
