using System.Text.RegularExpressions;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests.Autograd;

/// <summary>docs/autograd.md's op table lists every op: each public <c>Ops</c> method of each op file is a row.</summary>
public partial class OpTableTests
{
    [GeneratedRegex(@"public static Var<T>(?:\[\])? (\w+)<T>")]
    private static partial Regex PublicOp();

    [Fact]
    public void EveryOpFile_HasItsOpsInTheDocsTable()
    {
        string table = string.Join("\n", File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "autograd.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)));
        var missing = new List<string>();
        int files = 0;
        foreach (string file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "Engine", "Autograd", "Ops"), "*.cs").Order(StringComparer.Ordinal))
        {
            var names = PublicOp().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Distinct().ToList();
            if (names.Count == 0) continue;              // Ops.cs (the partial class) and Reduction.cs (an enum)
            files++;
            foreach (string name in names)
                if (!table.Contains($"`{name}(", StringComparison.Ordinal) && !table.Contains($"/ `{name}", StringComparison.Ordinal))
                    missing.Add($"{Path.GetFileName(file)}: {name}");
        }
        Assert.True(files >= 30, $"only {files} op files found");
        Assert.True(missing.Count == 0, "ops missing from docs/autograd.md's table: " + string.Join(", ", missing));
    }
}
