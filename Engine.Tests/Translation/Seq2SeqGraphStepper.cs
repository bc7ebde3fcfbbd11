using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The reference for <see cref="Seq2SeqStepper{T}"/>: a <see cref="Seq2Seq{T}"/> as an <see cref="ITranslationStepper"/> through
/// the decoder's autograd ops (<see cref="Seq2SeqDecoder{T}.Step"/>) with no graph recorded. The sources are encoded once (padded, with their
/// lengths), each repeated <c>copies</c> times (row r belongs to source r / copies), and every <see cref="Step"/> runs one
/// decoder step for all rows without a graph. The model must be in evaluation mode.
/// </summary>
internal sealed class Seq2SeqGraphStepper<T> : ITranslationStepper where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Seq2Seq<T> _model;
    private Seq2SeqEncoding<T> _encoding;              // per row: its source's memory, keys, length and summary
    private readonly LayerContext _context;
    private Seq2SeqDecoderState<T> _state;

    /// <summary>Encodes <paramref name="sources"/> (non-empty id sequences) padded with <paramref name="padId"/>.</summary>
    public Seq2SeqGraphStepper(Seq2Seq<T> model, IReadOnlyList<int[]> sources, int copies, int padId, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        if (model.Training && model.Config.Dropout > 0)
            throw new InvalidOperationException("Seq2SeqGraphStepper: the model is in training mode with dropout; call Eval() before decoding.");
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
    public int Rows { get; private set; }

    /// <inheritdoc/>
    public int Vocabulary => _model.Config.TargetVocabulary;

    /// <inheritdoc/>
    public int SourceSteps { get; }

    /// <summary>The source length of every row the stepper was built with.</summary>
    public int[] SourceLengths { get; }

    /// <inheritdoc/>
    public void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention)
    {
        if (previous.Length != Rows || logProbs.Length != Rows * Vocabulary || attention.Length != Rows * SourceSteps)
            throw new ArgumentException($"Seq2SeqGraphStepper.Step: expected {Rows} tokens, {Rows}×{Vocabulary} log-probabilities and {Rows}×{SourceSteps} weights.");
        using var _ = new NoGradScope();
        var decoder = _model.Decoder;
        var embedded = Ops.Reshape(decoder.Embedding.Forward(previous), Rows, 1, decoder.Embedding.EmbeddingDim);   // (R, 1, E)
        var (logits, next, weights) = decoder.Step(embedded, _state, _encoding, _context);
        _state = next;
        Seq2SeqStepper<T>.LogSoftmax(logits.Value.Span, Vocabulary, logProbs, new double[Vocabulary]);   // (R, 1, V), the stepper's log softmax
        if (weights is null) { attention.Clear(); return; }
        var w = weights.Value.Span;                                     // (R, 1, S)
        for (int i = 0; i < attention.Length; i++) attention[i] = double.CreateTruncating(w[i]);
    }

    /// <inheritdoc/>
    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length > SourceLengths.Length) throw new ArgumentException($"Seq2SeqGraphStepper.Reorder: {parents.Length} parents, built for {SourceLengths.Length} rows.");
        var rnn = _state.Rnn;
        _state = new Seq2SeqDecoderState<T>(
            new RecurrentState<T>(RowSelect.Select(rnn.H, 1, parents), rnn.C is null ? null : RowSelect.Select(rnn.C, 1, parents)),
            _state.Feed is null ? null : RowSelect.Select(_state.Feed, 0, parents));
        var e = _encoding;                                              // each row keeps its source
        var lengths = new int[parents.Length];
        for (int r = 0; r < parents.Length; r++) lengths[r] = e.Lengths[parents[r]];
        _encoding = new Seq2SeqEncoding<T>(RowSelect.Select(e.Memory, 0, parents), e.Keys is null ? null : RowSelect.Select(e.Keys, 0, parents), lengths,
            new RecurrentState<T>(RowSelect.Select(e.Initial.H, 1, parents), e.Initial.C is null ? null : RowSelect.Select(e.Initial.C, 1, parents)),
            RowSelect.Select(e.Summary, 0, parents));
        Rows = parents.Length;
    }
}

/// <summary>Row selection on values without a graph (the reference stepper copies and reorders decoder rows with it).</summary>
internal static class RowSelect
{
    /// <summary>y = x with axis <paramref name="axis"/> indexed by <paramref name="rows"/> (y's axis has rows.Length entries).</summary>
    public static Var<T> Select<T>(Var<T> x, int axis, ReadOnlySpan<int> rows) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var v = x.Value;
        var shape = v.ShapeArray();
        int outer = 1, inner = 1, n = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        shape[axis] = rows.Length;
        var y = Tensor<T>.Zeros(shape);
        var xs = v.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int r = 0; r < rows.Length; r++)
                xs.Slice((o * n + rows[r]) * inner, inner).CopyTo(ys.Slice((o * rows.Length + r) * inner, inner));
        return new Var<T>(y);
    }
}
