using SeqLearn.Kernels;
using SeqLearn.Tensors;

namespace SeqLearn.Translation;

/// <summary>
/// The gradients of <see cref="FusedBahdanauDecoder"/> that are sums over all rows r = b·U + t:
/// <code>
/// ∂b_ih += Σ_r dx̂_r               (G·H)
/// ∂b_hh += Σ_r dâ_r               (G·H)
/// ∂v    += Σ_r Σ_{s &lt; n_b} de_{r,s} τ_{r,s}     (A)
/// </code>
/// Each column is an independent sum, so the pool takes them in blocks of <see cref="ColumnBlock"/> columns; every element is
/// still summed over the rows in order r = 0, 1, …, exactly as one thread sums whole rows, so the result does not depend on
/// the thread count.
/// </summary>
internal sealed partial class FusedBahdanauDecoderNode<T, TSpec>
{
    private const int ColumnBlock = 128;

    /// <summary>Adds the three row sums into the gradients of b_ih, b_hh and v (those that require one).</summary>
    private void AddRowSums()
    {
        var sums = new ColumnSums(this, _w.BiasIh.RequiresGrad ? GradOf(_w.BiasIh) : null,
            _w.BiasHh.RequiresGrad ? GradOf(_w.BiasHh) : null, _v.RequiresGrad ? GradOf(_v) : null);
        if (_pool is null || sums.Items < 2) for (int i = 0; i < sums.Items; i++) sums.Execute(i);
        else _pool.Run(sums.Items, sums);
    }

    /// <summary>Column blocks of ∂b_ih, then ∂b_hh, then ∂v (a null gradient has no blocks).</summary>
    private sealed class ColumnSums(FusedBahdanauDecoderNode<T, TSpec> node, Tensor<T>? gbih, Tensor<T>? gbhh, Tensor<T>? gv) : IParallelWork
    {
        private readonly int _ihBlocks = gbih is null ? 0 : Blocks(node._gh), _hhBlocks = gbhh is null ? 0 : Blocks(node._gh),
            _vBlocks = gv is null ? 0 : Blocks(node._a);

        public int Items => _ihBlocks + _hhBlocks + _vBlocks;

        public void Execute(int index)
        {
            int n = node._b * node._u;
            if (index < _ihBlocks)
            {
                var (j0, w) = Columns(index, node._gh);
                var gb = gbih!.Span.Slice(j0, w);                                                  // ∂b_ih += Σ_r dx̂_r
                for (int r = 0; r < n; r++) TensorPrimitives.Add(gb, node._dgx.AsSpan(r * node._gh + j0, w), gb);
            }
            else if ((index -= _ihBlocks) < _hhBlocks)
            {
                var (j0, w) = Columns(index, node._gh);
                var gb = gbhh!.Span.Slice(j0, w);                                                  // ∂b_hh += Σ_r dâ_r
                for (int r = 0; r < n; r++) TensorPrimitives.Add(gb, node._dp.AsSpan(r * node._pw + node._a + j0, w), gb);
            }
            else
            {
                var (j0, w) = Columns(index - _hhBlocks, node._a);
                var g = gv!.Span.Slice(j0, w);                                                     // ∂v += Σ de τ
                int U = node._u, S = node._s, A = node._a;
                for (int row = 0; row < n; row++)
                {
                    int b = row / U, len = row % U < node._steps[b] ? Math.Min(node._len[b], S) : 0;
                    for (int s = 0; s < len; s++)
                        TensorPrimitives.MultiplyAdd(node._tau.AsSpan((row * S + s) * A + j0, w), node._de[row * S + s], g, g);
                }
            }
        }

        private static int Blocks(int width) => (width + ColumnBlock - 1) / ColumnBlock;

        private static (int Start, int Width) Columns(int block, int width)
        {
            int j0 = block * ColumnBlock;
            return (j0, Math.Min(ColumnBlock, width - j0));
        }
    }
}
