// The alias pattern of docs/using.md: SeqLearn.Tensors and System.Numerics.Tensors both define Tensor<T>, and an alias
// names the one meant. Compiled here so a package in which the pattern stops compiling fails CI.
using System.Numerics.Tensors;
using SeqLearn.Tensors;
using Tensor = SeqLearn.Tensors.Tensor<float>;

namespace Consumer;

public static class TensorAlias
{
    public static float Sum()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3);
        return TensorPrimitives.Sum<float>(x.Span);
    }
}
