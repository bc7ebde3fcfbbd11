using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;

namespace SeqLearn.Translation;

/// <summary>
/// A <see cref="Seq2Seq{T}"/> as an <see cref="ITranslationStepper"/>: the sources are encoded once (padded, with their
/// lengths), each repeated <c>copies</c> times (row r belongs to source r / copies), and every <see cref="Step"/> runs one
/// decoder step for all rows without a graph. The model must be in evaluation mode.
/// </summary>
public sealed class Seq2SeqStepper<T> : ITranslationStepper where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Seq2Seq<T> _model;
    private readonly Seq2SeqEncoding<T> _encoding;
    private readonly LayerContext _context;
    private Seq2SeqDecoderState<T> _state;

    /// <summary>Encodes <paramref name="sources"/> (non-empty id sequences) padded with <paramref name="padId"/>.</summary>
    public Seq2SeqStepper(Seq2Seq<T> model, IReadOnlyList<int[]> sources, int copies, int padId, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        if (model.Training && model.Config.Dropout > 0)
            throw new InvalidOperationException("Seq2SeqStepper: the model is in training mode with dropout; call Eval() before decoding.");
        _model = model;
        _context = new LayerContext(Pool: pool);
        var source = TokenBatch.Pad(sources, Enumerable.Range(0, sources.Count).ToArray(), padId);
        using (new NoGradScope())
        {
            var encoding = model.Encode(source, _context);
            if (copies > 1)
            {
                var rows = Enumerable.Range(0, sources.Count * copies).Select(r => r / copies).ToArray();
                var init = encoding.Initial;
                encoding = new Seq2SeqEncoding<T>(RowSelect.Select(encoding.Memory, 0, rows),
                    encoding.Keys is null ? null : RowSelect.Select(encoding.Keys, 0, rows), rows.Select(r => encoding.Lengths[r]).ToArray(),
                    new RecurrentState<T>(RowSelect.Select(init.H, 1, rows), init.C is null ? null : RowSelect.Select(init.C, 1, rows)),
                    RowSelect.Select(encoding.Summary, 0, rows));
            }
            _encoding = encoding;
            _state = model.Decoder.Start(encoding);
        }
        (Rows, SourceSteps, SourceLengths) = (sources.Count * copies, source.Steps, _encoding.Lengths);
    }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Vocabulary => _model.Config.TargetVocabulary;

    /// <inheritdoc/>
    public int SourceSteps { get; }

    /// <summary>The source length of every row.</summary>
    public int[] SourceLengths { get; }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention)
    {
        if (previous.Length != Rows || logProbs.Length != Rows * Vocabulary || attention.Length != Rows * SourceSteps)
            throw new ArgumentException($"Seq2SeqStepper.Step: expected {Rows} tokens, {Rows}×{Vocabulary} log-probabilities and {Rows}×{SourceSteps} weights.");
        using var _ = new NoGradScope();
        var decoder = _model.Decoder;
        var embedded = Ops.Reshape(decoder.Embedding.Forward(previous), Rows, 1, decoder.Embedding.EmbeddingDim);   // (R, 1, E)
        var (logits, next, weights) = decoder.Step(embedded, _state, _encoding, _context);
        _state = next;
        var z = logits.Value.Span;                                     // (R, 1, V)
        int v = Vocabulary;
        for (int r = 0; r < Rows; r++)
        {
            var zr = z.Slice(r * v, v);
            double max = double.NegativeInfinity;
            foreach (T x in zr) max = Math.Max(max, double.CreateTruncating(x));
            double sum = 0;
            foreach (T x in zr) sum += Math.Exp(double.CreateTruncating(x) - max);
            double logSum = max + Math.Log(sum);
            for (int j = 0; j < v; j++) logProbs[r * v + j] = double.CreateTruncating(zr[j]) - logSum;   // log softmax, in double
        }
        if (weights is null) { attention.Clear(); return; }
        var w = weights.Value.Span;                                     // (R, 1, S)
        for (int i = 0; i < attention.Length; i++) attention[i] = double.CreateTruncating(w[i]);
    }

    /// <inheritdoc/>
    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length != Rows) throw new ArgumentException($"Seq2SeqStepper.Reorder: {parents.Length} parents for {Rows} rows.");
        var rnn = _state.Rnn;
        _state = new Seq2SeqDecoderState<T>(
            new RecurrentState<T>(RowSelect.Select(rnn.H, 1, parents), rnn.C is null ? null : RowSelect.Select(rnn.C, 1, parents)),
            _state.Feed is null ? null : RowSelect.Select(_state.Feed, 0, parents));
    }
}

/// <summary>Greedy and beam-search translation of id sequences with a <see cref="Seq2Seq{T}"/>, in batches of sources.</summary>
public static class Seq2SeqDecoding
{
    /// <summary>The greedy output of every source, in order (the model is put in evaluation mode for the call and restored).</summary>
    public static Hypothesis[] Greedy<T>(Seq2Seq<T> model, IReadOnlyList<int[]> sources, SpecialTokens specials, DecodingOptions options,
        WorkerPool? pool, int batchSize = 64) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Batched(model, sources, batchSize, part =>
        {
            var stepper = new Seq2SeqStepper<T>(model, part, 1, specials.Pad, pool);
            return GreedyDecoder.Decode(stepper, stepper.SourceLengths, specials, options);
        });

    /// <summary>The beam-search outputs of every source, best first (at most K each), in order.</summary>
    public static Hypothesis[][] Beam<T>(Seq2Seq<T> model, IReadOnlyList<int[]> sources, SpecialTokens specials, DecodingOptions options,
        WorkerPool? pool, int batchSize = 16) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Batched(model, sources, batchSize, part =>
        {
            var stepper = new Seq2SeqStepper<T>(model, part, options.BeamWidth, specials.Pad, pool);
            return BeamSearchDecoder.Decode(stepper, part.Select(x => x.Length).ToArray(), specials, options);
        });

    private static TResult[] Batched<T, TResult>(Seq2Seq<T> model, IReadOnlyList<int[]> sources, int batchSize, Func<int[][], TResult[]> decode)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
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
