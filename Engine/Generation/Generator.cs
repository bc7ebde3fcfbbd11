using SeqLearn.Tensors;

namespace SeqLearn.Generation;

/// <summary>
/// Autoregressive generation over any <see cref="ITokenModel{TState}"/>: prime the state with a prompt, then
/// repeatedly sample a token and feed it back. Tokens are streamed as they are produced (the sequence is lazy:
/// the model runs only as far as the caller enumerates).
/// </summary>
public static class Generator
{
    /// <summary>
    /// Feeds <paramref name="prompt"/> (at least one token, e.g. a start-of-text id) through the model, then yields
    /// up to <paramref name="maxNewTokens"/> sampled tokens. Stops early after yielding <paramref name="stopToken"/>.
    /// </summary>
    public static IEnumerable<int> Generate<TState>(ITokenModel<TState> model, TState state, IReadOnlyList<int> prompt,
        int maxNewTokens, SamplingOptions options, SeededRng rng, int? stopToken = null)
    {
        Check(model, prompt, maxNewTokens, options, rng, stopToken);
        return Run(model, state, prompt, maxNewTokens, options, rng, stopToken);
    }

    /// <summary>The argument checks of <see cref="Generate{TState}"/>, made when it is called, before any token is produced.</summary>
    internal static void Check<TState>(ITokenModel<TState> model, IReadOnlyList<int> prompt, int maxNewTokens, SamplingOptions options,
        SeededRng rng, int? stopToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prompt.Count == 0) throw new ArgumentException("Generate: the prompt is empty; the model needs a previous token (give at least a start token).", nameof(prompt));
        if (maxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), $"Generate: maxNewTokens must be ≥ 0, got {maxNewTokens}.");
        for (int i = 0; i < prompt.Count; i++) CheckToken(prompt[i], model.VocabularySize, $"prompt[{i}]");
        if (stopToken is int stop) CheckToken(stop, model.VocabularySize, nameof(stopToken));
    }

    /// <summary>The lazy generation of <see cref="Generate{TState}"/>, for arguments already checked.</summary>
    internal static IEnumerable<int> Run<TState>(ITokenModel<TState> model, TState state, IReadOnlyList<int> prompt,
        int maxNewTokens, SamplingOptions options, SeededRng rng, int? stopToken)
    {
        var logits = new float[model.VocabularySize];
        var sampler = new Sampler(model.VocabularySize);
        for (int i = 0; i < prompt.Count; i++) state = model.Step(prompt[i], state, logits);
        for (int n = 0; n < maxNewTokens; n++)
        {
            int token = sampler.Sample(logits, options, rng);
            yield return token;
            if (token == stopToken || n == maxNewTokens - 1) yield break;
            state = model.Step(token, state, logits);
        }
    }

    internal static void CheckToken(int token, int vocabularySize, string what)
    {
        if ((uint)token >= (uint)vocabularySize)
            throw new ArgumentOutOfRangeException(what, $"Generate: {what} = {token} is outside the vocabulary [0, {vocabularySize}).");
    }
}
