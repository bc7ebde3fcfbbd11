using SeqLearn.Generation;
using SeqLearn.Kernels;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Models;

/// <summary>One beam-search result as text.</summary>
/// <param name="Text">The continuation decoded (prompt excluded).</param>
/// <param name="Tokens">Its token ids (the end token included when reached).</param>
/// <param name="LogProbability">log P(Tokens | prompt) in nats.</param>
/// <param name="Score">The length-normalised score the results are ranked by.</param>
/// <param name="Finished">True when it ended with the end token (<c>&lt;eos&gt;</c> or a newline).</param>
public sealed record TextContinuation(string Text, int[] Tokens, double LogProbability, double Score, bool Finished);

/// <summary>
/// Text in, text out: a <see cref="LanguageModel{T}"/> with its <see cref="CharVocabulary"/> or
/// <see cref="WordVocabulary"/>, driven by <see cref="LanguageModelStepper"/> through <see cref="Generator"/>
/// (sampling: greedy, temperature, top-k, top-p) and <see cref="Generation.BeamSearch"/>.
/// <list type="bullet">
/// <item>Prompt: characters, or whitespace-separated words (unknown words become &lt;unk&gt;). A word model is
/// primed with &lt;eos&gt; first (the context every line starts from in training); an empty prompt is that
/// alone, and for a character model a newline.</item>
/// <item>Output pieces: a character each; for words, the word with a leading space (none at the start of a
/// line) and &lt;eos&gt; as a newline — so concatenating the pieces gives readable text.</item>
/// </list>
/// </summary>
public sealed class TextGenerator
{
    private readonly WordVocabulary? _words;
    private readonly string[] _pieces, _spaced;   // per id: the decoded piece; for words also with a leading space

    /// <summary>Builds the stepper for <paramref name="model"/> (weights snapshotted now); <paramref name="pool"/> is optional.</summary>
    public TextGenerator(LanguageModel<float> model, IVocabulary vocabulary, WorkerPool? pool = null)
        : this(new LanguageModelStepper(model ?? throw new ArgumentNullException(nameof(model)), pool), vocabulary)
    {
    }

