namespace SeqLearn.Translation;

/// <summary>The special target ids a decoder needs (and the pad id of source batches).</summary>
/// <param name="Pad">Padding.</param>
/// <param name="Bos">Begin of sentence: the first decoder input.</param>
/// <param name="Eos">End of sentence: decoding of a hypothesis stops when it is produced.</param>
/// <param name="Unk">The unknown word (the caller may replace it by the source word the attention points at).</param>
public sealed record SpecialTokens(int Pad, int Bos, int Eos, int Unk);

/// <summary>How beam search compares hypotheses of different lengths l (tokens produced, ⟨eos⟩ included).</summary>
public enum LengthNormalization
{
    /// <summary>The raw log-probability (favours short outputs).</summary>
    None,
    /// <summary>score / l^α.</summary>
    Power,
    /// <summary>GNMT (Wu et al. 2016): score / ((5 + l) / 6)^α.</summary>
    Gnmt,
}

/// <summary>
/// Decoding settings. The maximum output length of a source of n ids is M = ⌊a·n + b⌋ tokens (⟨eos⟩ included, at
/// least 1); a hypothesis still open at M ends there without ⟨eos⟩. n is the length of the id sequence the decoder is
/// given, so for <see cref="Seq2SeqTranslator"/> (whose sources end with ⟨eos⟩) a sentence of w tokens has n = w + 1.
/// </summary>
/// <param name="BeamWidth">K, the hypotheses kept per source by <see cref="BeamSearchDecoder"/> (<see cref="GreedyDecoder"/> ignores it).</param>
/// <param name="Alpha">α of the length normalisation (≥ 0; 1 by default).</param>
/// <param name="Normalization">How scores are normalised by length.</param>
/// <param name="MaxLengthA">a in M = ⌊a·n + b⌋.</param>
/// <param name="MaxLengthB">b in M = ⌊a·n + b⌋.</param>
/// <param name="MinLength">⟨eos⟩ is forbidden until this many tokens have been produced.</param>
/// <param name="NoRepeatNGram">n &gt; 0: a token that would repeat an n-gram already in the hypothesis is forbidden.</param>
/// <param name="KeepAttention">Return every output token's attention weights over the source (for a heat map).</param>
public sealed record DecodingOptions(int BeamWidth = 5, double Alpha = 1.0, LengthNormalization Normalization = LengthNormalization.Power,
    double MaxLengthA = 2.0, int MaxLengthB = 10, int MinLength = 0, int NoRepeatNGram = 0, bool KeepAttention = false)
{
    /// <summary>
    /// Throws an <see cref="ArgumentOutOfRangeException"/> for the first invalid field, its <see cref="ArgumentException.ParamName"/>
    /// the field's name.
    /// </summary>
    public void Validate()
    {
        if (BeamWidth < 1) throw Invalid(nameof(BeamWidth), BeamWidth, $"beam width must be ≥ 1, got {BeamWidth}.");
        if (!(Alpha >= 0 && double.IsFinite(Alpha))) throw Invalid(nameof(Alpha), Alpha, $"α must be a finite number ≥ 0, got {Alpha}.");
        Checks.Defined(Normalization, "DecodingOptions", nameof(Normalization));
        if (!(MaxLengthA >= 0 && double.IsFinite(MaxLengthA))) throw Invalid(nameof(MaxLengthA), MaxLengthA, $"a must be ≥ 0, got {MaxLengthA}.");
        if (MinLength < 0) throw Invalid(nameof(MinLength), MinLength, $"minimum length must be ≥ 0, got {MinLength}.");
        if (NoRepeatNGram < 0) throw Invalid(nameof(NoRepeatNGram), NoRepeatNGram, $"no-repeat n-gram size must be ≥ 0, got {NoRepeatNGram}.");
    }

    private static ArgumentOutOfRangeException Invalid(string field, object value, string message) => new(field, value, "DecodingOptions: " + message);

    /// <summary>
    /// M = max(1, ⌊a·n + b⌋) for a source of n = <paramref name="sourceLength"/> ids (its ⟨eos⟩ included when it has one), computed in double; the conversion to
    /// int saturates, so M never exceeds <see cref="int.MaxValue"/> (no decoder allocates by M: it only ends a hypothesis there).
    /// </summary>
    public int MaxLength(int sourceLength) => Math.Max(1, (int)Math.Floor(MaxLengthA * sourceLength + MaxLengthB));

    /// <summary>lp(l): 1, l^α or ((5 + l)/6)^α; non-decreasing in l for α ≥ 0, which the beam's stopping bound relies on.</summary>
    public double LengthPenalty(int length) => Normalization switch
    {
        LengthNormalization.None => 1.0,
        LengthNormalization.Power => Math.Pow(length, Alpha),
        _ => Math.Pow((5.0 + length) / 6.0, Alpha),
    };
}

/// <summary>One decoded output.</summary>
/// <param name="Tokens">The output ids, ⟨eos⟩ excluded.</param>
/// <param name="AttentionSource">For each output token, the source position with the highest attention weight (0 without attention):
/// substitute the source word there for an ⟨unk⟩.</param>
/// <param name="Score">The log-probability of the output (⟨eos⟩ included when <paramref name="Ended"/>).</param>
/// <param name="NormalizedScore">Score / lp(length), what beam search ranks by.</param>
/// <param name="Ended">True when the output ended with ⟨eos⟩, false when it hit the maximum length.</param>
/// <param name="Attention">With <see cref="DecodingOptions.KeepAttention"/>: per output step (⟨eos⟩ included) the weights over the source tokens.</param>
public sealed record Hypothesis(int[] Tokens, int[] AttentionSource, double Score, double NormalizedScore, bool Ended, double[][]? Attention);

/// <summary>
/// A model seen one decoding step at a time, over a set of rows (a batch of sources, each repeated K times for beam
/// search) that <see cref="Reorder"/> can rearrange, narrow and widen again up to the rows it was built with. <see cref="GreedyDecoder"/> and <see cref="BeamSearchDecoder"/>
/// drive it, and drop the rows of finished outputs so that no step computes them; tests drive them with hand-made steppers.
/// </summary>
public interface ITranslationStepper
{
    /// <summary>Rows decoded in parallel now (fewer than at the start once <see cref="Reorder"/> has dropped rows).</summary>
    int Rows { get; }

    /// <summary>V, the target vocabulary.</summary>
    int Vocabulary { get; }

    /// <summary>S, the (padded) source length: the width of an attention row.</summary>
    int SourceSteps { get; }

    /// <summary>
    /// Feeds each row's previous token (⟨bos⟩ first) and writes log p(· | row's prefix) into <paramref name="logProbs"/>
    /// (Rows × V) and the attention weights of this step into <paramref name="attention"/> (Rows × S; zeros without attention).
    /// </summary>
    void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention);

    /// <summary>
    /// Row r continues from row <paramref name="parents"/>[r]'s state (beam search keeps the best prefixes), and
    /// <see cref="Rows"/> becomes <c>parents.Length</c>: fewer parents drop the rows not listed, more copy rows, up to the rows
    /// the stepper was built with (beam search starts with one row per source, then keeps one per live hypothesis, at most K).
    /// </summary>
    void Reorder(ReadOnlySpan<int> parents);
}
