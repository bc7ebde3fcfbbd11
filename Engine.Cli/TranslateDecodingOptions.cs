using System.CommandLine;
using System.Globalization;
using SeqLearn.Translation;

namespace SeqLearn.Cli;

/// <summary>
/// The decoding options of the translating commands, with fairseq's names (<see cref="DecodingOptions"/>):
/// <list type="bullet">
/// <item>the length normalisation of beam search: a finished hypothesis of l tokens and log-probability s ranks by
/// s / lp(l), with lp(l) = l^α (<c>power</c>, the default with α = 1: the mean token log-probability), ((5 + l) / 6)^α
/// (<c>gnmt</c>) or 1 (<c>none</c>);</item>
/// <item>the output length M = max(1, ⌊a·n + b⌋), ⟨eos⟩ included, for a source of n tokens counting its ⟨eos⟩ (a sentence
/// of w tokens has n = w + 1; <c>--max-len-a</c>, <c>--max-len-b</c>), the
/// shortest output before ⟨eos⟩ (<c>--min-len</c>) and the n-grams no output repeats (<c>--no-repeat-ngram-size</c>),
/// which greedy decoding obeys too.</item>
/// </list>
/// </summary>
internal sealed class TranslateDecodingOptions
{
    /// <summary>The names <c>--length-normalization</c> accepts.</summary>
    public static readonly string[] NormalizationNames = ["power", "gnmt", "none"];

    private static readonly DecodingOptions s_defaults = new();

    private readonly Option<double> _alpha = new("--length-penalty")
    {
        Description = "α of the beam's length normalisation s / lp(l) (≥ 0; 0 ranks by raw log-probability).",
        DefaultValueFactory = _ => s_defaults.Alpha,
    };

    private readonly Option<string> _normalization = new("--length-normalization")
    {
        Description = "lp(l) of the beam: power (l^α), gnmt (((5 + l) / 6)^α) or none (1).",
        DefaultValueFactory = _ => "power",
    };

    /// <summary>The largest <c>--max-len-a</c> and <c>--max-len-b</c>: a mistyped value must not decode for hours.</summary>
    public const double MaxLenALimit = 100;

    /// <inheritdoc cref="MaxLenALimit"/>
    public const int MaxLenBLimit = 10_000;

    private readonly Option<double> _maxLenA = new("--max-len-a")
    {
        Description = "a of the longest output, ⌊a·n + b⌋ tokens (⟨eos⟩ included) for a source of n tokens (its ⟨eos⟩ included: n = tokens + 1; 0 … 100).",
        DefaultValueFactory = _ => s_defaults.MaxLengthA,
    };

    private readonly Option<int> _maxLenB = new("--max-len-b")
    {
        Description = "b of the longest output, ⌊a·n + b⌋ tokens (at most 10,000; the longest output is at least 1 token).",
        DefaultValueFactory = _ => s_defaults.MaxLengthB,
    };

    private readonly Option<int> _minLen = new("--min-len")
    {
        Description = "Tokens an output has before ⟨eos⟩ may end it (≥ 0).",
        DefaultValueFactory = _ => s_defaults.MinLength,
    };

    private readonly Option<int> _noRepeat = new("--no-repeat-ngram-size")
    {
        Description = "n > 0: no output repeats an n-gram of its own (0: off).",
        DefaultValueFactory = _ => s_defaults.NoRepeatNGram,
    };

    public TranslateDecodingOptions() => _normalization.AcceptOnlyFromAmong(NormalizationNames);

    /// <summary>Every option, for a command that does not decode (a baseline) to refuse.</summary>
    public Option[] All => [_alpha, _normalization, _maxLenA, _maxLenB, _minLen, _noRepeat];

    /// <summary>The options that only beam search reads.</summary>
    private Option[] BeamOnly => [_alpha, _normalization];

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>
    /// The decoding options for beam width <paramref name="beam"/>; throws an <see cref="ArgumentException"/> naming the
    /// first bad value, or a length-normalisation option given with <paramref name="beam"/> 1: greedy decoding ranks no
    /// hypotheses, so it would be ignored.
    /// </summary>
    public DecodingOptions Read(ParseResult parse, int beam)
    {
        if (beam == 1)
            CliGuard.RefuseIfGiven(parse, o => $"{o} ranks the finished hypotheses of beam search; --beam 1 decodes greedily: drop {o} or give --beam K > 1.", BeamOnly);
        double alpha = parse.GetValue(_alpha), maxLenA = parse.GetValue(_maxLenA);
        if (!(alpha >= 0 && double.IsFinite(alpha))) throw new ArgumentException($"--length-penalty must be a finite number ≥ 0, got {Show(alpha)}.");
        if (!(maxLenA >= 0 && maxLenA <= MaxLenALimit)) throw new ArgumentException($"--max-len-a must be a number in [0, {MaxLenALimit}], got {Show(maxLenA)}.");
        int maxLenB = parse.GetValue(_maxLenB), minLen = parse.GetValue(_minLen), noRepeat = parse.GetValue(_noRepeat);
        if (maxLenB > MaxLenBLimit) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--max-len-b must be at most {MaxLenBLimit:N0}, got {maxLenB}."));
        if (minLen < 0) throw new ArgumentException($"--min-len must be ≥ 0, got {minLen}.");
        // With a = 0 the longest output is the same for every source: a minimum at or above it leaves no output an ⟨eos⟩.
        int fixedMax = Math.Max(1, maxLenB);
        if (maxLenA == 0 && minLen >= fixedMax)
            throw new ArgumentException($"--min-len {minLen} is not below the longest output --max-len-a 0 --max-len-b {maxLenB} allows ({fixedMax} tokens, ⟨eos⟩ included): lower --min-len or raise --max-len-b.");
        if (noRepeat < 0) throw new ArgumentException($"--no-repeat-ngram-size must be ≥ 0 (0: off), got {noRepeat}.");
        var normalization = parse.GetValue(_normalization) switch
        {
            "gnmt" => LengthNormalization.Gnmt,
            "none" => LengthNormalization.None,
            _ => LengthNormalization.Power,
        };
        return new DecodingOptions(BeamWidth: beam, Alpha: alpha, Normalization: normalization,
            MaxLengthA: maxLenA, MaxLengthB: maxLenB, MinLength: minLen, NoRepeatNGram: noRepeat);
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
