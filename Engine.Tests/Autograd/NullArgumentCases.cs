using System.Reflection;
using SeqLearn.Autograd;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Autograd;

/// <summary>
/// The public ops and operators <see cref="NullArgumentTests"/> covers (closed over double), and for each parameter a
/// small valid argument, so that a call with one argument null fails on that argument alone.
/// </summary>
internal static class NullArgumentCases
{
    /// <summary>Ops taking 3-D (B, T, F) values; every other Var argument is a (2, 2) matrix.</summary>
    private static readonly HashSet<string> ThreeD =
        ["LastValidStep", "MaskedMax", "MaskedMean", "BatchedMatMul", "ValidKeyScores", "ValidKeyContext", "AdditiveScores"];

    /// <summary>Every public static method of <see cref="Ops"/> and every operator of <see cref="Var{T}"/>, with T = double.</summary>
    public static IEnumerable<MethodInfo> Methods()
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var m in typeof(Ops).GetMethods(Public))
            yield return m.IsGenericMethodDefinition ? m.MakeGenericMethod(typeof(double)) : m;
        foreach (var m in typeof(Var<double>).GetMethods(Public).Where(m => m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal)))
            yield return m;
    }

    /// <summary>"Ops.Add(Var&lt;Double&gt;, Var&lt;Double&gt;)": the method and its parameter types, to name it in messages.</summary>
    public static string Describe(MethodInfo m) =>
        $"{Name(m.DeclaringType!)}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => Name(p.ParameterType)))})";

    /// <summary>True for a reference parameter annotated nullable (<c>Var&lt;T&gt;? bias</c>): null is a valid value there.</summary>
    public static bool IsOptional(MethodInfo m, int i)
    {
        var declared = (m.IsGenericMethod ? m.GetGenericMethodDefinition() : m).GetParameters()[i];
        return !declared.ParameterType.IsValueType
               && new NullabilityInfoContext().Create(declared).WriteState == NullabilityState.Nullable;
    }

    /// <summary>A small argument for <paramref name="p"/> with which <paramref name="m"/> succeeds.</summary>
    public static object? ValidArgument(MethodInfo m, ParameterInfo p)
    {
        var t = p.ParameterType;
        if (IsOptional(m, p.Position)) return null;          // LinearCrossEntropy's bias, a WorkerPool? pool: null is valid
        if (t == typeof(Var<double>)) return Var(p.Name == "v" ? [2] : ThreeD.Contains(m.Name) ? [2, 2, 2] : [2, 2]);
        if (t == typeof(IReadOnlyList<Var<double>>)) return new[] { Var([2, 2]), Var([2, 2]) };
        if (t == typeof(Tensor<double>)) return Tensor<double>.Full(1.0, 2, 2);                       // MseLoss's mask
        if (t == typeof(SeededRng)) return new SeededRng(1);
        if (t == typeof(int[]))
            return p.Name switch
            {
                "lengths" => new[] { 2, 1 },
                "targets" or "indices" => new[] { 0, 1 },
                "sizes" => new[] { 1, 1 },
                "shape" => new[] { 4 },
                _ => throw Missing(m, p),
            };
        if (p.HasDefaultValue) return t.IsEnum ? Enum.ToObject(t, p.DefaultValue!) : p.DefaultValue;
        return p.Name switch
        {
            "axis" or "start" or "axis0" => 0,
            "length" or "axis1" => 1,
            "p" => 0.5,
            "training" => true,
            "s" => 2.0,
            _ => throw Missing(m, p),
        };
    }

    private static Var<double> Var(int[] shape) => new(Tensor<double>.Full(0.5, shape), requiresGrad: true);

    private static InvalidOperationException Missing(MethodInfo m, ParameterInfo p) =>
        new($"no valid argument for parameter '{p.Name}' ({Name(p.ParameterType)}) of {Describe(m)}: add one to NullArgumentCases.ValidArgument");

    private static string Name(Type t) =>
        t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(Name))}>" : t.Name;
}
