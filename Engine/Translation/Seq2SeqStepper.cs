using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// A <see cref="Seq2Seq{T}"/> as an <see cref="ITranslationStepper"/>: the sources are encoded once (padded, with their
/// lengths), each repeated <c>copies</c> times (row r starts as a row of source r / copies), and every <see cref="Step"/> runs
/// one decoder step for all B rows straight on the kernels, into buffers made once: no graph and no allocation per step.
/// <see cref="Reorder"/> moves, drops and copies rows (each keeps its source, and the rows never exceed those built), so
/// decoders compute only the rows still decoding.
/// Its values equal <see cref="Seq2SeqDecoder{T}.Step"/>'s bit for bit (the same kernels on the same operands, the
/// weights packed once instead of per call). The model must be in evaluation mode and keep its weights while the
/// stepper lives; <see cref="Dispose"/> gives the packed weights back.
/// </summary>
public sealed partial class Seq2SeqStepper<T> : ITranslationStepper, IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Seq2SeqConfig _config;
    private readonly Seq2SeqDecoder<T> _decoder;
    private readonly WorkerPool? _pool;
    private readonly Tensor<T> _memory;             // m (N, S, M) for the N sources
    private readonly Tensor<T>? _keys;              // (N, S, A) Bahdanau, (N, S, H) Luong
    private readonly Tensor<T> _summary;            // s₀ᵀᵒᵖ (N, 1, H)
    private readonly RecurrentRowStepper<T> _rnn;   // the decoder's RNN, state (B, H) per layer
    private readonly GemmPackedB<T> _out;           // oᵀ (H, V)
    private readonly T[] _x, _logits;               // the RNN's input (B, In); o's output (B, V)
    private readonly double[] _exp;                 // exp(z − max) of one row (V)
    private int[] _source, _length;                 // per row: its source's index and length
    private int[] _sourceSpare, _lengthSpare;       // receive a reordering

    /// <summary>Encodes <paramref name="sources"/> (non-empty id sequences) padded with <paramref name="padId"/>.</summary>
    public Seq2SeqStepper(Seq2Seq<T> model, IReadOnlyList<int[]> sources, int copies, int padId, WorkerPool? pool)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        int rows = DecodingBuffers.Rows("Seq2SeqStepper", sources.Count, copies);
        if (model.Training && model.Config.Dropout > 0)
            throw new InvalidOperationException("Seq2SeqStepper: the model is in training mode with dropout; call Eval() before decoding.");
        (_config, _decoder, _pool) = (model.Config, model.Decoder, pool);
        var source = TokenBatch.Pad(sources, Enumerable.Range(0, sources.Count).ToArray(), padId);
        Seq2SeqEncoding<T> encoding;
        using (new NoGradScope()) encoding = model.Encode(source, new LayerContext(Pool: pool));
        (_memory, _keys, _summary) = (encoding.Memory.Value, encoding.Keys?.Value, encoding.Summary.Value);
        (Rows, SourceSteps) = (rows, source.Steps);
        SourceLengths = Enumerable.Range(0, Rows).Select(r => encoding.Lengths[r / copies]).ToArray();
        (_source, _length) = (Enumerable.Range(0, Rows).Select(r => r / copies).ToArray(), SourceLengths.ToArray());
        (_sourceSpare, _lengthSpare) = (new int[Rows], new int[Rows]);

        int b = Rows, h = _config.HiddenSize;
        _rnn = new RecurrentRowStepper<T>(_decoder.Rnn, b, pool);
        for (int l = 0; l < _rnn.Layers; l++)                                  // s₀ of each row's source
        {
            CopyRows(encoding.Initial.H.Value.Span.Slice(l * sources.Count * h, sources.Count * h), _rnn.H(l), h);
            if (encoding.Initial.C is { } c0) CopyRows(c0.Value.Span.Slice(l * sources.Count * h, sources.Count * h), _rnn.C(l), h);
        }
        var o = _decoder.Out.Weight.Value;
        _out = GemmPackedB<T>.Create(true, h, Vocabulary, o.Span, h);
        (_x, _logits, _exp) = (new T[b * _config.DecoderInputSize], new T[b * Vocabulary], new double[Vocabulary]);
        _attention = CreateAttention(b);
    }

    /// <inheritdoc/>
    public int Rows { get; private set; }

    /// <inheritdoc/>
    public int Vocabulary => _config.TargetVocabulary;

    /// <inheritdoc/>
    public int SourceSteps { get; }

    /// <summary>The source length of every row the stepper was built with (before any <see cref="Reorder"/>).</summary>
    public int[] SourceLengths { get; }

    /// <summary>
    /// One decoder step for every row (<see cref="Seq2SeqDecoder{T}"/>'s equations): the previous tokens → log p over
    /// the target vocabulary (B, V) in double, and the attention weights α (B, S) (zeros without attention).
    /// </summary>
    public void Step(ReadOnlySpan<int> previous, Span<double> logProbs, Span<double> attention)
    {
        if (previous.Length != Rows || logProbs.Length != Rows * Vocabulary || attention.Length != Rows * SourceSteps)
            throw new ArgumentException($"Seq2SeqStepper.Step: expected {Rows} tokens, {Rows}×{Vocabulary} log-probabilities and {Rows}×{SourceSteps} weights.", previous.Length != Rows ? nameof(previous) : logProbs.Length != Rows * Vocabulary ? nameof(logProbs) : nameof(attention));
        int b = Rows, h = _config.HiddenSize, e = _config.EmbeddingSize, input = _config.DecoderInputSize;
        var table = _decoder.Embedding.Weight.Value.Span;                     // (V, E)
        var x = _x.AsSpan(0, b * input);
        for (int r = 0; r < b; r++)
        {
            if ((uint)previous[r] >= (uint)Vocabulary)
                throw new ArgumentOutOfRangeException(nameof(previous), $"Seq2SeqStepper.Step: token {previous[r]} of row {r} is outside [0, {Vocabulary}).");
            table.Slice(previous[r] * e, e).CopyTo(_x.AsSpan(r * input, e));  // x = [e_{t−1}; ·]
        }
        Span<T> features;                                                      // what o reads (B, H)
        switch (_config.Attention)
        {
            case AttentionKind.None:
                for (int r = 0; r < b; r++) _summary.Span.Slice(_source[r] * h, h).CopyTo(_x.AsSpan(r * input + e, h));   // [e; s₀ᵀᵒᵖ]
                _rnn.Step(x);
                features = _rnn.H(_rnn.Layers - 1);
                break;
            case AttentionKind.Bahdanau:
                AttendBahdanau(_rnn.H(_rnn.Layers - 1));                       // q = s_{t−1}ᵀᵒᵖ → α, c (B, M)
                for (int r = 0; r < b; r++) _attention!.Context.AsSpan(r * _config.MemorySize, _config.MemorySize).CopyTo(_x.AsSpan(r * input + e));
                _rnn.Step(x);                                                  // s_t = RNN([e; c], s_{t−1})
                features = _rnn.H(_rnn.Layers - 1);
                break;
            default:
                if (_config.InputFeeding)
                    for (int r = 0; r < b; r++) _attention!.Feed.AsSpan(r * h, h).CopyTo(_x.AsSpan(r * input + e, h));    // [e; h̃_{t−1}]
                _rnn.Step(x);                                                  // h_t
                features = AttendLuong(_rnn.H(_rnn.Layers - 1));               // h̃_t = tanh(W_c [c_t; h_t])
                break;
        }
        Gemm.Compute(false, b, T.One, features, h, _out, T.Zero, _logits, Vocabulary, _pool);   // z = feature oᵀ + b (B, V)
        var bias = _decoder.Out.Bias!.Value.Span;
        for (int r = 0; r < b; r++) TensorPrimitives.Add(_logits.AsSpan(r * Vocabulary, Vocabulary), bias, _logits.AsSpan(r * Vocabulary, Vocabulary));
        LogSoftmax(_logits.AsSpan(0, b * Vocabulary), Vocabulary, logProbs, _exp);
        if (_attention is null) { attention.Clear(); return; }
        TensorPrimitives.ConvertTruncating<T, double>(_attention.Alpha.AsSpan(0, attention.Length), attention);   // α (B, S), exact
    }

    /// <inheritdoc/>
    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length > _source.Length)
            throw new ArgumentException($"Seq2SeqStepper.Reorder: {parents.Length} parents, but the stepper was built for {_source.Length} rows.", nameof(parents));
        _rnn.Reorder(parents);                                                            // checks every parent < Rows
        if (_config.InputFeeding) _attention!.ReorderFeed(parents, _config.HiddenSize);   // h̃_{t−1} travels with its row
        for (int r = 0; r < parents.Length; r++) (_sourceSpare[r], _lengthSpare[r]) = (_source[parents[r]], _length[parents[r]]);
        (_source, _sourceSpare, _length, _lengthSpare) = (_sourceSpare, _source, _lengthSpare, _length);
        Rows = parents.Length;
    }

    /// <summary>Gives the packed weights back to their pool.</summary>
    public void Dispose()
    {
        _rnn.Dispose();
        _out.Dispose();
        _attention?.Dispose();
    }

    /// <summary>
    /// log softmax of each of the rows of <paramref name="logits"/> (rows, V), in double: log p_v = z_v − (max + log Σ exp(z − max)),
    /// vectorised over V (<paramref name="scratch"/> holds V values). The reference decoder in the tests shares it.
    /// </summary>
    internal static void LogSoftmax(ReadOnlySpan<T> logits, int v, Span<double> logProbs, Span<double> scratch)
    {
        var exp = scratch[..v];
        for (int r = 0; r < logits.Length / v; r++)
        {
            var lp = logProbs.Slice(r * v, v);
            TensorPrimitives.ConvertTruncating<T, double>(logits.Slice(r * v, v), lp);   // exact: float and double widen
            double max = TensorPrimitives.Max<double>(lp);
            TensorPrimitives.Subtract<double>(lp, max, exp);
            TensorPrimitives.Exp<double>(exp, exp);
            TensorPrimitives.Subtract<double>(lp, max + Math.Log(TensorPrimitives.Sum<double>(exp)), lp);
        }
    }

    /// <summary>Row r of <paramref name="to"/> (B, width) = the row of r's source in <paramref name="from"/> (N, width).</summary>
    private void CopyRows(ReadOnlySpan<T> from, Span<T> to, int width)
    {
        for (int r = 0; r < Rows; r++) from.Slice(_source[r] * width, width).CopyTo(to.Slice(r * width, width));
    }
}
