using SeqLearn.Autograd;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Text;

namespace SeqLearn.Models;

/// <summary>
/// Scores held-out text under a <see cref="LanguageModel{T}"/>, reporting the same <see cref="LanguageModelScore"/>
/// as the n-gram models (<see cref="ILanguageModelEvaluator"/>), so <c>seqlearn eval</c> treats both alike.
/// <code>
/// log p(y_t | y_&lt;t) = l_t[y_t] − log Σ_v exp(l_t[v])      l_t = logits after y_0 … y_{t−1}
/// loss = −Σ log p / N (nats/token)    PPL = exp(loss)     bits/token = loss / ln 2
/// </code>
/// (the exps and their sum in float, the log and the totals in double: <see cref="FastLogSoftmaxAt"/>.)
/// The token stream is batched like training (docs/batching.md): the N predicted positions are cut into B contiguous
/// streams of S = ⌊N / B⌋, run in windows of T steps with the state carried from window to window; the last
/// N − B·S positions continue stream B − 1 at batch 1, so every token is scored exactly once. Runs under
/// <see cref="NoGradScope"/> in eval mode (no dropout; the model's mode is restored afterwards) on the fused path.
/// </summary>
public sealed class LanguageModelEvaluator : ILanguageModelEvaluator
{
    private readonly LanguageModel<float> _model;
    private readonly IVocabulary _vocabulary;
    private readonly int _batch, _steps;
    private readonly WorkerPool? _pool;

    /// <summary>An evaluator running <paramref name="batch"/> streams of <paramref name="steps"/>-step windows, optionally on <paramref name="pool"/>.</summary>
    public LanguageModelEvaluator(LanguageModel<float> model, IVocabulary vocabulary, int batch = 16, int steps = 64, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (vocabulary.Count != model.VocabularySize)
            throw new ArgumentException($"LanguageModelEvaluator: the vocabulary has {vocabulary.Count} symbols, the model V = {model.VocabularySize}.", nameof(vocabulary));
        (_model, _vocabulary, _batch, _steps, _pool) = (model, vocabulary, batch, steps, pool);
        EndId = vocabulary is WordVocabulary w ? w.EosId : vocabulary.TryGetId("\n", out int nl) ? nl : null;
    }

    /// <summary>The end-of-line token: &lt;eos&gt; for words, the newline (if in the vocabulary) for characters.</summary>
    public int? EndId { get; }

    /// <summary>
    /// The stream a text becomes: the end token first (the context a line starts from), then every line's tokens
    /// followed by the end token. Word lines are whitespace-tokenised with unknown words as &lt;unk&gt;; characters
    /// unknown to a vocabulary without &lt;unk&gt; are an error naming them. Without a newline symbol, lines are
    /// simply concatenated (and the first character is only context).
    /// </summary>
    public int[] Encode(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var ids = new List<int>();
        if (EndId is int start) ids.Add(start);
        foreach (string line in lines)
        {
            ids.AddRange(_vocabulary.Encode(line));
            if (EndId is int end) ids.Add(end);
        }
        return [.. ids];
    }

    /// <summary>Scores every token of <paramref name="lines"/> (each line's end token included) with the configured B and T.</summary>
    public LanguageModelScore Evaluate(IEnumerable<string> lines) => EvaluateTokens(Encode(lines), _batch, _steps);

    /// <summary>
    /// Scores <c>ids[1..]</c>, each given the ids before it, as B = <paramref name="batch"/> streams of
    /// T = <paramref name="steps"/>-step windows. Tokens equal to the vocabulary's &lt;unk&gt; count as OOVs;
    /// predicted end tokens count as sentences.
    /// </summary>
    public LanguageModelScore EvaluateTokens(ReadOnlySpan<int> ids, int batch, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        int v = _model.VocabularySize;
        foreach (int id in ids)
            if ((uint)id >= (uint)v) throw new ArgumentOutOfRangeException(nameof(ids), $"LanguageModelEvaluator: token {id} is outside the vocabulary [0, {v}).");
        EnsureSomethingToScore(ids.Length);
        var totals = new Totals(_vocabulary.UnkId, EndId);
        int n = ids.Length - 1;
        bool training = _model.Training;
        _model.Eval();
        try
        {
            using var _ = new NoGradScope();
            int b = Math.Min(batch, n), s = n / b;
            // One window's inputs (B·T ≤ n, also enough for the tail's 1 × T) and one row of exps, for every window.
            var buffers = new Window(new int[b * Math.Min(steps, s)], new float[_model.VocabularySize]);
            var state = Run(ids, b, s, 0, steps, null, totals, buffers);
            if (n > b * s)
                Run(ids, 1, n - b * s, b * s, steps, LastRow(state, b - 1), totals, buffers);
        }
        finally
        {
            _model.Train(training);
        }
        return totals.Score;
    }

    // The first token is context only: fewer than two leave no prediction, and a loss over none would be NaN.
    private static void EnsureSomethingToScore(int tokens)
    {
        if (tokens < 2)
            throw new ArgumentException($"LanguageModelEvaluator: {tokens} token{(tokens == 1 ? "" : "s")} leave nothing to score (the first is only context); give at least 2.", "ids");
    }

