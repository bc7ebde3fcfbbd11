using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Models;

/// <summary>
/// A float32 snapshot of a <see cref="LanguageModel{T}"/>'s weights, laid out for batch-1 stepping:
/// <list type="bullet">
/// <item>layer 0's input side is a table: row v = W_emb[v] · W_ih0ᵀ + b_ih0 + b_hh0 (V, G·H), so a step looks
/// its pre-activation up instead of multiplying (for GRU, b_hn stays out: it sits inside r ⊙ (·));</item>
/// <item>the gate rows of W_ih, W_hh and the biases are regrouped by chunks of <see cref="ChunkUnits"/> hidden
/// units: chunk c holds, gate by gate, the rows of units [c·w, c·w + n), so its pre-activations are one
/// contiguous (G·n) block in the gate-major order the fused gate kernels expect, and chunks are independent
/// work items (one thread each, no barrier between the mat-vec and the gates).</item>
/// </list>
/// </summary>
internal sealed class StepperWeights
{
    /// <summary>Hidden units per chunk (w): G·w rows of W_hh per work item (LSTM: 128 rows × H floats).</summary>
    public const int ChunkUnits = 32;

    public StepperWeights(LanguageModel<float> model, StepperPrecision precision)
    {
        Precision = precision;
        bool bf16 = precision == StepperPrecision.BFloat16;
        float[] Matrix(Autograd.Var<float> w)
        {
            float[] values = w.Value.ToArray();
            if (bf16) MatVecBf16.Round(values);
            return values;
        }
        var config = model.Config;
        (V, H, L) = (config.VocabularySize, config.HiddenSize, config.NumLayers);
        Spec = CellSpec.Of(config.Cell);
        G = Spec.Gates;
        Chunks = (H + ChunkUnits - 1) / ChunkUnits;
        WeightIh = new float[L][];
        WeightHh = new float[L][];
        WeightIhBf16 = new uint[L][];
        WeightHhBf16 = new uint[L][];
        Bias = new float[L][];
        BiasHn = new float[L][];
        for (int l = 0; l < L; l++)
        {
            var w = model.Recurrent.WeightsOf(l, 0);
            float[] bias = w.BiasIh.Value.ToArray();
            float[] bhh = w.BiasHh.Value.ToArray();
            int folded = Spec.HiddenBiasApart ? (G - 1) * H : G * H;   // GRU: b_hr, b_hz fold in; b_hn does not
            for (int r = 0; r < folded; r++) bias[r] += bhh[r];
            BiasHn[l] = Spec.HiddenBiasApart ? bhh.AsSpan(folded, H).ToArray() : [];
            Bias[l] = ChunkRows(bias, 1);
            float[] wih = ChunkRows(Matrix(w.WeightIh), w.WeightIh.Value.Dim(1));
            float[] whh = ChunkRows(Matrix(w.WeightHh), H);
            if (l == 0)
            {
                // Layer 0 input table: (V, G·H) = W_emb · W_ih0ᵀ + bias, already in chunk order.
                int e = config.EmbeddingSize;
                float[] embedding = Matrix(model.Encoder.Weight);
                InputTable = new float[V * G * H];
                for (int v = 0; v < V; v++)
                    MatVec.Multiply(wih, embedding.AsSpan(v * e, e), Bias[0], InputTable.AsSpan(v * G * H, G * H));
                (WeightIh[l], WeightIhBf16[l]) = ([], []);
            }
            else
            {
                WeightIh[l] = bf16 ? [] : TransposeChunks(wih, H);
                WeightIhBf16[l] = bf16 ? PackChunks(wih, H) : [];
            }
            WeightHh[l] = bf16 ? [] : TransposeChunks(whh, H);
            WeightHhBf16[l] = bf16 ? PackChunks(whh, H) : [];
        }
        float[] decoder = Matrix(model.DecoderWeight);
        Decoder = bf16 ? [] : Transpose(decoder, V, H);
        DecoderBf16 = bf16 ? MatVecBf16.PackTransposed(decoder, V, H) : [];
        DecoderBias = model.DecoderBias.Value.ToArray();
    }

    public int V { get; }
    public int H { get; }
    public int L { get; }
    public int G { get; }

    /// <summary>The cell: its gate kernel, and which biases fold.</summary>
    public CellSpec Spec { get; }

    /// <summary>Float32, or bfloat16 matrices (<see cref="MatVecBf16"/>).</summary>
    public StepperPrecision Precision { get; }

