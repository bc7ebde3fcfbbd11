namespace SeqLearn.Autograd;

/// <summary>
/// Turns graph recording off for as long as you hold it:
/// <code>using (new NoGradScope()) { var logits = model.Forward(x); }</code>
/// Scopes nest and are per thread; disposing one restores the previous mode. Values computed inside
/// have no creator and do not require gradients.
/// </summary>
public sealed class NoGradScope : IDisposable
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    /// <summary>Enters a no-grad region on the current thread.</summary>
    public NoGradScope() => GradMode.Depth++;

    /// <summary>Leaves the region. Must run on the thread that created the scope (no <c>await</c> inside the <c>using</c>).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        // The depth is per thread: disposing elsewhere would leave this thread's recording off for good and
        // turn the other thread's off too (a negative depth), silently.
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException(
                "NoGradScope: disposed on a different thread than the one that created it (an await inside the using?). The scope is per thread.");
        _disposed = true;
        GradMode.Depth--;
    }
}

/// <summary>Whether ops record the graph on this thread: true unless a <see cref="NoGradScope"/> is held.</summary>
public static class GradMode
{
    [ThreadStatic] internal static int Depth;

    /// <summary>True when ops record their inputs for backward.</summary>
    public static bool IsEnabled => Depth == 0;
}
