using System.Text.RegularExpressions;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests.Support;

/// <summary>
/// The determinism rule of docs/testing.md, held over the sources: no test or library file draws from
/// <c>System.Random</c> or seeds anything from the clock (every draw goes through a <c>SeededRng</c> with a fixed seed).
/// </summary>
public partial class DeterministicSourcesTests
{
    /// <summary>
    /// <c>new Random(…)</c> (also spelled <c>System.Random</c> or <c>global::System.Random</c>), a target-typed
    /// <c>Random r = new(…)</c>, <c>Random.Shared</c>, and the clock read as a seed.
    /// </summary>
    [GeneratedRegex(@"\bnew\s+(global::)?(System\.)?Random\s*\(|\bRandom\??\s+@?\w+\s*=\s*new\s*\(|\bRandom\.Shared\b|Environment\.TickCount|DateTime\.(Utc)?Now\.Ticks")]
    private static partial Regex ClockOrSystemRandom();

    [Theory]
    [InlineData("var r = new Random(seed);", true)]
    [InlineData("var r = new System.Random(seed);", true)]
    [InlineData("var r = new global::System.Random();", true)]
    [InlineData("Random r = new(seed);", true)]
    [InlineData("private readonly System.Random? _r = new ();", true)]
    [InlineData("int i = Random.Shared.Next();", true)]
    [InlineData("ulong s = (ulong)Environment.TickCount64;", true)]
    [InlineData("long s = DateTime.UtcNow.Ticks;", true)]
    [InlineData("var rng = new SeededRng(seed);", false)]
    [InlineData("var lines = NGramTestCorpus.Random(5, 12, 6, 5);", false)]
    [InlineData("var (model, sources) = Random<float>(attention, cell, feed, 11);", false)]
    public void Pattern_FindsEveryWayOfMakingASystemRandom(string line, bool found) => Assert.Equal(found, ClockOrSystemRandom().IsMatch(line));

    [Fact]
    public void NoSourceDrawsFromSystemRandomOrTheClock()
    {
        string root = RepoPaths.Root;
        var hits = new List<string>();
        int files = 0;
        foreach (string dir in new[] { "Engine", "Engine.Tests", "Engine.Cli" })
            foreach (string file in Directory.GetFiles(Path.Combine(root, dir), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
                    Path.GetFileName(file) == nameof(DeterministicSourcesTests) + ".cs") continue;
                files++;
                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                    if (ClockOrSystemRandom().IsMatch(lines[i])) hits.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
            }
        Assert.True(files > 500, $"only {files} source files found: the scan is not finding them");
        Assert.True(hits.Count == 0, "System.Random or clock-seeded draws:\n" + string.Join("\n", hits));
    }
}