    /// <summary>Generates with an existing stepper.</summary>
    public TextGenerator(LanguageModelStepper stepper, IVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(stepper);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary is not (CharVocabulary or WordVocabulary))
            throw new ArgumentException($"TextGenerator: expected a CharVocabulary or WordVocabulary, got {Checks.TypeName(vocabulary.GetType())}.", nameof(vocabulary));
        if (vocabulary.Count != stepper.VocabularySize)
            throw new ArgumentException($"TextGenerator: the vocabulary has {vocabulary.Count} symbols, the model V = {stepper.VocabularySize}.", nameof(vocabulary));
        (Stepper, Vocabulary) = (stepper, vocabulary);
        _words = vocabulary as WordVocabulary;
        EndId = _words?.EosId ?? (vocabulary.TryGetId("\n", out int nl) ? nl : null);
        _pieces = new string[vocabulary.Count];
        _spaced = new string[vocabulary.Count];
        for (int id = 0; id < vocabulary.Count; id++)
        {
            _pieces[id] = _words is null ? vocabulary.Decode([id]) : id == _words.EosId ? "\n" : _words.TokenOf(id);
            _spaced[id] = _words is null || id == _words.EosId ? _pieces[id] : " " + _pieces[id];
        }
    }

    /// <summary>The stepper that runs the model.</summary>
    public LanguageModelStepper Stepper { get; }

    /// <summary>The vocabulary prompts are encoded and outputs decoded with.</summary>
    public IVocabulary Vocabulary { get; }

    /// <summary>The end-of-line token: &lt;eos&gt; for words, the newline character (if in the vocabulary) for characters.</summary>
    public int? EndId { get; }

    /// <summary>The ids the model is primed with for <paramref name="prompt"/> (see the class summary).</summary>
    public int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_words is not null) return [_words.EosId, .. _words.Encode(prompt)];
        if (prompt.Length > 0) return Vocabulary.Encode(prompt);
        return EndId is int nl ? [nl] : throw new ArgumentException("TextGenerator: the prompt is empty and the vocabulary has no newline to start from; give a prompt.", nameof(prompt));
    }

    /// <summary>
    /// The prompt written as the output pieces continue it: for a word model its words separated by single spaces, with
    /// &lt;eos&gt; as a newline (after which the next word has no leading space); for a character model the prompt itself.
    /// Written before <see cref="Generate"/>'s pieces (or a <see cref="TextContinuation.Text"/>), it makes one readable text.
    /// </summary>
    public string PromptText(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_words is null) return prompt;
        var text = new System.Text.StringBuilder();
        bool atLineStart = true;
        foreach (string word in TokenVocabulary.Tokenize(prompt))
        {
            bool end = word == WordVocabulary.Eos;
            text.Append(end ? "\n" : atLineStart ? word : " " + word);
            atLineStart = end;
        }
        return text.ToString();
    }

    /// <summary>
    /// Streams up to <paramref name="maxTokens"/> sampled tokens after <paramref name="prompt"/>, each decoded as it
    /// is produced (the model runs only as far as the caller enumerates). With <paramref name="stopAtEnd"/> it
    /// stops after the first end token. Same model, prompt, options and seed → same text.
    /// </summary>
    public IEnumerable<string> Generate(string prompt, int maxTokens, SamplingOptions options, SeededRng rng, bool stopAtEnd = false)
    {
        int[] ids = EncodePrompt(prompt);
        if (maxTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), $"TextGenerator.Generate: maxTokens must be ≥ 0, got {maxTokens}.");
        int? stop = StopToken(stopAtEnd);
        var owned = new OwnedState(Stepper);
        Generator.Check(owned, ids, maxTokens, options, rng, stop);
        return Decode(Tokens(), AtLineStart(ids));

        // Advance overwrites the state in place, so every enumeration starts from its own zero state: enumerating the
        // sequence again (or twice side by side) runs the generation again from the prompt.
        IEnumerable<int> Tokens()
        {
            foreach (int id in Generator.Run(owned, Stepper.InitialState(), ids, maxTokens, options, rng, stop)) yield return id;
        }
    }

    /// <summary>
    /// The stepper for a caller that owns its state and never branches it (sampling): each step advances the state in
    /// place (<see cref="LanguageModelStepper.Advance"/>: no allocation, and with a pool the next step's hidden-side
    /// products are computed ahead) and returns it. The logits equal <see cref="LanguageModelStepper.Step"/>'s.
    /// </summary>
    private sealed class OwnedState(LanguageModelStepper stepper) : ITokenModel<LanguageModelStepState>
    {
        public int VocabularySize => stepper.VocabularySize;

        public LanguageModelStepState Step(int token, LanguageModelStepState state, Span<float> logits)
        {
            stepper.Advance(token, state, logits);
            return state;
        }
    }

    /// <summary>
    /// The <paramref name="width"/> best continuations of at most <paramref name="maxTokens"/> tokens by beam search,
    /// best first, with their log-probabilities. With <paramref name="stopAtEnd"/> a hypothesis ends at the end token.
    /// </summary>
    public IReadOnlyList<TextContinuation> BeamSearch(string prompt, int maxTokens, int width, bool stopAtEnd = false,
        LengthNormalization normalization = LengthNormalization.None)
    {
        int[] ids = EncodePrompt(prompt);
        // Checked here, as BeamSearch.Search names its options record, not these parameters.
        if (maxTokens <= 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), $"TextGenerator.BeamSearch: maxTokens must be positive, got {maxTokens}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"TextGenerator.BeamSearch: width must be positive, got {width}.");
        Checks.Defined(normalization, "TextGenerator.BeamSearch", nameof(normalization));
        var options = new BeamSearchOptions(width, maxTokens, StopToken(stopAtEnd), normalization);
        return Generation.BeamSearch.Search(Stepper, Stepper.InitialState(), ids, options)
            .Select(h => new TextContinuation(string.Concat(Decode(h.Tokens, AtLineStart(ids))), h.Tokens, h.LogProbability, h.Score, h.Finished))
            .ToArray();
    }

    private bool AtLineStart(int[] ids) => ids[^1] == EndId;

    // The end token a generation stops at: none unless asked; asked of a vocabulary without one, an error rather than an
    // option that does nothing.
    private int? StopToken(bool stopAtEnd) => !stopAtEnd ? null : EndId ?? throw new ArgumentException(
        "TextGenerator: stopping at the end of a line needs an end token, and the vocabulary has neither <eos> nor a newline.", nameof(stopAtEnd));

    private IEnumerable<string> Decode(IEnumerable<int> tokens, bool atLineStart)
    {
        foreach (int id in tokens)
        {
            yield return atLineStart ? _pieces[id] : _spaced[id];
            atLineStart = _words is not null && id == _words.EosId;
        }
    }
}
