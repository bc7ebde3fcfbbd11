namespace SeqLearn.Tests.Checkpoints;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    private static int _counter;

    public TempDir(string tag)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"seqlearn-{tag}-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}");
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        try { File.Delete(Path + ".lock"); } catch (IOException) { }   // a classifier saved to Path itself locks it beside it
    }
}
