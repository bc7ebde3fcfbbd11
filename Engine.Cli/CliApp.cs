using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using SeqLearn.Kernels;

namespace SeqLearn.Cli;

/// <summary>The <c>seqlearn</c> command: a thin shell over the library's public API.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen command and returns the exit code.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// As <see cref="Run(string[])"/>, writing help, results and errors of every command to <paramref name="output"/> and
    /// <paramref name="error"/> (tests run the CLI in-process this way).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, null, output, error);

    /// <summary>
    /// As <see cref="Run(string[], TextWriter, TextWriter)"/>, the commands that read sentences from standard input
    /// reading the bytes of <paramref name="input"/> instead (null: the process's standard input).
    /// </summary>
    public static int Run(string[] args, Stream? input, TextWriter output, TextWriter error)
    {
        Stream? outer = s_input.Value;
        s_input.Value = input;
        try { return RunCommand(args, output, error); }
        finally { s_input.Value = outer; }
    }

    // The input of the current Run call (per async flow, so tests running the CLI in parallel each have their own).
    private static readonly AsyncLocal<Stream?> s_input = new();

    /// <summary>The bytes the running command reads as standard input.</summary>
    internal static Stream StandardInput => s_input.Value ?? Console.OpenStandardInput();

    private static int RunCommand(string[] args, TextWriter output, TextWriter error)
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
        OptionParsing.Apply(root);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new CommandOnlyHelp((HelpAction)help.Action!);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
        {   // one line, as every other failure: the parser's messages name the option or argument
            error.WriteLine($"error: {FlagGivenAnotherValue(parse) ?? string.Join(" ", parse.Errors.Select(Describe))} (see --help)");
            return 1;
        }
        if (!args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
        {   // SEQLEARN_ISA is read once per process: a bad value is one line before any work, not a stack trace mid-run
            try { KernelEnvironment.Validate(); }
            catch (InvalidOperationException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    // A parse error in one line, prefixed with the option it belongs to when the parser's message does not name it. A value
    // a numeric option cannot parse is described by the option and the range of its type, not by .NET's type name.
    private static string Describe(ParseError e)
    {
        var option = e.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        if (option is not null && NotANumber(option, e.SymbolResult!.Tokens) is { } numeric) return numeric;
        string message = string.Join(' ', e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.') + ".";
        return option is null || message.Contains(option.Name, StringComparison.Ordinal) ? message : $"{option.Name}: {message}";
    }

    // --help of a subcommand without its parent's arguments: the parser's help lists them in the usage line and under
    // Arguments ("translate [<sentences>...] eval"), yet no subcommand takes them (translate refuses sentences before one).
    private sealed class CommandOnlyHelp(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parse)
        {
            foreach (Command parent in parse.CommandResult.Command.Parents.OfType<Command>())
                foreach (Argument argument in parent.Arguments) argument.Hidden = true;   // the tree is built anew for each run
            return help.Invoke(parse);
        }
    }

    // A flag (a bool option) followed by a value other than true or false ("--bidirectional no", "--json=yes"): the parser
    // reads the flag alone and leaves the value unmatched, with a message naming no option; this one names the flag.
    private static string? FlagGivenAnotherValue(ParseResult parse)
    {
        IReadOnlyList<Token> tokens = parse.Tokens;
        var flags = parse.CommandResult.Command.Options.OfType<Option<bool>>();
        for (int i = 0; i + 1 < tokens.Count; i++)
            if (tokens[i].Type == TokenType.Option && tokens[i + 1] is { Type: TokenType.Argument } value && parse.UnmatchedTokens.Contains(value.Value)
                && flags.FirstOrDefault(f => f.Name == tokens[i].Value || f.Aliases.Contains(tokens[i].Value)) is { } flag)
                return $"{flag.Name} is a flag: give it alone or with true or false, not '{value.Value}'.";
        return null;
    }

    // "--seed: '-1' is not a whole number in [0, 18446744073709551615]." for the first token of a numeric option that does not
    // parse as its type (the option's own range, if narrower, is checked by its command); null for any other option or error.
    private static string? NotANumber(Option option, IReadOnlyList<Token> tokens)
    {
        Type type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var c = CultureInfo.InvariantCulture;
        (Func<string, bool> parses, string what)? kind =
            type == typeof(int) ? (t => int.TryParse(t, c, out _), $"a whole number in [{int.MinValue}, {int.MaxValue}]")
            : type == typeof(long) ? (t => long.TryParse(t, c, out _), $"a whole number in [{long.MinValue}, {long.MaxValue}]")
            : type == typeof(ulong) ? (t => ulong.TryParse(t, c, out _), $"a whole number in [0, {ulong.MaxValue}]")
            : type == typeof(uint) ? (t => uint.TryParse(t, c, out _), $"a whole number in [0, {uint.MaxValue}]")
            : type == typeof(double) ? (t => double.TryParse(t, NumberStyles.Float, c, out _), "a number")
            : type == typeof(float) ? (t => float.TryParse(t, NumberStyles.Float, c, out _), "a number")
            : null;
        if (kind is not { } k) return null;
        foreach (Token token in tokens)
            if (token.Type == TokenType.Argument && !k.parses(token.Value))
                return $"{option.Name}: '{token.Value}' is not {k.what}{(token.Value.Contains(',') ? " (the decimal separator is a point, and digits are not grouped)" : "")}.";
        return null;
    }
}
