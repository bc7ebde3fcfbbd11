namespace SeqLearn.Generation;

/// <summary>
/// What generation needs from a language model, and nothing more: given the previous token and a state,
/// write the next-token logits (V floats) and return the new state. Any model fits: an n-gram table, an RNN
/// (state = hidden vectors), a transformer (state = the context so far).
/// </summary>
/// <typeparam name="TState">The model's recurrent state. Treat it as immutable: <see cref="Step"/> must not
/// modify the state it is given, because beam search calls it several times with the same state.</typeparam>
public interface ITokenModel<TState>
{
    /// <summary>V, the number of token ids (logits per step).</summary>
    int VocabularySize { get; }

    /// <summary>Consumes <paramref name="token"/> in <paramref name="state"/>, writes the V next-token logits, returns the new state.</summary>
    TState Step(int token, TState state, Span<float> logits);
}

/// <summary>Adapts a function to <see cref="ITokenModel{TState}"/> (handy for tests and small models).</summary>
internal sealed class DelegateTokenModel<TState>(int vocabularySize, DelegateTokenModel<TState>.StepFunction step) : ITokenModel<TState>
{
    /// <summary>The signature of <see cref="ITokenModel{TState}.Step"/>.</summary>
    public delegate TState StepFunction(int token, TState state, Span<float> logits);

    /// <inheritdoc/>
    public int VocabularySize { get; } = vocabularySize > 0 ? vocabularySize : throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"DelegateTokenModel: V must be positive, got {vocabularySize}.");

    /// <inheritdoc/>
    public TState Step(int token, TState state, Span<float> logits) => step(token, state, logits);
}
