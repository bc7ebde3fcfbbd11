using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SeqLearn.Cli;

/// <summary>
/// Rules every option of the command tree follows, applied once after it is built:
/// <list type="bullet">
/// <item>Decimal options are read with <see cref="NumberStyles.Float"/> in the invariant culture: a point, an exponent, no
/// digit groups. The parser's default also allows thousands separators, so <c>--temperature 0,5</c> (a decimal comma)
/// was read as 5 and <c>--lr 1,000</c> as 1000 without a word.</item>
/// <item>A text option given an empty value is an error naming the option (a path <c>''</c> otherwise reached the library,
/// whose message names its own parameter), except <c>--prompt</c>, where empty text means no prompt.</item>
/// </list>
/// </summary>
internal static class OptionParsing
{
    /// <summary>Applies the rules to every option of <paramref name="command"/> and its subcommands.</summary>
    public static void Apply(Command command)
    {
        foreach (Option option in command.Options)
        {
            switch (option)
            {
                case Option<double> d when d.CustomParser is null: d.CustomParser = r => ParseNumber(r, option) ?? 0; break;
                case Option<double?> n when n.CustomParser is null: n.CustomParser = r => ParseNumber(r, option); break;
                case Option<float> f when f.CustomParser is null: f.CustomParser = r => (float)(ParseNumber(r, option) ?? 0); break;
                case Option<string> s when s.Name != "--prompt":
                    s.Validators.Add(r =>
                    {
                        if (r.Tokens.Any(t => t.Value.Length == 0)) r.AddError($"{option.Name}: the value is empty.");
                    });
                    break;
            }
        }
        foreach (Command sub in command.Subcommands) Apply(sub);
    }

    // The option's value, or null with an error when it is not a plain decimal number (CliApp.Describe words the line shown).
    private static double? ParseNumber(ArgumentResult result, Option option)
    {
        if (result.Tokens.Count == 0) return null;
        string token = result.Tokens[^1].Value;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        result.AddError($"{option.Name}: '{token}' is not a number.");
        return null;
    }
}
