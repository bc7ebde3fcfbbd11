using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SeqLearn.Text;

namespace SeqLearn.Cli;

/// <summary>
/// The sentences of <c>classify predict</c> and <c>translate</c>: the arguments, else each non-blank line of standard
/// input, read as strict UTF-8 (<see cref="TextFile.ReadAllText(Stream, string)"/>: a BOM skipped, invalid bytes an error
/// naming standard input and the line). A blank argument, or input without a non-blank line, is refused.
/// </summary>
internal static class SentenceInput
{
    /// <summary>The name errors give standard input.</summary>
    public const string StandardInputName = "standard input";

    /// <summary>Checks that each argument holds a sentence; <paramref name="verb"/> says what is done with them ("classify").</summary>
    /// <exception cref="ArgumentException">An argument is empty or only white space.</exception>
    public static void EnsureNotBlank(string[] arguments, string verb)
    {
        for (int i = 0; i < arguments.Length; i++)
            if (arguments[i].Trim().Length == 0)
                throw new ArgumentException($"sentence argument {i + 1} of {arguments.Length} is {(arguments[i].Length == 0 ? "empty" : "blank")}: give a sentence to {verb}.");
    }

    /// <summary>
    /// The sentences of <paramref name="sentences"/> in <paramref name="parse"/>, read as <see cref="Read(string[], string)"/>
    /// does. An argument that looks like an option (<c>--input</c>, <c>-x</c>: a leading '-', no space, not a number) is
    /// refused unless it follows <c>--</c>: the parser hands unknown options to the sentences, and a mistyped option would
    /// otherwise be classified or translated as text.
    /// </summary>
    public static string[] Read(ParseResult parse, Argument<string[]> sentences, string verb)
    {
        string[]? arguments = parse.GetValue(sentences);
        if (arguments is { Length: > 0 } && !parse.Tokens.Any(t => t.Type == TokenType.DoubleDash))
            foreach (string a in arguments)
                if (a.Length > 1 && a[0] == '-' && !a.Any(char.IsWhiteSpace) && !double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    throw new ArgumentException($"'{a}' is not an option of '{CommandPath(parse.CommandResult)}'; to {verb} a sentence that starts with '-', give it after '--'.");
        return Read(arguments, verb);
    }

    // "classify predict": the command's name after its parents' (the root's left out).
    private static string CommandPath(CommandResult result) =>
        result.Parent is CommandResult { Parent: not null } parent ? $"{CommandPath(parent)} {result.Command.Name}" : result.Command.Name;

    /// <summary>The arguments when there are any (checked by <see cref="EnsureNotBlank"/>), else the non-blank lines of standard input.</summary>
    /// <exception cref="TextFormatException">Standard input is empty or not valid UTF-8.</exception>
    /// <exception cref="ArgumentException">A blank argument, or standard input without a non-blank line.</exception>
    public static string[] Read(string[]? arguments, string verb)
    {
        if (arguments is { Length: > 0 })
        {
            EnsureNotBlank(arguments, verb);
            return arguments;
        }
        string text = TextFile.ReadAllText(CliApp.StandardInput, StandardInputName);
        string[] lines = [.. TextFile.SplitLines(text).Where(l => l.Trim().Length > 0)];
        if (lines.Length == 0)
            throw new ArgumentException($"no sentences to {verb}: give them as arguments or as non-blank lines on {StandardInputName}.");
        return lines;
    }
}
