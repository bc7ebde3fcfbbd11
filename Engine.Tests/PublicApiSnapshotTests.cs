using System.Reflection;
using SeqLearn.Nn;
using SeqLearn.Tests.Optim;

namespace SeqLearn.Tests;

/// <summary>
/// Engine/PublicAPI.Shipped.txt + PublicAPI.Unshipped.txt, the snapshot that the public-API analyzer holds the build to
/// (RS0016/RS0017 are errors): its types are exactly the assembly's visible types. If the analyzer were dropped from
/// Engine.csproj, a type added or removed without updating the snapshot would fail here.
/// </summary>
public class PublicApiSnapshotTests
{
    private static readonly string[] Modifiers = ["abstract ", "static ", "sealed ", "virtual ", "override ", "readonly ", "const "];

    [Fact]
    public void SnapshotTypes_AreExactlyTheAssemblysVisibleTypes()
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "Engine", file));
            Assert.Equal("#nullable enable", lines.FirstOrDefault()); // nullable annotations are part of the snapshot
            foreach (var line in lines.Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Contains("->", StringComparison.Ordinal)))
                listed.Add(StripModifiers(line));
        }
        var visible = typeof(Module<>).Assembly.GetTypes().Where(t => t.IsVisible).Select(ApiName).ToHashSet(StringComparer.Ordinal);

        Assert.True(visible.Count > 100, $"only {visible.Count} visible types found");
        Assert.Empty(visible.Except(listed).Order(StringComparer.Ordinal));
        Assert.Empty(listed.Except(visible).Order(StringComparer.Ordinal));
    }

    private static string StripModifiers(string line)
    {
        for (bool again = true; again;)
        {
            again = false;
            foreach (var m in Modifiers)
                if (line.StartsWith(m, StringComparison.Ordinal)) { line = line[m.Length..]; again = true; }
        }
        return line;
    }

    /// <summary>The analyzer's spelling of a type: <c>SeqLearn.Nn.Module&lt;T&gt;</c>, nested types joined by '.'.</summary>
    private static string ApiName(Type t)
    {
        string name = t.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        var own = t.GetGenericArguments().Skip(t.DeclaringType?.GetGenericArguments().Length ?? 0).Select(a => a.Name).ToArray();
        if (own.Length > 0) name += "<" + string.Join(", ", own) + ">";
        return (t.DeclaringType is { } outer ? ApiName(outer) : t.Namespace) + "." + name;
    }
}
