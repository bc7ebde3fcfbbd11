using System.Reflection;
using SeqLearn.Autograd;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// Runs every registered gradient-check case (the property tests over random shapes and values) and checks that
/// every node type in the engine appeared in at least one passing check.
/// </summary>
public class GradCheckRegistryTests
{
    [Theory]
    [MemberData(nameof(GradCheckRegistry.CaseNames), MemberType = typeof(GradCheckRegistry))]
    public void RegisteredCase_PassesGradientCheck(string name)
    {
        var result = GradCheckRegistry.Run(name);
        Assert.True(result.Passed);
        Assert.True(result.Comparisons > 0, $"{name}: nothing was compared.");
    }

    [Fact]
    public void EveryNodeType_IsInAPassingGradientCheck()
    {
        var covered = new HashSet<Type>();
        var failed = new List<string>();
        foreach (var name in GradCheckRegistry.All.Keys)
        {
            try
            {
                var result = GradCheckRegistry.Run(name);
                if (result.Passed) covered.UnionWith(result.NodeTypes);
                else failed.Add(name);
            }
            catch (Exception e) { failed.Add($"{name} ({e.GetType().Name})"); }
        }
        var missing = EngineNodeTypes().Where(t => !covered.Contains(t)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"No passing gradient-check case contains these node types: {string.Join(", ", missing)}. " +
            $"Add cases in a class implementing {nameof(IGradCheckCaseSource)}." +
            (failed.Count > 0 ? $" (Failing cases, not counted: {string.Join("; ", failed)}.)" : ""));
    }

    [Fact]
    public void RequireDefaultTolerances_RefusesALooserCheck_AllowsFastModeAndATighterOne()
    {
        var d = GradientCheckOptions.Default;
        GradCheckCase Case(GradientCheckOptions? o) => new("case", v => Ops.Tanh(v[0]), [], o);
        foreach (var loose in new[] { d with { Eps = 1e-3 }, d with { Eps = 1e-8 }, d with { Atol = 1e-4 }, d with { Rtol = 1e-2 }, d with { ThrowOnFailure = false } })
        {
            var e = Assert.Throws<InvalidOperationException>(() => GradCheckRegistry.RequireDefaultTolerances(Case(loose)));
            Assert.Contains("case 'case' loosens the check", e.Message);
        }
        foreach (var fine in new GradientCheckOptions?[] { null, d, d with { FastMode = true, Seed = 7 }, d with { Atol = 1e-7, Rtol = 1e-5 } })
            GradCheckRegistry.RequireDefaultTolerances(Case(fine));
    }

    [Fact]
    public void EngineNodeTypes_FindsTheKnownOps()
    {
        // Guards the reflection above: if it found nothing, the coverage test would pass vacuously.
        var names = EngineNodeTypes().Select(t => t.Name).ToList();
        Assert.Contains("TanhNode`1", names);
        Assert.Contains("MatMulNode`1", names);
        Assert.True(names.Count >= 15, $"only {names.Count} node types found: {string.Join(", ", names)}");
    }

    [Fact]
    public void Registry_HoldsEverySourcesCases()
    {
        // Guards the discovery: a source whose generator yields nothing, or a reflection that misses sources, would leave the
        // per-case theory and the coverage test checking fewer cases than the sources define. Every source found must yield
        // a case, every case must be registered, and the registry must hold exactly the sources' total.
        var sources = typeof(GradCheckRegistry).Assembly.GetTypes()
            .Where(t => typeof(IGradCheckCaseSource).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .ToList();
        Assert.True(sources.Count >= 12, $"only {sources.Count} case sources found: {string.Join(", ", sources.Select(t => t.Name))}");
        int total = 0;
        foreach (var type in sources)
        {
            var names = ((IGradCheckCaseSource)Activator.CreateInstance(type)!).Cases().Select(c => c.Name).ToList();
            Assert.True(names.Count > 0, $"{type.Name} yields no gradient-check case.");
            Assert.All(names, n => Assert.True(GradCheckRegistry.All.ContainsKey(n), $"{type.Name}'s case '{n}' is not registered."));
            total += names.Count;
        }
        Assert.Equal(total, GradCheckRegistry.All.Count);
        Assert.True(total >= 300, $"only {total} gradient-check cases are registered.");
    }

    /// <summary>Every concrete subclass of Node&lt;T&gt; in the engine assembly, as generic definitions.</summary>
    internal static IEnumerable<Type> EngineNodeTypes() =>
        typeof(Node<>).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && DerivesFromNode(t))
            .Select(t => t.IsGenericType ? t.GetGenericTypeDefinition() : t);

    private static bool DerivesFromNode(Type t)
    {
        for (var b = t.BaseType; b is not null; b = b.BaseType)
            if (b.IsGenericType && b.GetGenericTypeDefinition() == typeof(Node<>)) return true;
        return false;
    }
}
