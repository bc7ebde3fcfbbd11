using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Autograd;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// Gradient-check cases for a whole module: the case's inputs are the data tensors followed by a copy of every
/// parameter (in <see cref="Module{T}.NamedParameters"/> order). Each evaluation copies the parameter inputs into the
/// module, runs it, and returns its output through a node whose backward runs the module's own graph and hands the
/// parameters' gradients to the parameter inputs, so the checker compares every weight's gradient with central differences.
/// </summary>
internal static class ModuleGradCase
{
    public static GradCheckCase Of(string name, Module<double> module, Tensor<double>[] data, Func<Var<double>[], Var<double>> forward)
    {
        var parameters = module.Parameters().ToArray();
        var inputs = data.Concat(parameters.Select(p => p.Value.Clone())).ToArray();
        return new GradCheckCase(name, v =>
        {
            for (int i = 0; i < parameters.Length; i++) v[data.Length + i].Value.Span.CopyTo(parameters[i].Value.Span);
            var inner = forward(v[..data.Length]);
            return Var<double>.FromOp(inner.Value.Clone(), GradMode.IsEnabled ? new BoundModuleNode(v, inner, parameters, data.Length) : null);
        }, inputs);
    }

    private sealed class BoundModuleNode(Var<double>[] inputs, Var<double> inner, Var<double>[] parameters, int firstParameter) : Node<double>(inputs)
    {
        protected override void Backward(Tensor<double> gradOutput)
        {
            foreach (var p in parameters) p.ZeroGrad();
            inner.Backward(gradOutput);
            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].Grad is not { } pg) continue;
                var g = GradOf(Inputs[firstParameter + i]);
                System.Numerics.Tensors.TensorPrimitives.Add<double>(g.Span, pg.Span, g.Span);
            }
        }
    }
}
