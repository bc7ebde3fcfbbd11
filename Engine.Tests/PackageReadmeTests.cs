using System.Text.RegularExpressions;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests;

/// <summary>Engine/PACKAGE.md, the README of the SeqLearn.Engine package page: links that work there, code that is the README's.</summary>
public class PackageReadmeTests
{
    private const string Repository = "https://github.com/seqlearn/seqlearn";

    private static string[] PackageReadme => File.ReadAllLines(Path.Combine(RepoPaths.Root, "Engine", "PACKAGE.md"));

    private static IEnumerable<string> CodeLines(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith("using ", StringComparison.Ordinal))
             .Select(l => Regex.Replace(l, @"\s+//.*$", ""));

    private static string[] CsharpBlock(string[] lines, int block)
    {
        int open = -1, close = -1;
        for (int k = 0; k <= block; k++)
        {
            open = Array.FindIndex(lines, close + 1, l => l.Trim() == "```csharp");
            Assert.True(open >= 0, $"fewer than {block + 1} ```csharp blocks.");
            close = Array.FindIndex(lines, open + 1, l => l.Trim() == "```");
        }
        return lines[(open + 1)..close];
    }

    [Fact]
    public void Links_AreAbsoluteAndNameExistingFiles()
    {
        var links = PackageReadme.SelectMany(l => Regex.Matches(l, @"\]\(([^)]*)\)").Select(m => m.Groups[1].Value)).ToList();
        Assert.NotEmpty(links);
        foreach (string link in links)
        {
            Assert.True(link.StartsWith(Repository, StringComparison.Ordinal), $"PACKAGE.md: link '{link}' is not an absolute link into {Repository}.");
            const string blob = Repository + "/blob/main/";
            if (link.StartsWith(blob, StringComparison.Ordinal))
            {
                string path = link[blob.Length..].Split('#')[0];
                Assert.True(File.Exists(Path.Combine(RepoPaths.Root, path)), $"PACKAGE.md: link '{link}' names '{path}', which the repository does not have.");
            }
        }
    }

    [Fact]
    public void ClassifierExample_IsTheReadmeClassifier()
    {
        var readme = CodeLines(CsharpBlock(File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md")), 1)).ToHashSet();
        var package = CodeLines(CsharpBlock(PackageReadme, 0)).ToList();
        Assert.True(package.Count >= 6, "PACKAGE.md: the classifier example has fewer than 6 code lines.");
        foreach (string line in package)
            Assert.True(readme.Contains(line), $"PACKAGE.md: '{line}' is not a line of the README's classifier example (ReadmeClassifierExampleTests).");
    }
}
