using System.CommandLine;
using SeqLearn.Translation;

namespace SeqLearn.Cli;

/// <summary>
/// The length-normalisation options of the translating commands: beam search ranks a finished hypothesis of l tokens
/// and log-probability s by s / lp(l), with lp(l) = l^α (<c>power</c>, the default with α = 1: the mean token
/// log-probability), ((5 + l) / 6)^α (<c>gnmt</c>) or 1 (<c>none</c>). See <see cref="DecodingOptions.LengthPenalty"/>.
/// </summary>
internal sealed class LengthPenaltyOptions
{
    /// <summary>The names <c>--length-normalization</c> accepts.</summary>
    public static readonly string[] NormalizationNames = ["power", "gnmt", "none"];

    private readonly Option<double> _alpha = new("--length-penalty")
    {
        Description = "α of the beam's length normalisation s / lp(l) (≥ 0; 0 ranks by raw log-probability).",
        DefaultValueFactory = _ => new DecodingOptions().Alpha,
    };

    private readonly Option<string> _normalization = new("--length-normalization")
    {
        Description = "lp(l) of the beam: power (l^α), gnmt (((5 + l) / 6)^α) or none (1).",
        DefaultValueFactory = _ => "power",
    };

    public LengthPenaltyOptions() => _normalization.AcceptOnlyFromAmong(NormalizationNames);

    /// <summary>Both options, <c>--length-penalty</c> then <c>--length-normalization</c>.</summary>
    public Option[] All => [_alpha, _normalization];

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_alpha);
        command.Options.Add(_normalization);
    }

    /// <summary>
    /// The decoding options for beam width <paramref name="beam"/>; throws an <see cref="ArgumentException"/> naming a bad α,
    /// or either option given with <paramref name="beam"/> 1: greedy decoding ranks no hypotheses, so it would be ignored.
    /// </summary>
    public DecodingOptions Read(ParseResult parse, int beam)
    {
        if (beam == 1)
            CliGuard.RefuseIfGiven(parse, o => $"{o} ranks the finished hypotheses of beam search; --beam 1 decodes greedily: drop {o} or give --beam K > 1.", All);
        double alpha = parse.GetValue(_alpha);
        if (!(alpha >= 0 && double.IsFinite(alpha))) throw new ArgumentException($"--length-penalty must be a finite number ≥ 0, got {alpha}.");
        var normalization = parse.GetValue(_normalization) switch
        {
            "gnmt" => LengthNormalization.Gnmt,
            "none" => LengthNormalization.None,
            _ => LengthNormalization.Power,
        };
        return new DecodingOptions(BeamWidth: beam, Alpha: alpha, Normalization: normalization);
    }
}
