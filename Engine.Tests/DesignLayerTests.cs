using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests;

/// <summary>
/// The folders of <c>Engine/</c> use each other as docs/design.md's layer diagram draws. <see cref="Arrows"/> is the
/// diagram as a table; every file's references to other folders — its <c>using SeqLearn.X</c> directives and the
/// qualified names <c>X.Type</c> / <c>SeqLearn.X.Type</c> in its code, read with the C# parser, so comments, strings and
/// character literals are not code and interpolation holes are — must stay within what its folder reaches.
/// </summary>
public class DesignLayerTests
{
    /// <summary>What each folder may use: its arrows in the diagram (and, through them, what those reach).</summary>
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
        ["Models"] = ["Generation", "Checkpoints"],
        ["LanguageModeling"] = ["Models", "Training", "Data"],
        ["Classification"] = ["Models", "Training", "Data"],
        ["Forecasting"] = ["Training", "Data"],
        ["Translation"] = ["Models", "Training", "Data"],
    };

    /// <summary>
    /// The one reference from a shared folder into a task (docs/design.md): <c>ModelCheckpoint</c> names the seq2seq kind.
    /// Only these types, and not transitively: Models does not reach what Translation reaches.
    /// </summary>
    private static readonly (string Folder, string Uses, string[] Types)[] Exceptions =
        [("Models", "Translation", ["Seq2Seq", "Seq2SeqConfig"])];

    /// <summary>Every folder <paramref name="folder"/> reaches through the arrows (itself included).</summary>
    private static HashSet<string> Reach(string folder)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([folder]);
        while (stack.TryPop(out var f))
            if (seen.Add(f))
                foreach (var g in Arrows[f]) stack.Push(g);
        return seen;
    }

    private static SyntaxNode Parse(string code) =>
        CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot();

    /// <summary>The type names each folder declares (classes, structs, records, interfaces, enums, delegates).</summary>
    private static Dictionary<string, HashSet<string>> DeclaredTypes(IReadOnlyDictionary<string, string[]> filesByFolder) =>
        filesByFolder.ToDictionary(kv => kv.Key, kv => kv.Value
            .SelectMany(code => Parse(code).DescendantNodes()
                .Select(n => n switch { BaseTypeDeclarationSyntax t => t.Identifier.Text, DelegateDeclarationSyntax d => d.Identifier.Text, _ => null })
                .OfType<string>())
            .ToHashSet());

    /// <summary>
    /// The references of one file (in <paramref name="folder"/>, or null for a file of <c>Engine/</c> itself) that the
    /// diagram does not allow, as "what: why" lines.
    /// </summary>
    private static IEnumerable<string> Violations(string? folder, string code, Dictionary<string, HashSet<string>> declared)
    {
        var root = Parse(code);
        var allowed = folder is null ? new HashSet<string>() : Reach(folder);
        bool Allowed(string used, string? type) =>
            allowed.Contains(used) || Exceptions.Any(e => e.Folder == folder && e.Uses == used && type is not null && e.Types.Contains(type));

        foreach (var u in root.DescendantNodes().OfType<UsingDirectiveSyntax>())
        {
            string[] parts = u.NamespaceOrType.ToString().Split('.');
            if (parts.Length < 2 || parts[0] != "SeqLearn" || !Arrows.ContainsKey(parts[1])) continue;
            string used = parts[1];
            if (!u.GlobalKeyword.IsKind(SyntaxKind.None)) { yield return $"global using SeqLearn.{used}: gives every folder that namespace"; continue; }
            if (allowed.Contains(used)) continue;
            // An allowed exception imports the namespace for its named types only: every type of it the file names must be one of them.
            var exception = Exceptions.FirstOrDefault(e => e.Folder == folder && e.Uses == used);
            var named = root.DescendantNodes().OfType<SimpleNameSyntax>().Select(n => n.Identifier.Text).Where(declared[used].Contains).Distinct().ToArray();
            var outside = exception.Types is null ? named : named.Except(exception.Types).ToArray();
            if (exception.Types is null || outside.Length > 0)
                yield return $"using SeqLearn.{used}" + (named.Length > 0 ? $" (for {string.Join(", ", outside.Length > 0 ? outside : named)})" : "");
        }
        foreach (var node in root.DescendantNodes())
        {
            // The leftmost two names of a qualified name or member access: X.Y, or SeqLearn.X.Y.
            if (node is not (QualifiedNameSyntax or MemberAccessExpressionSyntax) || node.Parent is QualifiedNameSyntax or MemberAccessExpressionSyntax && IsLeftOf(node))
                continue;
            var names = Chain(node);
            int at = names.Count > 2 && names[0] == "SeqLearn" ? 1 : 0;
            if (names.Count < at + 2) continue;
            string used = names[at], type = names[at + 1];
            if (!Arrows.ContainsKey(used) || used == folder || !declared[used].Contains(type)) continue;
            if (node.Ancestors().Any(a => a is UsingDirectiveSyntax)) continue;
            if (!Allowed(used, type)) yield return $"{used}.{type}";
        }
    }

    private static bool IsLeftOf(SyntaxNode node) => node.Parent switch
    {
        QualifiedNameSyntax q => q.Left == node,
        MemberAccessExpressionSyntax m => m.Expression == node,
        _ => false,
    };

    /// <summary>The simple names of a dotted chain, left to right (stops at anything that is not a name).</summary>
    private static List<string> Chain(SyntaxNode node)
    {
        var names = new List<string>();
        void Walk(SyntaxNode n)
        {
            switch (n)
            {
                case QualifiedNameSyntax q: Walk(q.Left); names.Add(q.Right.Identifier.Text); break;
                case MemberAccessExpressionSyntax m: Walk(m.Expression); names.Add(m.Name.Identifier.Text); break;
                case SimpleNameSyntax s: names.Add(s.Identifier.Text); break;
                case AliasQualifiedNameSyntax a: names.Add(a.Name.Identifier.Text); break;
                default: names.Add("·"); break;   // an expression: the chain does not start with a namespace
            }
        }
        Walk(node);
        return names;
    }

    [Fact]
    public void EveryFolder_UsesOnlyWhatTheLayerDiagramLetsItReach()
    {
        string engine = Path.Combine(RepoPaths.Root, "Engine");
        var folders = Directory.GetDirectories(engine).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")).ToArray();
        Assert.Equal(Arrows.Keys.Order(), folders.Order());   // a new folder needs its place in the diagram
        var files = folders.ToDictionary(f => f, f => Directory.GetFiles(Path.Combine(engine, f), "*.cs", SearchOption.AllDirectories));
        var declared = DeclaredTypes(files.ToDictionary(kv => kv.Key, kv => kv.Value.Select(File.ReadAllText).ToArray()));
        var violations = new List<string>();
        foreach (var (folder, paths) in files.Select(kv => ((string?)kv.Key, kv.Value)).Append((null, Directory.GetFiles(engine, "*.cs"))))
            foreach (string path in paths)
                violations.AddRange(Violations(folder, File.ReadAllText(path), declared).Distinct().Select(v => $"{Path.GetRelativePath(engine, path)}: {v}"));
        Assert.True(violations.Count == 0, "outside the layer diagram of docs/design.md:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheCheck_SeesCodeOnly_AndTheExceptionIsNotTransitive()
    {
        var declared = new Dictionary<string, HashSet<string>>(Arrows.Keys.ToDictionary(k => k, _ => new HashSet<string>()))
        {
            ["Autograd"] = ["Ops"], ["Training"] = ["MemoryBudget"], ["Translation"] = ["Seq2Seq", "Seq2SeqConfig", "BleuStatistics"], ["Data"] = ["BpttBatcher"],
        };
        string[] Check(string folder, string code) => Violations(folder, code, declared).ToArray();

        // Code is seen in every form: a using, a qualified name, SeqLearn.X.Y, an interpolation hole.
        Assert.Equal(["using SeqLearn.Training"], Check("Kernels", "using SeqLearn.Training;"));
        Assert.Equal(["Autograd.Ops"], Check("Kernels", "class K { object F(object v) => Autograd.Ops.Tanh(v); }"));
        Assert.Equal(["Autograd.Ops"], Check("Tensors", "class K { object F(object v) => SeqLearn.Autograd.Ops.Tanh(v); }"));
        Assert.Equal(["Autograd.Ops"], Check("Kernels", "class K { string F(object v) => $\"{Autograd.Ops.Tanh(v)}\"; }"));
        Assert.Equal(["global using SeqLearn.Training: gives every folder that namespace"], Check("Kernels", "global using SeqLearn.Training;"));
        // Comments, strings and character literals are not code; a property called Data is not the Data folder.
        Assert.Empty(Check("Kernels", "// Autograd.Ops\n/* Training.MemoryBudget */\nclass K { char q = '\"'; string s = \"Autograd.Ops\"; int F() => q; }\nclass L { object Data; object G() => Data.Span; }"));
        // The exception: Models may name Seq2Seq and Seq2SeqConfig, nothing else of Translation, and reaches nothing through it.
        Assert.Empty(Check("Models", "using SeqLearn.Translation;\nclass M { object F(Seq2SeqConfig c) => Translation.Seq2Seq<float>.X; }"));
        Assert.Equal(["using SeqLearn.Translation (for BleuStatistics)"], Check("Models", "using SeqLearn.Translation;\nclass M { BleuStatistics b; Seq2SeqConfig c; }"));
        Assert.Equal(["Training.MemoryBudget"], Check("Models", "class M { long F() => Training.MemoryBudget.Saturate(1); }"));
        Assert.Equal(["Translation.BleuStatistics"], Check("Classification", "class C { object F() => new Translation.BleuStatistics(); }"));
        Assert.Empty(Check("Translation", "class T { object F() => Data.BpttBatcher.X; }"));
    }
}
