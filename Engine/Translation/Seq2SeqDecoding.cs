using SeqLearn.Kernels;

namespace SeqLearn.Translation;

/// <summary>
/// Greedy and beam-search translation of id sequences with a <see cref="Seq2Seq{T}"/>, in batches of sources. The n of
/// each source's maximum output length M = max(1, ⌊a·n + b⌋) (<see cref="DecodingOptions.MaxLength"/>) is the length of
/// its id sequence as given, ⟨eos⟩ included (<see cref="TranslationVocabulary.EncodeSentence"/> appends it).
/// </summary>
public static class Seq2SeqDecoding
{
    /// <summary>The greedy output of every source, in order (the model is put in evaluation mode for the call and restored).</summary>
    public static Hypothesis[] Greedy<T>(Seq2Seq<T> model, IReadOnlyList<int[]> sources, SpecialTokens specials, DecodingOptions options,
        WorkerPool? pool, int batchSize = 64) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Batched(model, sources, specials, options, batchSize, part =>
        {
            using var stepper = new Seq2SeqStepper<T>(model, part, 1, specials.Pad, pool);
            return GreedyDecoder.Decode(stepper, stepper.SourceLengths, specials, options);
        });

    /// <summary>The beam-search outputs of every source, best first (at most K each), in order.</summary>
    public static Hypothesis[][] Beam<T>(Seq2Seq<T> model, IReadOnlyList<int[]> sources, SpecialTokens specials, DecodingOptions options,
        WorkerPool? pool, int batchSize = 16) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Batched(model, sources, specials, options, batchSize, part =>
        {
            using var stepper = new Seq2SeqStepper<T>(model, part, options.BeamWidth, specials.Pad, pool);
            return BeamSearchDecoder.Decode(stepper, part.Select(x => x.Length).ToArray(), specials, options);
        });

    private static TResult[] Batched<T, TResult>(Seq2Seq<T> model, IReadOnlyList<int[]> sources, SpecialTokens specials, DecodingOptions options,
        int batchSize, Func<int[][], TResult[]> decode) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(specials);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        bool training = model.Training;
        model.Eval();
        try
        {
            var result = new List<TResult>(sources.Count);
            for (int start = 0; start < sources.Count; start += batchSize)
                result.AddRange(decode(sources.Skip(start).Take(batchSize).ToArray()));
            return result.ToArray();
        }
        finally { model.Train(training); }
    }
}
