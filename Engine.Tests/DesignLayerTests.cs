using System.Text.RegularExpressions;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests;

/// <summary>
/// The folders of <c>Engine/</c> use each other as docs/design.md's layer diagram draws: each folder's references to the
/// others (its <c>using SeqLearn.X</c> directives and <c>X.Type</c> names, outside comments and strings) stay within
/// what the diagram lets it reach, so the diagram cannot drift from the code unnoticed.
/// </summary>
public partial class DesignLayerTests
{
    /// <summary>What each folder may use: its arrows in the diagram, and what those reach in turn.</summary>
    private static readonly Dictionary<string, string[]> Arrows = new()
    {
        ["Tensors"] = [],
        ["Text"] = [],
        ["Kernels"] = ["Tensors"],
        ["Autograd"] = ["Kernels"],
        ["Nn"] = ["Autograd"],
        ["Optim"] = ["Autograd"],
        ["Data"] = ["Tensors"],
        ["Generation"] = ["Tensors"],
        ["NGrams"] = ["Text", "Tensors"],
        ["Checkpoints"] = ["Nn", "Optim", "Text"],
        ["Training"] = ["Checkpoints"],
        // ModelCheckpoint names the seq2seq kind: the one reference from a shared folder into a task (docs/design.md).
        ["Models"] = ["Generation", "Checkpoints", "Translation"],
        ["LanguageModeling"] = ["Models", "Training", "Data"],
        ["Classification"] = ["Models", "Training", "Data"],
        ["Forecasting"] = ["Training", "Data"],
        ["Translation"] = ["Models", "Training", "Data"],
    };

    [GeneratedRegex(@"using\s+SeqLearn\.([A-Za-z]+)|(?<![\w.])SeqLearn\.([A-Za-z]+)\.|(?<![\w.])([A-Z][A-Za-z]+)\.([A-Z]\w*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\b(?:class|struct|record|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"//.*$|""(?:[^""\\]|\\.)*""", RegexOptions.Multiline)]
    private static partial Regex CommentOrString();

    /// <summary>Every folder the given one reaches through the arrows (itself included).</summary>
    private static HashSet<string> Reach(string folder)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([folder]);
        while (stack.TryPop(out var f))
            if (seen.Add(f))
                foreach (var g in Arrows[f]) stack.Push(g);
        return seen;
    }

    [Fact]
    public void EveryFolder_UsesOnlyWhatTheLayerDiagramLetsItReach()
    {
        string engine = Path.Combine(RepoPaths.Root, "Engine");
        var folders = Directory.GetDirectories(engine).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToArray();
        Assert.Equal(Arrows.Keys.Order(), folders.Order()!);   // a new folder needs its place in the diagram
        // X.Name counts as a use of folder X only when X declares a type Name (so a property called Data is not the Data folder).
        var types = folders.ToDictionary(f => f!, f => Directory.GetFiles(Path.Combine(engine, f!), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => TypeDeclaration().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)).ToHashSet());
        var violations = new List<string>();
        foreach (string folder in folders!)
        {
            var allowed = Reach(folder!);
            foreach (string file in Directory.GetFiles(Path.Combine(engine, folder!), "*.cs", SearchOption.AllDirectories))
            {
                string code = CommentOrString().Replace(File.ReadAllText(file), "");
                foreach (Match m in Reference().Matches(code))
                {
                    string used = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
                    if (m.Groups[3].Success && !(types.TryGetValue(used, out var declared) && declared.Contains(m.Groups[4].Value))) continue;
                    if (Arrows.ContainsKey(used) && !allowed.Contains(used))
                        violations.Add($"{Path.GetRelativePath(engine, file)} uses {used}");
                }
            }
        }
        Assert.True(violations.Count == 0, "outside the layer diagram of docs/design.md:\n" + string.Join("\n", violations.Distinct()));
    }

    [Fact]
    public void TheCheck_FindsAnUpwardReference()
    {
        string code = CommentOrString().Replace("using SeqLearn.Training; // Models.X \"Nn.Y\"\nvar x = Autograd.Ops.Tanh(v);", "");
        var used = Reference().Matches(code).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value).ToArray();
        Assert.Equal(["Training", "Autograd"], used);
        Assert.DoesNotContain("Training", Reach("Kernels"));
        Assert.Contains("Tensors", Reach("Translation"));
    }
}
