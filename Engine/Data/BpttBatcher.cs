using SeqLearn.Tensors;

namespace SeqLearn.Data;

/// <summary>What to do with the input positions left after the last full window of T steps.</summary>
public enum LastWindow
{
    /// <summary>Drop them (Zaremba et al.'s PTB reader; every window has exactly T steps).</summary>
    Drop,
    /// <summary>Emit one shorter final window (PyTorch's word_language_model example).</summary>
    Keep,
}

/// <summary>
/// Batches a token stream for truncated backpropagation through time, as char-rnn and Zaremba et al. (2014):
/// the n tokens are cut into B contiguous streams of S = ⌊n / B⌋ tokens (the last n − B·S tokens are dropped),
/// stream b being tokens [b·S, (b+1)·S). Window w holds, for every stream, steps [w·T, w·T + T) as inputs and the
/// same positions shifted by one as targets:
/// <code>
/// inputs[b, t]  = tokens[b·S + w·T + t]          (B, T)
/// targets[b, t] = tokens[b·S + w·T + t + 1]      (B, T)
/// </code>
/// Consecutive windows continue each stream exactly where the previous window stopped, so the caller carries
/// the hidden state from window w to w + 1 (detached) for row b. Only S − 1 positions of a stream have a target;
/// if T does not divide S − 1 the remainder is dropped or given as a shorter last window (<see cref="LastWindow"/>).
/// See docs/batching.md.
/// </summary>
public sealed class BpttBatcher
{
    private readonly ReadOnlyMemory<int> _tokens;

    /// <summary>Prepares the windows; throws when the corpus cannot fill one window of every stream.</summary>
    public BpttBatcher(ReadOnlyMemory<int> tokens, int batchSize, int steps, LastWindow lastWindow = LastWindow.Drop)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"BpttBatcher: B must be positive, got {batchSize}.");
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"BpttBatcher: T must be positive, got {steps}.");
        Checks.Defined(lastWindow, "BpttBatcher", nameof(lastWindow));
        int n = tokens.Length;
        long needed = lastWindow == LastWindow.Drop ? (long)batchSize * ((long)steps + 1) : 2L * batchSize;
        if (n < needed)
            throw new ArgumentException(
                $"BpttBatcher: the corpus has {n} tokens, shorter than one batch: B = {batchSize} streams × " +
                (lastWindow == LastWindow.Drop ? $"(T = {steps} steps + 1 target) = {needed} tokens are needed." : $"2 tokens (one input, one target; T = {steps}) = {needed} tokens are needed."),
                nameof(tokens));
        _tokens = tokens;
        BatchSize = batchSize;
        Steps = steps;
        Mode = lastWindow;
        StreamLength = n / batchSize;
        int positions = StreamLength - 1;
        WindowCount = lastWindow == LastWindow.Drop ? positions / steps : ShapeUtil.CeilDiv(positions, steps);
    }

    /// <summary>B, the number of parallel streams (rows of a window).</summary>
    public int BatchSize { get; }

    /// <summary>T, the steps of a full window.</summary>
    public int Steps { get; }

    /// <summary>How the final partial window is handled.</summary>
    public LastWindow Mode { get; }

    /// <summary>S = ⌊n / B⌋, the tokens in each stream.</summary>
    public int StreamLength { get; }

    /// <summary>The n − B·S tokens at the end of the corpus that belong to no stream.</summary>
    public int DroppedTokens => _tokens.Length - BatchSize * StreamLength;

    /// <summary>The number of windows in one pass over the corpus.</summary>
    public int WindowCount { get; }

    /// <summary>The steps of window <paramref name="w"/>: T, except possibly the last one with <see cref="LastWindow.Keep"/>.</summary>
    public int WindowLength(int w)
    {
        if ((uint)w >= (uint)WindowCount) throw new ArgumentOutOfRangeException(nameof(w), $"BpttBatcher: window {w} is outside [0, {WindowCount}).");
        return Math.Min(Steps, StreamLength - 1 - w * Steps);
    }

    /// <summary>
    /// Writes window <paramref name="w"/> into <paramref name="inputs"/> and <paramref name="targets"/>, both (B, Tw)
    /// row-major with Tw = <see cref="WindowLength"/>; returns Tw. Allocates nothing.
    /// </summary>
    public int Fill(int w, Span<int> inputs, Span<int> targets) => Fill(w, 0, BatchSize, inputs, targets);

    /// <summary>
    /// Streams [<paramref name="firstStream"/>, <paramref name="firstStream"/> + <paramref name="streams"/>) of window
    /// <paramref name="w"/> into <paramref name="inputs"/> and <paramref name="targets"/>, both (streams, Tw) row-major: the
    /// rows a micro-batch of those streams reads. Returns Tw. Allocates nothing.
    /// </summary>
    internal int Fill(int w, int firstStream, int streams, Span<int> inputs, Span<int> targets)
    {
        int tw = WindowLength(w);
        if (firstStream < 0 || streams < 0 || firstStream + streams > BatchSize)
            throw new ArgumentOutOfRangeException(nameof(streams), $"BpttBatcher.Fill: streams [{firstStream}, {firstStream + streams}) are outside [0, {BatchSize}).");
        int size = streams * tw;
        if (inputs.Length < size || targets.Length < size)
            throw new ArgumentException($"BpttBatcher.Fill: window {w} needs (B, T) = ({streams}, {tw}) = {size} ids; inputs has {inputs.Length}, targets {targets.Length}.",
                inputs.Length < size ? nameof(inputs) : nameof(targets));
        var tokens = _tokens.Span;
        for (int b = 0; b < streams; b++)
        {
            int start = (firstStream + b) * StreamLength + w * Steps;
            tokens.Slice(start, tw).CopyTo(inputs.Slice(b * tw, tw));
            tokens.Slice(start + 1, tw).CopyTo(targets.Slice(b * tw, tw));
        }
        return tw;
    }

    /// <summary>Window <paramref name="w"/> in new arrays.</summary>
    public TokenWindow Window(int w)
    {
        int tw = WindowLength(w);
        var inputs = new int[BatchSize * tw];
        var targets = new int[BatchSize * tw];
        Fill(w, inputs, targets);
        return new TokenWindow(w, BatchSize, tw, inputs, targets);
    }

    /// <summary>All windows in order (one epoch).</summary>
    public IEnumerable<TokenWindow> Windows()
    {
        for (int w = 0; w < WindowCount; w++) yield return Window(w);
    }
}

/// <summary>One window of a <see cref="BpttBatcher"/>: inputs and targets, both (B, T) row-major.</summary>
public sealed record TokenWindow(int Index, int BatchSize, int Steps, int[] Inputs, int[] Targets)
{
    /// <summary>inputs[b, t].</summary>
    public int Input(int b, int t) => Inputs[Position(b, t, "TokenWindow.Input")];

    /// <summary>targets[b, t] = the token after inputs[b, t] in stream b.</summary>
    public int Target(int b, int t) => Targets[Position(b, t, "TokenWindow.Target")];

    private int Position(int b, int t, string op) => Checks.Index(b, BatchSize, op, nameof(b), "stream b") * Steps + Checks.Index(t, Steps, op, nameof(t), "step t");
}
