using System.CommandLine;
using System.Text.RegularExpressions;
using SeqLearn.Checkpoints;
using SeqLearn.NGrams;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Cli;

/// <summary>
/// Turns expected failures (bad files, bad options, tiny data, a diverged training run, a checkpoint that cannot resume
/// this run) into one line on stderr and exit code 1, never a stack trace.
/// </summary>
internal static partial class CliGuard
{
    public static int Run(Func<int> action) => Run(Console.Error, action);

    /// <summary>Runs <paramref name="action"/>; an expected failure is written to <paramref name="error"/> as <c>error: message</c>.</summary>
    public static int Run(TextWriter error, Func<int> action)
    {
        try { return action(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TextFormatException or ArpaFormatException
                                      or NGramEstimationException or CheckpointFormatException or FormatException or ArgumentException
                                      or TrainingDivergedException or IncompatibleCheckpointException or InvalidDataException)
        {
            error.WriteLine(Describe(e));
            return 1;
        }
        catch (Exception e) when (e is OverflowException or OutOfMemoryException)
        {
            error.WriteLine(Describe(e));
            return 1;
        }
    }

    /// <summary>
    /// The one <c>error:</c> line for the last-resort failures: a size that overflowed or memory that ran out. Inputs and
    /// options are checked before allocating, so reaching this means a check is missing; the line still names what happened.
    /// </summary>
    public static string Describe(Exception e) => e switch
    {
        OutOfMemoryException => $"error: out of memory ({OneLine(e.Message).TrimEnd('.')}); the input or the options need more memory than is available.",
        OverflowException => $"error: a size computed from the input or the options is too large ({OneLine(e.Message).TrimEnd('.')}).",
        _ => $"error: {OneLine(e.Message)}",
    };

    /// <summary>True when <paramref name="option"/> was given on the command line, not merely defaulted.</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>
    /// <c>--name value</c> of a choice option as the command runs with it, marked "(the default)" when not given: the
    /// context a refusal of another option names.
    /// </summary>
    public static string Chosen(ParseResult parse, Option<string> option) =>
        $"{option.Name} {parse.GetValue(option)}{(Given(parse, option) ? "" : " (the default)")}";

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> for the first of <paramref name="options"/> given on the command line,
    /// with the message <paramref name="message"/> makes of its name: under the other options chosen it would have no
    /// effect, and an option must never be silently ignored.
    /// </summary>
    public static void RefuseIfGiven(ParseResult parse, Func<string, string> message, params Option[] options)
    {
        foreach (Option o in options)
            if (Given(parse, o)) throw new ArgumentException(message(o.Name));
    }

    /// <summary>
    /// The message of a library's <paramref name="e"/> for a line that names the option or file it came from: without the
    /// " (Parameter 'name')" .NET appends and without the leading operation or type the library names (e.g.
    /// <c>CharVocabulary.Encode: </c>, <c>LanguageModelConfig: </c>): the user gave neither.
    /// </summary>
    public static string MessageForUser(ArgumentException e) => LibraryOperation().Replace(WithoutParameter(e), "", 1);

    /// <summary>
    /// The message of <paramref name="e"/> without the " (Parameter 'name')" .NET appends, for a message that begins with
    /// what the user gave (a path such as <c>Runs: …</c>, which <see cref="MessageForUser"/> would take for a library type).
    /// </summary>
    public static string WithoutParameter(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>
    /// <see cref="MemoryBudget.EnsureTrainingFits"/> for a line of the CLI: its message, which names the model by
    /// <paramref name="what"/>, without .NET's parameter suffix.
    /// </summary>
    public static void EnsureTrainingFits(long parameters, int bytesPerValue, string what, long activationValues = 0)
    {
        try { MemoryBudget.EnsureTrainingFits(parameters, bytesPerValue, what, activationValues); }
        catch (ArgumentException e) { throw new ArgumentException(MessageForUser(e), e); }
    }

    [GeneratedRegex(@"^[A-Z]\w*(<T>)?(\.[A-Z]\w*)?: ")]
    private static partial Regex LibraryOperation();

    // A message with line breaks (an ArgumentOutOfRangeException's "Actual value was …") is joined into one line.
    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
