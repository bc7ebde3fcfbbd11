using System.Collections.Concurrent;
using System.Reflection;
using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// One gradient-check case: a function of double inputs (built from the ops under test) and the input values.
/// <paramref name="Options"/> overrides the defaults (e.g. fast mode for large inputs).
/// </summary>
public sealed record GradCheckCase(string Name, Func<Var<double>[], Var<double>> F, Tensor<double>[] Inputs, GradientCheckOptions? Options = null)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// A source of gradient-check cases. Implement it in a public class with a parameterless constructor anywhere in
/// this test assembly (e.g. <c>Engine.Tests/Nn/LstmGradCheckCases.cs</c>); <see cref="GradCheckRegistry"/> finds it by
/// reflection, runs its cases as tests, and counts the node types their graphs contain towards op coverage.
/// Generate shapes and values from a <see cref="SeededRng"/> with a fixed seed so every run checks the same cases.
/// </summary>
public interface IGradCheckCaseSource
{
    /// <summary>The cases; names must be unique across all sources (prefix them with the op name).</summary>
    IEnumerable<GradCheckCase> Cases();
}

/// <summary>
/// All registered gradient-check cases, and their results computed once per test run (the checks are
/// deterministic, so the per-case theory and the coverage meta-test share one evaluation).
/// </summary>
public static class GradCheckRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, GradCheckCase>> Registered = new(Discover);
    private static readonly ConcurrentDictionary<string, Lazy<GradientCheckResult>> Results = new();

    /// <summary>Every registered case, by name.</summary>
    public static IReadOnlyDictionary<string, GradCheckCase> All => Registered.Value;

    /// <summary>Case names for xunit's MemberData.</summary>
    public static IEnumerable<object[]> CaseNames() => All.Keys.Order(StringComparer.Ordinal).Select(n => new object[] { n });

    /// <summary>
    /// Runs the named case (once per test run); throws <see cref="GradientCheckException"/> if it fails. Registered
    /// cases must keep the default tolerances (<see cref="RequireDefaultTolerances"/>), so coverage cannot be bought with
    /// a loose check; a case that needs looser bounds belongs in its own test, with the reason.
    /// </summary>
    public static GradientCheckResult Run(string name)
    {
        var c = All[name];
        RequireDefaultTolerances(c);
        return Results.GetOrAdd(name, _ => new Lazy<GradientCheckResult>(
            () => GradientCheck.Check(c.F, c.Options ?? GradientCheckOptions.Default, c.Inputs))).Value;
    }

    /// <summary>
    /// Throws unless the case checks at least as tightly as the defaults: eps 1e-6 (a larger step hides curvature, a
    /// smaller one adds cancellation), atol ≤ 1e-5, rtol ≤ 1e-3, and failures throwing. Fast mode and the seed may differ.
    /// </summary>
    public static void RequireDefaultTolerances(GradCheckCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var defaults = GradientCheckOptions.Default;
        if (c.Options is { } o && (o.Eps != defaults.Eps || o.Atol > defaults.Atol || o.Rtol > defaults.Rtol || !o.ThrowOnFailure))
            throw new InvalidOperationException(
                $"GradCheckRegistry: case '{c.Name}' loosens the check (eps {o.Eps}, atol {o.Atol}, rtol {o.Rtol}, throw {o.ThrowOnFailure}); registered cases use the default tolerances.");
    }

    private static IReadOnlyDictionary<string, GradCheckCase> Discover()
    {
        var cases = new Dictionary<string, GradCheckCase>(StringComparer.Ordinal);
        var sources = typeof(GradCheckRegistry).Assembly.GetTypes()
            .Where(t => typeof(IGradCheckCaseSource).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in sources)
        {
            var source = (IGradCheckCaseSource)Activator.CreateInstance(type)!;
            foreach (var c in source.Cases())
                if (!cases.TryAdd(c.Name, c))
                    throw new InvalidOperationException($"GradCheckRegistry: case name '{c.Name}' from {type.Name} is already registered.");
        }
        return cases;
    }
}
