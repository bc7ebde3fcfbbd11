namespace SeqLearn.Tests.Support;

/// <summary>Finds the shared data folder by walking up from the test binary to a directory named <c>shared</c> containing <c>data</c>.</summary>
public static class SharedData
{
    /// <summary>Absolute path of the <c>shared</c> folder (e.g. /work/shared, or ../shared beside a CI clone).</summary>
    public static string Root { get; } = Find();

    /// <summary>Path of a file or folder under <c>shared/</c>.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string here = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(here, "data"))) return here;
            if (dir.Name == "shared" && Directory.Exists(Path.Combine(dir.FullName, "data"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No 'shared' folder with 'data' above {AppContext.BaseDirectory}.");
    }
}
