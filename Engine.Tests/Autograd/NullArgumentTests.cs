using System.Reflection;
using SeqLearn.Autograd;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// Every public op of <see cref="Ops"/> and every operator of <see cref="Var{T}"/> rejects a null reference argument
/// with an <see cref="ArgumentNullException"/> naming that parameter, never a NullReferenceException from inside.
/// Driven by reflection over the public surface, so a new op without its <c>ThrowIfNull</c> fails here.
/// </summary>
public class NullArgumentTests
{
    /// <summary>
    /// The methods reflection cannot call because a parameter is a span (it cannot be boxed; a span is never null),
    /// each driven by hand for its reference parameters. A new op with a span parameter must be added here.
    /// </summary>
    private static readonly Dictionary<string, (string Reason, (string Param, Action Call)[] Cases)> ByHand = new()
    {
        ["Ops.GatherRows(Var<Double>, ReadOnlySpan<Int32>, Int32)"] = ("indices is a ReadOnlySpan<int>",
            [("table", () => Ops.GatherRows<double>(null!, [0, 1]))]),
    };

    [Fact]
    public void EveryOpAndOperator_RejectsEachNullReferenceArgument_NamingIt()
    {
        var failures = new List<string>();
        var skippedNullable = new List<string>();
        int methods = 0, checkedParameters = 0;
        foreach (var method in NullArgumentCases.Methods())
        {
            methods++;
            string name = NullArgumentCases.Describe(method);
            var parameters = method.GetParameters();
            if (parameters.Any(p => p.ParameterType.IsByRefLike))
            {
                if (!ByHand.TryGetValue(name, out var byHand)) failures.Add($"{name}: has a span parameter, so reflection cannot call it; add it to ByHand");
                else foreach (var (param, call) in byHand.Cases) { checkedParameters++; Expect(name, param, Catch(call), failures); }
                continue;
            }
            var valid = parameters.Select(p => NullArgumentCases.ValidArgument(method, p)).ToArray();
            if (Catch(() => Invoke(method, valid)) is { } rejected)
            {
                failures.Add($"{name}: the test's valid arguments are rejected ({rejected.GetType().Name}: {rejected.Message}); fix NullArgumentCases");
                continue;
            }
            for (int i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                if (p.ParameterType.IsValueType) continue;
                if (NullArgumentCases.IsOptional(method, i))
                {
                    skippedNullable.Add($"{method.Name}.{p.Name}");   // documented as optional: null is a valid value
                    continue;
                }
                var args = (object?[])valid.Clone();
                args[i] = null;
                checkedParameters++;
                Expect(name, p.Name!, Catch(() => Invoke(method, args)), failures);
            }
        }
        foreach (string stale in ByHand.Keys.Except(NullArgumentCases.Methods().Select(NullArgumentCases.Describe)))
            failures.Add($"{stale}: listed in ByHand but no such public method exists");

        Assert.True(failures.Count == 0, $"{failures.Count} null arguments not rejected by name:\n" + string.Join("\n", failures));
        Assert.True(methods >= 50 && checkedParameters >= 60, $"only {methods} methods and {checkedParameters} parameters found");
        Assert.Contains("LinearCrossEntropy.bias", skippedNullable);       // the nullability reading works
        Assert.DoesNotContain(skippedNullable, s => s.EndsWith(".x", StringComparison.Ordinal));
    }

    private static void Invoke(MethodInfo method, object?[] args) =>
        method.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);

    private static Exception? Catch(Action call)
    {
        try { call(); return null; }
        catch (Exception e) { return e; }
    }

    private static void Expect(string method, string param, Exception? thrown, List<string> failures)
    {
        if (thrown is ArgumentNullException ane && ane.ParamName == param) return;
        string got = thrown is null ? "nothing" : $"{thrown.GetType().Name} ({(thrown as ArgumentException)?.ParamName ?? thrown.Message})";
        failures.Add($"{method} with {param} = null: expected ArgumentNullException for '{param}', got {got}");
    }
}
