using SeqLearn.Kernels;
using SeqLearn.Nn;

namespace SeqLearn.Models;

/// <summary>
/// A snapshot of a <see cref="LanguageModel{T}"/>'s weights, laid out for batch-1 stepping (matrices in the
/// precision of <see cref="StepperMatrix"/>, biases and the layer-0 table in float32):
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
        var config = model.Config;
        (V, H, L) = (config.VocabularySize, config.HiddenSize, config.NumLayers);
        Spec = CellSpec.Of(config.Cell);
        G = Spec.Gates;
        Chunks = (H + ChunkUnits - 1) / ChunkUnits;
        if (precision == StepperPrecision.Int8) RequireFiniteMatrices(model);
        // The matrices the layer-0 table is built from hold the values the other precisions store (bf16: rounded;
        // int8: s_r·q per row), so the stepper is exactly the model with every matrix so stored.
        float[] Rounded(Autograd.Var<float> w)
        {
            float[] values = w.Value.ToArray();
            if (precision == StepperPrecision.BFloat16) MatVecBf16.Round(values);
            if (precision == StepperPrecision.Int8) MatVecInt8.Dequantize(values, w.Value.Dim(0), w.Value.Dim(1));
            return values;
        }
        var chunkBlocks = Enumerable.Range(0, Chunks).Select(c => Chunk(c)).Select(u => (G * u.First, G * u.Count)).ToArray();
        WeightIh = new StepperMatrix?[L];
        WeightHh = new StepperMatrix[L];
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
            int inputs = w.WeightIh.Value.Dim(1);
            if (l == 0)
            {
                // Layer 0 input table: (V, G·H) = W_emb · W_ih0ᵀ + bias, already in chunk order.
                int e = config.EmbeddingSize;
                float[] wih = ChunkRows(Rounded(w.WeightIh), inputs);
                float[] embedding = Rounded(model.Encoder.Weight);
                InputTable = new float[TableLength(V, G, H)];
                for (int v = 0; v < V; v++)
                    MatVec.Multiply(wih, embedding.AsSpan(v * e, e), Bias[0], InputTable.AsSpan(v * G * H, G * H));
            }
            else
            {
                WeightIh[l] = new StepperMatrix(ChunkRows(w.WeightIh.Value.ToArray(), inputs), inputs, precision, chunkBlocks);
            }
            WeightHh[l] = new StepperMatrix(ChunkRows(w.WeightHh.Value.ToArray(), H), H, precision, chunkBlocks);
        }
        // The decoder gets zero rows up to a multiple of 16 (V = 65 → 80), so its product runs as whole vector
        // blocks with independent accumulators instead of a scalar tail row (one long dependent chain over H).
        DecoderRows = (V + 15) / 16 * 16;
        float[] decoder = new float[DecoderRows * H];
        model.DecoderWeight.Value.Span.CopyTo(decoder);
        Decoder = new StepperMatrix(decoder, H, precision, [(0, DecoderRows)]);
        DecoderBias = new float[DecoderRows];
        model.DecoderBias.Value.Span.CopyTo(DecoderBias);
    }

    public int V { get; }
    public int H { get; }
    public int L { get; }
    public int G { get; }

    /// <summary>The cell: its gate kernel, and which biases fold.</summary>
    public CellSpec Spec { get; }

    /// <summary>How the matrices are stored (<see cref="StepperMatrix"/>).</summary>
    public StepperPrecision Precision { get; }

    /// <summary>ceil(H / w).</summary>
    public int Chunks { get; }

    /// <summary>
    /// V·G·H, the layer-0 table's length, or an <see cref="ArgumentException"/> when it exceeds the largest array (the table
    /// is indexed token·G·H in int arithmetic, which would otherwise wrap).
    /// </summary>
    internal static int TableLength(int v, int g, int h)
    {
        long n = (long)v * g * h;
        return n <= Array.MaxLength ? (int)n
            : throw new ArgumentException($"LanguageModelStepper: the layer-0 input table of V·G·H = {v}·{g}·{h} = {n} values exceeds the largest array ({Array.MaxLength}); step this model with LanguageModel.Forward instead.");
    }

    /// <summary>
    /// Int8 scales each row by its largest |w|, which a row holding NaN or ±∞ does not have: throws an
    /// <see cref="ArgumentException"/> for <paramref name="model"/> naming the parameter, row and column of the first such
    /// weight of a matrix the stepper quantises, in the parameter's own row order (the quantiser sees rows regrouped
    /// into chunks, one block at a time).
    /// </summary>
    private static void RequireFiniteMatrices(LanguageModel<float> model)
    {
        var quantised = new HashSet<object>(ReferenceEqualityComparer.Instance) { model.Encoder.Weight, model.DecoderWeight };
        for (int l = 0; l < model.Config.NumLayers; l++)
        {
            var w = model.Recurrent.WeightsOf(l, 0);
            quantised.Add(w.WeightIh);
            quantised.Add(w.WeightHh);
        }
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!quantised.Contains(p)) continue;
            ReadOnlySpan<float> values = p.Value.Span;
            for (int i = 0; i < values.Length; i++)
            {
                if (float.IsFinite(values[i])) continue;
                int cols = p.Value.Dim(1);
                throw new ArgumentException($"LanguageModelStepper: {name} holds {values[i]} at row {i / cols}, column {i % cols}; int8 needs finite weights " +
                    "(each row is scaled by its largest |w|). Float32 and BFloat16 precision keep the value.", nameof(model));
            }
        }
    }

    /// <summary>(V, G·H) layer-0 pre-activations per token, chunk order.</summary>
    public float[] InputTable { get; } = [];

    /// <summary>[layer] W_ih (G·H, H) for layers &gt; 0 in chunk order (block = chunk); null for layer 0 (its product is <see cref="InputTable"/>).</summary>
    public StepperMatrix?[] WeightIh { get; }

    /// <summary>[layer] W_hh (G·H, H) in chunk order (block = chunk).</summary>
    public StepperMatrix[] WeightHh { get; }

    /// <summary>[layer] b_ih + b_hh (GRU: without b_hn), chunk order.</summary>
    public float[][] Bias { get; }

    /// <summary>[layer] the hidden-side bias kept apart (H): GRU's b_hn, empty for the other cells.</summary>
    public float[][] BiasHn { get; }

    /// <summary>W_dec (V, H) with zero rows up to <see cref="DecoderRows"/>, one block.</summary>
    public StepperMatrix Decoder { get; }

    /// <summary>V rounded up to a multiple of 16: the rows of <see cref="Decoder"/>.</summary>
    public int DecoderRows { get; }

    /// <summary>b_dec (V), zero-padded to <see cref="DecoderRows"/>.</summary>
    public float[] DecoderBias { get; }

    /// <summary>Units [First, First + Count) of chunk <paramref name="c"/>; its rows are [G·First, G·(First + Count)).</summary>
    public (int First, int Count) Chunk(int c)
    {
        int first = c * ChunkUnits;
        return (first, Math.Min(ChunkUnits, H - first));
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
