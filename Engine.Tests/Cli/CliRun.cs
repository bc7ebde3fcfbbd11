using System.Text.RegularExpressions;
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

    /// <summary>As <see cref="Run"/>, with <paramref name="input"/> as the bytes of standard input.</summary>
    public static (int Code, string Output, string Error) RunWithInput(byte[] input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, new MemoryStream(input), output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Checks that a run failed as the CLI promises: exit 1 and exactly one <c>error:</c> line on standard error that contains
    /// <paramref name="mustContain"/> and names no exception type, with no stack trace anywhere; returns that line.
    /// </summary>
    public static string AssertOneErrorLine((int Code, string Output, string Error) r, string mustContain)
    {
        string[] lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(r.Code == 1, $"exit {r.Code}; stdout: {r.Output}; stderr: {r.Error}");
        Assert.True(lines.Length == 1, $"{lines.Length} stderr lines:\n{r.Error}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", r.Error + r.Output);
        Assert.DoesNotContain("Exception", lines[0]);
        Assert.DoesNotContain("'System.", lines[0]);   // a .NET type name, e.g. of an option's value
        Assert.DoesNotContain("(Parameter '", lines[0]);   // .NET's suffix names a parameter the user never passed
        Assert.DoesNotMatch(TypeName, lines[0]);   // a library type, e.g. "BpttBatcher: ", where the user gave options
        return lines[0];
    }

    /// <summary>A CamelCase type name (optionally with a member, <c>Checkpoint.Save</c>) followed by a colon, not part of a path.</summary>
    public static readonly Regex TypeName = new(@"(?<![\w/.-])[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)?: ");
}
