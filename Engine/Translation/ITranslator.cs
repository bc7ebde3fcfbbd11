namespace SeqLearn.Translation;

/// <summary>Anything that turns a preprocessed source sentence into a preprocessed target sentence (a baseline or a model).</summary>
public interface ITranslator
{
    /// <summary>A short description for reports (e.g. <c>memory: nearest training source by unigram+bigram F1, its most common translation</c>).</summary>
    string Description { get; }

    /// <summary>The translation of <paramref name="source"/> (<see cref="FraEngText"/>-preprocessed), as space-separated tokens.</summary>
    string Translate(string source);
}

/// <summary>A translator that is faster on many sentences at once (a neural model decodes them in batches).</summary>
public interface IBatchTranslator : ITranslator
{
    /// <summary>The translations of <paramref name="sources"/>, in order; equal to translating each alone.</summary>
    IReadOnlyList<string> TranslateAll(IReadOnlyList<string> sources);
}
