using System.Text.Json.Nodes;
using SeqLearn.Kernels;

namespace SeqLearn.Translation;

/// <summary>
/// A trained <see cref="Seq2Seq{T}"/> as an <see cref="ITranslator"/>: source words → ids (with ⟨eos⟩, unknown words
/// → ⟨unk⟩) → greedy (K = 1) or beam search (K &gt; 1) → target words, where each ⟨unk⟩ can be replaced by the source word
/// the decoder attended to most when producing it. <paramref name="source"/> and <paramref name="target"/> must be the
/// vocabularies <paramref name="model"/> was built for (sizes <see cref="Seq2SeqConfig.SourceVocabulary"/> and
/// <see cref="Seq2SeqConfig.TargetVocabulary"/>); otherwise the constructor throws an <see cref="ArgumentException"/>.
/// </summary>
/// <param name="model">The trained model (in evaluation mode while it decodes; its mode is restored after).</param>
/// <param name="source">The source-side vocabulary the model was trained with.</param>
/// <param name="target">The target-side vocabulary the model was trained with.</param>
/// <param name="options">Decoding settings: <see cref="DecodingOptions.BeamWidth"/> 1 decodes greedily, K &gt; 1 by beam search.</param>
/// <param name="pool">Runs the kernels (null: the calling thread only).</param>
/// <param name="replaceUnknown">Replace each ⟨unk⟩ by the most attended source word (needs a model with attention).</param>
public sealed partial class Seq2SeqTranslator(Seq2Seq<float> model, TranslationVocabulary source, TranslationVocabulary target, DecodingOptions options,
    WorkerPool? pool = null, bool replaceUnknown = false) : IBatchTranslator
{
    /// <summary>The special ids of the target side.</summary>
    public SpecialTokens Specials { get; } = CheckVocabularies(model, source, target, options).Specials;

    // Which source word an <unk> copies comes from the attention weights: a model without attention has none to give.
    private readonly bool _replaceUnknown = replaceUnknown && model.Config.Attention == AttentionKind.None
        ? throw new ArgumentException("Seq2SeqTranslator: replacing <unk> by the most attended source word needs a model with attention; this one has none.", nameof(replaceUnknown))
        : replaceUnknown;

    /// <inheritdoc/>
    public string Description => $"seq2seq ({model.Config.Cell.ToString().ToLowerInvariant()}, attention {Seq2SeqConfig.AttentionName(model.Config.Attention).Replace('_', '-')}), " +
                                 (options.BeamWidth > 1 ? $"beam {options.BeamWidth}{LengthNormalizationText}" : "greedy") + LimitsText;

    // The beam's ranking when it is not the default s / l (power, α = 1).
    private string LengthNormalizationText => (options.Normalization, options.Alpha) switch
    {
        (LengthNormalization.Power, 1.0) => "",
        (LengthNormalization.None, _) => ", no length normalisation",
        (var n, var a) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $", length normalisation {n.ToString().ToLowerInvariant()} α = {a}"),
    };

    // The output length limits and the repetition rule when they are not the defaults (M = ⌊2n + 10⌋ with n the source's
    // tokens plus its ⟨eos⟩, no minimum, repeats allowed).
    private string LimitsText
    {
        get
        {
            var defaults = new DecodingOptions();
            string text = options.MaxLengthA == defaults.MaxLengthA && options.MaxLengthB == defaults.MaxLengthB ? ""
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $", max length ⌊{options.MaxLengthA}·n {(options.MaxLengthB < 0 ? "−" : "+")} {Math.Abs((long)options.MaxLengthB)}⌋");
            if (options.MinLength > 0) text += $", min length {options.MinLength}";
            if (options.NoRepeatNGram > 0) text += $", no repeated {options.NoRepeatNGram}-grams";
            return text;
        }
    }

    // Null arguments and vocabularies of the wrong sizes (swapped, or of another model) fail here rather than decode garbage.
    private static TranslationVocabulary CheckVocabularies(Seq2Seq<float> model, TranslationVocabulary source, TranslationVocabulary target,
        DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var (sv, tv) = (model.Config.SourceVocabulary, model.Config.TargetVocabulary);
        if (source.Count != sv || target.Count != tv)
            throw new ArgumentException(
                $"Seq2SeqTranslator: the vocabularies have {source.Count} (source) and {target.Count} (target) tokens but the model was built for " +
                $"{sv} and {tv}{(source.Count == tv && target.Count == sv && sv != tv ? " (source and target look swapped)" : "")}; " +
                "pass the vocabularies the model was trained with, source first.", source.Count != sv ? nameof(source) : nameof(target));
        return target;
    }

    /// <inheritdoc/>
    public string Translate(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return TranslateAll([source])[0];
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> TranslateAll(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        for (int i = 0; i < sources.Count; i++)
            if (sources[i] is null) throw new ArgumentNullException(nameof(sources), $"Seq2SeqTranslator.TranslateAll: sentence {i} is null.");
        var ids = sources.Select(s => source.EncodeSentence(s)).ToArray();
        var best = options.BeamWidth > 1
            ? Seq2SeqDecoding.Beam(model, ids, Specials, options, pool).Select(h => h[0]).ToArray()
            : Seq2SeqDecoding.Greedy(model, ids, Specials, options, pool);
        return [.. best.Select((h, i) => Words(h, TranslationVocabulary.Tokenize(sources[i])))];
    }

    /// <summary>The words of a hypothesis (⟨eos⟩ excluded), ⟨unk⟩ replaced by the most attended source word when asked.</summary>
    public string Words(Hypothesis h, string[] sourceWords)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(sourceWords);
        var words = new string[h.Tokens.Length];
        for (int i = 0; i < words.Length; i++)
            words[i] = _replaceUnknown && h.Tokens[i] == target.UnkId && h.AttentionSource[i] < sourceWords.Length
                ? sourceWords[h.AttentionSource[i]]
                : target.TokenOf(h.Tokens[i]);
        return string.Join(' ', words);
    }

    /// <summary>The two vocabularies as stored in a checkpoint: <c>{"kind": "translation", "source": [...], "target": [...]}</c>.</summary>
    public static JsonObject VocabulariesToJson(TranslationVocabulary source, TranslationVocabulary target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return new()
        {
            ["kind"] = "translation",
            ["source"] = new JsonArray([.. source.Tokens.Select(t => (JsonNode?)JsonValue.Create(t))]),
            ["target"] = new JsonArray([.. target.Tokens.Select(t => (JsonNode?)JsonValue.Create(t))]),
        };
    }

    /// <summary>
    /// Reads <see cref="VocabulariesToJson"/>'s object; anything else (a field of another JSON type, a vocabulary without the
    /// special tokens first or with a token twice) is a <see cref="FormatException"/> naming the field.
    /// </summary>
    public static (TranslationVocabulary Source, TranslationVocabulary Target) VocabulariesFromJson(JsonNode? json)
    {
        const string Layout = "{\"kind\": \"translation\", \"source\": [...], \"target\": [...]}";
        if (json is not JsonObject o) throw new FormatException($"the checkpoint's vocabulary is not a translation vocabulary ({Layout}).");
        if (o["kind"] is not JsonValue kind || !kind.TryGetValue(out string? name) || name != "translation")
            throw new FormatException($"the checkpoint's vocabulary field 'kind' is not the string \"translation\" (a translation vocabulary is {Layout}).");
        string[] Tokens(string side) => o[side] is JsonArray a
            ? [.. a.Select((x, i) => x is JsonValue v && v.TryGetValue(out string? w) ? w : throw new FormatException($"the checkpoint's vocabulary entry '{side}[{i}]' is not a string."))]
            : throw new FormatException($"the checkpoint's vocabulary field '{side}' is missing or not an array (a translation vocabulary is {Layout}).");
        return (Vocabulary(Tokens("source"), "source"), Vocabulary(Tokens("target"), "target"));

        // The vocabulary's own checks (the special tokens first, no token twice), as a format error naming the side.
        static TranslationVocabulary Vocabulary(string[] tokens, string side)
        {
            try { return new TranslationVocabulary(tokens); }
            catch (ArgumentException e) { throw new FormatException($"the checkpoint's vocabulary '{side}': {Checks.MessageWithoutParameter(e)}", e); }
        }
    }
}