    /// <summary>[layer] with bfloat16: W_ih in chunk order, each chunk packed by <see cref="MatVecBf16.PackTransposed"/> (chunk c at word G·first·H / 2).</summary>
    public uint[][] WeightIhBf16 { get; }

    /// <summary>[layer] with bfloat16: W_hh, packed like <see cref="WeightIhBf16"/>.</summary>
    public uint[][] WeightHhBf16 { get; }

    /// <summary>With bfloat16: W_dec packed by <see cref="MatVecBf16.PackTransposed"/>.</summary>
    public uint[] DecoderBf16 { get; }

    /// <summary>ceil(H / w).</summary>
    public int Chunks { get; }

    /// <summary>(V, G·H) layer-0 pre-activations per token, chunk order.</summary>
    public float[] InputTable { get; } = [];

    /// <summary>[layer] W_ih (G·H, H) for layers &gt; 0 in chunk order, each chunk's (G·n, H) block stored transposed (H, G·n); empty for layer 0 (its product is <see cref="InputTable"/>).</summary>
    public float[][] WeightIh { get; }

    /// <summary>[layer] W_hh (G·H, H) in chunk order, each chunk's (G·n, H) block stored transposed (H, G·n) for <see cref="MatVec.MultiplyTransposed"/>.</summary>
    public float[][] WeightHh { get; }

    /// <summary>[layer] b_ih + b_hh (GRU: without b_hn), chunk order.</summary>
    public float[][] Bias { get; }

    /// <summary>[layer] the hidden-side bias kept apart (H): GRU's b_hn, empty for the other cells.</summary>
    public float[][] BiasHn { get; }

    /// <summary>W_decᵀ (H, V).</summary>
    public float[] Decoder { get; }

    /// <summary>b_dec (V).</summary>
    public float[] DecoderBias { get; }

    /// <summary>Units [First, First + Count) of chunk <paramref name="c"/>; its rows are [G·First, G·(First + Count)).</summary>
    public (int First, int Count) Chunk(int c)
    {
        int first = c * ChunkUnits;
        return (first, Math.Min(ChunkUnits, H - first));
    }

    /// <summary>Each chunk's block of G·n rows (<paramref name="cols"/> wide) transposed in place of itself: (cols, G·n), k-major.</summary>
    private float[] TransposeChunks(float[] rows, int cols)
    {
        var result = new float[rows.Length];
        for (int c = 0; c < Chunks; c++)
        {
            var (first, n) = Chunk(c);
            int r0 = G * first, count = G * n;
            Transpose(rows.AsSpan(r0 * cols, count * cols), count, cols).CopyTo(result.AsSpan(r0 * cols));
        }
        return result;
    }

    /// <summary>
    /// Each chunk's G·n rows packed in bfloat16 (<see cref="MatVecBf16.PackTransposed"/>). Chunks before the last
    /// have G·32 rows (a multiple of 32, no padding), so chunk c starts at word G·first·cols / 2.
    /// </summary>
    private uint[] PackChunks(float[] rows, int cols)
    {
        var (last, lastN) = Chunk(Chunks - 1);
        var result = new uint[G * last * cols / 2 + cols * MatVecBf16.PaddedRows(G * lastN) / 2];
        for (int c = 0; c < Chunks; c++)
        {
            var (first, n) = Chunk(c);
            int r0 = G * first, count = G * n;
            MatVecBf16.PackTransposed(rows.AsSpan(r0 * cols, count * cols), count, cols).CopyTo(result.AsSpan(r0 * cols / 2));
        }
        return result;
    }

    /// <summary>(rows, cols) row-major → (cols, rows) row-major.</summary>
    private static float[] Transpose(ReadOnlySpan<float> a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < cols; k++)
                t[k * rows + r] = a[r * cols + k];
        return t;
    }

    /// <summary>
    /// Reorders the G·H rows (each <paramref name="cols"/> wide) of a gate-stacked matrix from PyTorch's order
    /// (row g·H + j for gate g, unit j) to chunk order (row G·first + g·n + (j − first) within j's chunk).
    /// </summary>
    private float[] ChunkRows(float[] rows, int cols)
    {
        var result = new float[rows.Length];
        for (int c = 0; c < Chunks; c++)
        {
            var (first, n) = Chunk(c);
            for (int g = 0; g < G; g++)
                for (int j = 0; j < n; j++)
                    rows.AsSpan((g * H + first + j) * cols, cols).CopyTo(result.AsSpan((G * first + g * n + j) * cols, cols));
        }
        return result;
    }
}
