using SeqLearn.Autograd;
using SeqLearn.Data;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;
using SeqLearn.Text;
using Xunit.Abstractions;

namespace SeqLearn.Tests.LanguageModeling;

/// <summary>
/// The language-model evaluators (<see cref="LanguageModelEvaluator.EvaluateTokens"/> and
/// <see cref="LanguageModelTask{T}.MeanLoss"/>) allocate nothing per window beyond the model's own forward: their
/// window buffers are made once per evaluation. The forward's graph values (embedding, recurrent outputs, logits) are
/// allocated per window by design, so the test compares the evaluator's bytes per window with those of the bare
/// forward over the same windows, each measured as the difference between 2W and W windows.
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class EvaluationAllocationTests(ITestOutputHelper output)
{
    private const int V = 7, B = 3, T = 4, W = 4, Repeats = 4;

    private static LanguageModel<float> Model() =>
        new(new LanguageModelConfig(V, EmbeddingSize: 6, HiddenSize: 10, NumLayers: 2, Cell: RecurrentCell.Lstm, Dropout: 0.5), new SeededRng(21));

    private static int[] Stream(int length)
    {
        var rng = new SeededRng(3);
        return [.. Enumerable.Range(0, length).Select(_ => rng.NextInt(V))];
    }

    /// <summary>
    /// Bytes per window of <paramref name="run"/>(windows): the growth from W to 2W windows, per window and call, each side
    /// the smallest of three meter readings (<see cref="AllocationMeter.SmallestOf"/>).
    /// </summary>
    private static long PerWindow(Action<int> run) =>
        (AllocationMeter.SmallestOf(3, () => run(2 * W), Repeats) - AllocationMeter.SmallestOf(3, () => run(W), Repeats)) / (W * Repeats);

    /// <summary>The bare forward over <paramref name="windows"/> windows of B × T, state carried, as an evaluator runs it.</summary>
    private static void Forwards(LanguageModel<float> model, int windows, bool loss)
    {
        var (inputs, targets) = (new int[B * T], new int[B * T]);
        model.Eval();
        using var _ = new NoGradScope();
        RecurrentState<float>? state = null;
        for (int w = 0; w < windows; w++)
            state = loss ? model.Loss(inputs, targets, B, T, state).State : model.Forward(inputs, B, T, state).State;
        model.Train();
    }

    [Fact]
    public void EvaluateTokens_AllocatesPerWindowOnlyWhatTheForwardDoes()
    {
        var model = Model();
        var evaluator = new LanguageModelEvaluator(model, new CharVocabulary([.. Enumerable.Range(0, V).Select(i => new System.Text.Rune('a' + i))], withUnk: false));
        var streams = new Dictionary<int, int[]> { [W] = Stream(B * T * W + 1), [2 * W] = Stream(B * T * 2 * W + 1) };   // B streams of whole windows
        long evaluate = PerWindow(windows => evaluator.EvaluateTokens(streams[windows], B, T));
        long forward = PerWindow(windows => Forwards(model, windows, loss: false));
        output.WriteLine($"EvaluateTokens: {evaluate} B/window; Forward alone: {forward} B/window");
        Assert.Equal(forward, evaluate);
    }

    [Fact]
    public void MeanLoss_AllocatesPerWindowOnlyWhatTheLossDoes()
    {
        var model = Model();
        var batchers = new Dictionary<int, BpttBatcher>
        {
            [W] = new(Stream(B * (T * W + 1)), B, T, LastWindow.Keep),                // S = T·W + 1: W whole windows
            [2 * W] = new(Stream(B * (T * 2 * W + 1)), B, T, LastWindow.Keep),
        };
        Assert.Equal(2 * W, batchers[2 * W].WindowCount);
        long meanLoss = PerWindow(windows => LanguageModelTask<float>.MeanLoss(model, batchers[windows], pool: null));
        long forward = PerWindow(windows => Forwards(model, windows, loss: true));
        output.WriteLine($"MeanLoss: {meanLoss} B/window; Loss alone: {forward} B/window");
        Assert.Equal(forward, meanLoss);
    }
}
