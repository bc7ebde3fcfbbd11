global using System.Numerics;
global using System.Runtime.CompilerServices;
global using System.Runtime.InteropServices;
// Our own Tensor<T> lives in SeqLearn.Tensors; only the span kernels are taken from System.Numerics.Tensors.
global using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
// The recurrent state and cell types (RecurrentState<T>, RecurrentCell) are shared by Nn, Models and Training.
global using SeqLearn.Nn;
