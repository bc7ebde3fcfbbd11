using SeqLearn.Text;

namespace SeqLearn.NGrams;

/// <summary>
/// An n-gram language model in back-off (ARPA) form, what every estimator produces and what ARPA files hold:
/// <code>
/// log10 p(w | h) = log10 p*(h w)                          if the n-gram h w is stored
///                = log10 bo(h) + log10 p(w | h')           otherwise (h' = h without its oldest word; bo = 1 if h is not stored)
/// </code>
/// Query semantics are KenLM's: a sentence starts in the context &lt;s&gt;, &lt;/s&gt; is scored, a word not in the
/// vocabulary is scored as &lt;unk&gt;. Probabilities are single-precision log10 values as in ARPA files.
/// </summary>
public sealed partial class BackoffModel
{
    /// <summary>log10 of zero probability in ARPA files.</summary>
    public const float LogZero = -99f;

    private readonly NGramTable[] _tables;
    private readonly float[][] _logProb;     // [k-1][entry]
    private readonly float[][] _logBackoff;  // [k-1][entry], k < N

    /// <summary>
    /// Creates a model from its tables: <paramref name="tables"/>[k−1] holds the k-grams (the unigram table with entry == id),
    /// <paramref name="logProb"/> and <paramref name="logBackoff"/> the log10 values by entry (no back-offs for the highest order).
    /// </summary>
    public BackoffModel(NGramVocabulary vocabulary, NGramTable[] tables, float[][] logProb, float[][] logBackoff)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(logProb);
        ArgumentNullException.ThrowIfNull(logBackoff);
        if (tables.Length == 0) throw new ArgumentException("A model needs at least unigrams.", nameof(tables));
        if (logProb.Length != tables.Length)
            throw new ArgumentException($"{logProb.Length} probability arrays for {tables.Length} tables.", nameof(logProb));
        if (logBackoff.Length < tables.Length - 1)
            throw new ArgumentException($"{logBackoff.Length} back-off arrays for {tables.Length} tables (one per order below the highest).", nameof(logBackoff));
        for (int k = 1; k <= tables.Length; k++)
        {
            if (tables[k - 1] is null) throw new ArgumentException($"Table {k} is null.", nameof(tables));
            if (logProb[k - 1] is null) throw new ArgumentException($"Order {k}: the probabilities are null.", nameof(logProb));
            if (k < tables.Length && logBackoff[k - 1] is null) throw new ArgumentException($"Order {k}: the back-offs are null.", nameof(logBackoff));
        }
        if (tables[0].Count != vocabulary.Count)
            throw new ArgumentException($"The unigram table has {tables[0].Count} entries for a vocabulary of {vocabulary.Count}.", nameof(tables));
        for (int k = 1; k <= tables.Length; k++)
        {
            if (tables[k - 1].Order != k) throw new ArgumentException($"Table {k} holds {tables[k - 1].Order}-grams.", nameof(tables));
            if (logProb[k - 1].Length != tables[k - 1].Count)
                throw new ArgumentException($"Order {k}: {logProb[k - 1].Length} probabilities for {tables[k - 1].Count} n-grams.", nameof(logProb));
            if (k < tables.Length && logBackoff[k - 1].Length != tables[k - 1].Count)
                throw new ArgumentException($"Order {k}: {logBackoff[k - 1].Length} back-offs for {tables[k - 1].Count} n-grams.", nameof(logBackoff));
        }
        Vocabulary = vocabulary;
        _tables = tables;
        _logProb = logProb;
        _logBackoff = logBackoff;
        _index = new Lazy<ScoringIndex>(() => new ScoringIndex(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private readonly Lazy<ScoringIndex> _index;

    /// <summary>The model's vocabulary (its unigrams).</summary>
    public NGramVocabulary Vocabulary { get; }

    /// <summary>Highest order N.</summary>
    public int Order => _tables.Length;

    /// <summary>The stored k-grams.</summary>
    public NGramTable Table(int k) => _tables[NGramCounts.CheckOrder(k, Order, "BackoffModel.Table")];

    /// <summary>log10 p*(n-gram) by entry of <see cref="Table"/>(k).</summary>
    public ReadOnlySpan<float> LogProbs(int k) => _logProb[NGramCounts.CheckOrder(k, Order, "BackoffModel.LogProbs")];

    /// <summary>log10 bo(n-gram) by entry of <see cref="Table"/>(k), for k &lt; N; for k = N what the model was given (none: empty).</summary>
    public ReadOnlySpan<float> LogBackoffs(int k)
    {
        int i = NGramCounts.CheckOrder(k, Order, "BackoffModel.LogBackoffs");
        return i < _logBackoff.Length ? _logBackoff[i] : default;
    }

    /// <summary>Approximate bytes held by the model.</summary>
    public long Bytes => _tables.Sum(t => t.Bytes + 8L * t.Count);

    /// <summary>A state holding only &lt;s&gt;: the context at the start of every sentence.</summary>
    public NGramState BeginSentence()
    {
        var state = new NGramState(Order);
        if (Order > 1)
        {
            state.History[0] = Vocabulary.BosId;
            state.Backoff[0] = _logBackoff[0][Vocabulary.BosId];
            state.Slot[0] = Vocabulary.BosId;
            state.Length = 1;
        }
        return state;
    }

    /// <summary>A state with no context at all.</summary>
    public NGramState EmptyState() => new(Order);

    /// <summary>
    /// log10 p(<paramref name="word"/> | <paramref name="state"/>); the state after the word is written to
    /// <paramref name="next"/> (which may be <paramref name="state"/> itself, or null to leave it unchanged).
    /// Probes (w), (v w), (u v w), … through the scoring index until one is missing (stored n-gram sets are
    /// suffix-closed), takes the longest one's p*, and adds the back-offs of the longer contexts. Allocates nothing.
    /// </summary>
    [SkipLocalsInit]
    public float LogProb10(NGramState state, int word, NGramState? next)
    {
        int n = Order;
        if (state is null || state.Order != n || (next is not null && next.Order != n) || (uint)word >= (uint)_logProb[0].Length)
            ThrowBadLogProbArguments(state, word, next);
        int len = state.Length;
        ScoringIndex index = _index.Value;
        Span<int> newSlot = stackalloc int[n];
        Span<float> newBackoff = stackalloc float[n];
        float logP = _logProb[0][word];
        newSlot[0] = word;
        if (n > 1) newBackoff[0] = _logBackoff[0][word];
        int matched = 1;
        int maxK = Math.Min(n, len + 1);
        for (int k = 2; k <= maxK; k++)
        {
            int slot = index.Find(k, state.Slot[k - 2], word);
            if (slot < 0) break;
            ref ScoringIndex.Slot s = ref index.Slots[k - 1][slot];
            logP = s.LogProb;
            newBackoff[k - 1] = s.LogBackoff;
            newSlot[k - 1] = slot;
            matched = k;
        }
        // Contexts longer than the matched one were not extended by word: pay their back-offs.
        for (int j = matched - 1; j < len; j++) logP += state.Backoff[j];

        if (next is not null)
        {
            int keep = Math.Min(matched, n - 1);
            // New history: the last keep−1 old words, then word. Entry j describes the (j+1)-gram ending in word.
            int shift = len - (keep - 1);
            for (int j = 0; j < keep - 1; j++) next.History[j] = state.History[shift + j];
            if (keep > 0) next.History[keep - 1] = word;
            for (int j = 0; j < keep; j++)
            {
                next.Slot[j] = newSlot[j];
                next.Backoff[j] = newBackoff[j];
            }
            next.Length = keep;
        }
        return logP;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowBadLogProbArguments(NGramState? state, int word, NGramState? next)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Order != Order)
            throw new ArgumentException($"BackoffModel.LogProb10: the state is for order {state.Order}, this model is of order {Order} (make it with BeginSentence or EmptyState of this model).", nameof(state));
        if (next is not null && next.Order != Order)
            throw new ArgumentException($"BackoffModel.LogProb10: the next state is for order {next.Order}, this model is of order {Order}.", nameof(next));
        throw new ArgumentOutOfRangeException(nameof(word), word, $"BackoffModel.LogProb10: word id {word} is outside the vocabulary [0, {_logProb[0].Length}).");
    }

    /// <summary>log10 p(word | context) for an explicit context (oldest word first); the context is used as given (no &lt;s&gt; added).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id of <paramref name="context"/>, or <paramref name="word"/>, is outside the vocabulary.</exception>
    public float LogProb10(ReadOnlySpan<int> context, int word)
    {
        int size = _logProb[0].Length;
        for (int i = 0; i < context.Length; i++)
            if ((uint)context[i] >= (uint)size)
                throw new ArgumentOutOfRangeException(nameof(context), $"BackoffModel.LogProb10: context id {context[i]} (position {i}) is outside the vocabulary [0, {size}).");
        var state = EmptyState();
        int start = Math.Max(0, context.Length - (Order - 1));
        foreach (int id in context[start..]) LogProb10(state, id, state);
        return LogProb10(state, word, null);
    }
}
