using ScottPlot;
using SeqLearn.Kernels;
using SeqLearn.Translation;

namespace SeqLearn.Cli.Plots;

/// <summary>
/// Attention weights of one translated sentence as a heat map: source words across, target words down, cell (i, j) the
/// weight α_{i,j} output word i gave source word j (each row sums to 1).
/// </summary>
public static class AttentionChart
{
    /// <summary>
    /// Translates one preprocessed sentence with the checkpoint's model as <paramref name="decoding"/> says (greedy, or the
    /// best of a beam with its length normalisation) keeping the attention weights, and writes their heat map to
    /// <paramref name="path"/>.
    /// The source axis carries the sentence's words and ⟨eos⟩ (what the encoder read), the output axis the produced words
    /// and ⟨eos⟩ when the translation ended.
    /// </summary>
    public static void Write(string checkpoint, string sentence, DecodingOptions decoding, WorkerPool pool, string path, string option)
    {
        ChartFile.Check(path, option);
        if (sentence.Length == 0) throw new ArgumentException($"{option}: give a sentence to translate.");
        TranslateCommand.CheckBeam(decoding.BeamWidth);
        var (model, source, target) = TranslateCommand.LoadModel(checkpoint);
        if (model.Config.Attention == AttentionKind.None)   // its decoders report all-zero weights
            throw new ArgumentException($"{checkpoint}: the model has no attention to draw (it was trained with --attention none).");
        var specials = new SpecialTokens(target.PadId, target.BosId, target.EosId, target.UnkId);
        var options = decoding with { KeepAttention = true };
        int[][] ids = [source.EncodeSentence(sentence)];
        var best = options.BeamWidth > 1 ? Seq2SeqDecoding.Beam(model, ids, specials, options, pool)[0][0] : Seq2SeqDecoding.Greedy(model, ids, specials, options, pool)[0];
        var weights = best.Attention ?? throw new ArgumentException($"{checkpoint}: the model has no attention to draw (it was trained with --attention none).");
        string[] sourceWords = [.. TranslationVocabulary.Tokenize(sentence), "<eos>"];
        string[] targetWords = [.. best.Tokens.Select(target.TokenOf), .. best.Ended ? ["<eos>"] : Array.Empty<string>()];
        ChartFile.Save(Build(sourceWords, targetWords, weights.Take(targetWords.Length).ToArray()), path, option,
            width: 160 + 48 * sourceWords.Length, height: 120 + 36 * targetWords.Length);
    }

    /// <summary>Builds the heat map; <paramref name="weights"/>[i][j] for target word i and source word j.</summary>
    public static Plot Build(IReadOnlyList<string> sourceWords, IReadOnlyList<string> targetWords, IReadOnlyList<double[]> weights)
    {
        ArgumentNullException.ThrowIfNull(sourceWords);
        ArgumentNullException.ThrowIfNull(targetWords);
        ArgumentNullException.ThrowIfNull(weights);
        int rows = targetWords.Count, cols = sourceWords.Count;
        if (weights.Count != rows || weights.Any(w => w.Length < cols))
            throw new ArgumentException($"AttentionChart: {weights.Count} weight rows for {rows} target words, each needs {cols} source weights.");
        var data = new double[rows, cols];                               // row 0 = first target word, drawn at the top
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) data[i, j] = weights[i][j];

        var plot = new Plot();
        var map = plot.Add.Heatmap(data);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.Extent = new CoordinateRect(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.Add.ColorBar(map);
        var across = new ScottPlot.TickGenerators.NumericManual();
        for (int j = 0; j < cols; j++) across.AddMajor(j, sourceWords[j]);
        var down = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < rows; i++) down.AddMajor(rows - 1 - i, targetWords[i]);
        plot.Axes.Bottom.TickGenerator = across;
        plot.Axes.Left.TickGenerator = down;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plot.XLabel("source");
        plot.YLabel("output");
        plot.Grid.IsVisible = false;
        return plot;
    }
}
