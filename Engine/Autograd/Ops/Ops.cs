namespace SeqLearn.Autograd;

/// <summary>
/// The differentiable ops. Each one is a static method here, defined in its own file under
/// <c>Autograd/Ops</c> next to the <see cref="Node{T}"/> that holds its saved state and backward.
/// </summary>
public static partial class Ops;
