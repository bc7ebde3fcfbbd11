namespace SeqLearn.Translation;

/// <summary>One line of a parallel corpus after <see cref="FraEngText.Normalize"/>: source, target and the 1-based line it came from.</summary>
/// <param name="Source">The preprocessed source sentence (English), tokens joined by single spaces.</param>
/// <param name="Target">The preprocessed target sentence (French), tokens joined by single spaces.</param>
/// <param name="Line">The line number in the file (1-based), for messages.</param>
public sealed record TranslationPair(string Source, string Target, int Line);