    /// <summary>Scores every token of <paramref name="lines"/> at batch 1 through <paramref name="stepper"/> (see <see cref="EvaluateStepped(ReadOnlySpan{int}, LanguageModelStepper)"/>).</summary>
    public LanguageModelScore EvaluateStepped(IEnumerable<string> lines, LanguageModelStepper stepper) => EvaluateStepped(Encode(lines), stepper);

    /// <summary>
    /// Scores <c>ids[1..]</c> as one stream at batch 1 through <paramref name="stepper"/>, from its zero state, one
    /// <see cref="LanguageModelStepper.Advance"/> per token: the loss of the model as the stepper stores it, so a
    /// <see cref="StepperPrecision.Int8"/> or <see cref="StepperPrecision.BFloat16"/> stepper gives the loss of the
    /// quantised model and a float32 one the model's own (equal to <see cref="EvaluateTokens"/> with B = 1 and one
    /// window, up to float rounding). The stepper must come from a model of this evaluator's vocabulary size.
    /// </summary>
    public LanguageModelScore EvaluateStepped(ReadOnlySpan<int> ids, LanguageModelStepper stepper)
    {
        ArgumentNullException.ThrowIfNull(stepper);
        int v = _model.VocabularySize;
        if (stepper.VocabularySize != v)
            throw new ArgumentException($"LanguageModelEvaluator: the stepper has V = {stepper.VocabularySize}, the model V = {v}.", nameof(stepper));
        foreach (int id in ids)
            if ((uint)id >= (uint)v) throw new ArgumentOutOfRangeException(nameof(ids), $"LanguageModelEvaluator: token {id} is outside the vocabulary [0, {v}).");
        EnsureSomethingToScore(ids.Length);
        var totals = new Totals(_vocabulary.UnkId, EndId);
        var state = stepper.InitialState();
        var (logits, scratch) = (new float[v], new float[v]);
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            stepper.Advance(ids[t], state, logits);
            totals.Add(ids[t + 1], FastLogSoftmaxAt(logits, ids[t + 1], scratch));
        }
        return totals.Score;
    }

    /// <summary>
    /// B streams of <paramref name="length"/> positions, stream r starting at <paramref name="offset"/> + r·length,
    /// in windows of up to T steps; returns the state after the last window. Each window is written into
    /// <paramref name="buffers"/>, so nothing but the model's forward allocates per window.
    /// </summary>
    private RecurrentState<float>? Run(ReadOnlySpan<int> ids, int batch, int length, int offset, int steps, RecurrentState<float>? state, Totals totals,
        Window buffers)
    {
        int v = _model.VocabularySize;
        var scratch = buffers.Scratch;
        for (int w0 = 0; w0 < length; w0 += steps)
        {
            int t = Math.Min(steps, length - w0);
            var inputs = buffers.Inputs.AsSpan(0, batch * t);
            for (int r = 0; r < batch; r++)
                ids.Slice(offset + r * length + w0, t).CopyTo(inputs.Slice(r * t, t));
            var (logits, next) = _model.Forward(inputs, batch, t, state, pool: _pool);   // (B·T, V)
            ReadOnlySpan<float> l = logits.Value.Span;
            for (int r = 0; r < batch; r++)
                for (int j = 0; j < t; j++)
                {
                    int target = ids[offset + r * length + w0 + j + 1];
                    totals.Add(target, FastLogSoftmaxAt(l.Slice((r * t + j) * v, v), target, scratch));
                }
            state = next;
        }
        return state;
    }

    /// <summary>log softmax(l)[y] = l_y − max l − log Σ exp(l_v − max l), in double.</summary>
    internal static double LogSoftmaxAt(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits) max = Math.Max(max, x);
        double sum = 0;
        foreach (float x in logits) sum += Math.Exp(x - max);
        return logits[target] - max - Math.Log(sum);
    }

    /// <summary>
    /// <see cref="LogSoftmaxAt"/> vectorised (TensorPrimitives max, exp and sum in float; the log and the total in
    /// double): V exps per token dominate evaluation for word vocabularies (V = 10,000 on PTB).
    /// </summary>
    private static double FastLogSoftmaxAt(ReadOnlySpan<float> logits, int target, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        return (double)logits[target] - max - Math.Log(TensorPrimitives.Sum<float>(scratch));
    }

    /// <summary>Row <paramref name="row"/> of a (L, B, H) state as a batch of one.</summary>
    private static RecurrentState<float> LastRow(RecurrentState<float>? state, int row)
    {
        ArgumentNullException.ThrowIfNull(state);
        static Var<float> Take(Var<float> x, int row) => Ops.Slice(x, 1, row, 1);
        return new RecurrentState<float>(Take(state.H, row), state.C is null ? null : Take(state.C, row));
    }

    /// <summary>The buffers of one evaluation, reused by every window: the (B, T) inputs and the exps of one row of logits.</summary>
    private sealed record Window(int[] Inputs, float[] Scratch);

    private sealed class Totals(int unkId, int? endId)
    {
        private double _logProb, _oovLogProb;
        private long _tokens, _oovs, _sentences;

        public void Add(int target, double logProb)
        {
            _logProb += logProb;
            _tokens++;
            if (target == unkId) { _oovs++; _oovLogProb += logProb; }
            if (target == endId) _sentences++;
        }

        public LanguageModelScore Score => new(_logProb, _tokens, _oovs, _oovLogProb, _sentences);
    }
}
