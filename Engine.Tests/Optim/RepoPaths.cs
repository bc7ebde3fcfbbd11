namespace SeqLearn.Tests.Optim;

/// <summary>Finds files committed in the repository (fixtures, scripts) from the test's output directory.</summary>
internal static class RepoPaths
{
    /// <summary>The repository root: the first ancestor of the test binaries that holds SeqLearn.sln.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SeqLearn.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No SeqLearn.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>A fixture file under Engine.Tests/Fixtures.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Root, "Engine.Tests", "Fixtures", .. parts]);
}
