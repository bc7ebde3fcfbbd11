namespace SeqLearn.Translation;

/// <summary>
/// One distinct source sentence with every target the corpus gives for it, in file order (a target that occurs
/// twice is kept twice: BLEU clips with the maximum count over references and takes the closest length, so a
/// repeated reference changes nothing, and the repetition is what makes a translation the most common one).
/// </summary>
/// <param name="Source">The preprocessed source sentence.</param>
/// <param name="References">Its preprocessed targets, in file order (at least one).</param>
/// <param name="FirstLine">The 1-based line where the source first occurs.</param>
public sealed record TranslationExample(string Source, IReadOnlyList<string> References, int FirstLine)
{
    /// <summary>The preprocessed source sentence.</summary>
    public string Source { get; init => field = value ?? throw new ArgumentNullException(nameof(Source)); } = Source ?? throw new ArgumentNullException(nameof(Source));

    /// <summary>Its preprocessed targets, in file order (at least one, none null).</summary>
    public IReadOnlyList<string> References { get; init => field = CheckReferences(value); } = CheckReferences(References);

    private static IReadOnlyList<string> CheckReferences(IReadOnlyList<string> references)
    {
        if (references is null) throw new ArgumentNullException(nameof(References));
        if (references.Count == 0) throw new ArgumentException("TranslationExample: a source needs at least one reference.", nameof(References));
        for (int i = 0; i < references.Count; i++)
            if (references[i] is null) throw new ArgumentException($"TranslationExample: reference {i} is null.", nameof(References));
        return references;
    }

    /// <summary>
    /// The target given most often for this source; among equally frequent ones, the first seen in the file.
    /// </summary>
    public string MostCommonReference
    {
        get
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string r in References) counts[r] = counts.GetValueOrDefault(r) + 1;
            string best = References[0];
            foreach (string r in References)
                if (counts[r] > counts[best]) best = r;
            return best;
        }
    }

    /// <summary>Groups pairs by distinct source in order of first occurrence.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> or one of its pairs is null.</exception>
    public static IReadOnlyList<TranslationExample> Group(IEnumerable<TranslationPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var sources = new List<(string Source, int Line, List<string> Targets)>();
        int position = 0;
        foreach (TranslationPair p in pairs)
        {
            if (p is null) throw new ArgumentNullException(nameof(pairs), $"TranslationExample.Group: pair {position} is null.");
            position++;
            if (!index.TryGetValue(p.Source, out int i))
            {
                i = index[p.Source] = sources.Count;
                sources.Add((p.Source, p.Line, []));
            }
            sources[i].Targets.Add(p.Target);
        }
        return sources.Select(s => new TranslationExample(s.Source, s.Targets, s.Line)).ToArray();
    }
}
