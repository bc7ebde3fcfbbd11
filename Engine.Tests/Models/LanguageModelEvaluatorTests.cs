using SeqLearn.Autograd;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Text;

namespace SeqLearn.Tests.Models;

public class LanguageModelEvaluatorTests
{
    private static LanguageModel<float> Model(int v, RecurrentCell cell = RecurrentCell.Lstm, double? initRange = null) =>
        new(new LanguageModelConfig(v, EmbeddingSize: 6, HiddenSize: 10, NumLayers: 2, Cell: cell, Dropout: 0.5, InitRange: initRange), new SeededRng(21));

    private static int[] Stream(int length, int v, ulong seed)
    {
        var rng = new SeededRng(seed);
        return Enumerable.Range(0, length).Select(_ => rng.NextInt(v)).ToArray();
    }

    /// <summary>
    /// The evaluator's loss equals the training objective on the same windows: B = 3 streams of S = 8 positions,
    /// two windows of T = 4 with the state carried, Forward + SoftmaxCrossEntropy (float, mean). The evaluator
    /// sums log-softmax in double from the same float logits: rtol 1e-5 (docs/testing.md, fused vs composed).
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    public void EvaluateTokens_Loss_EqualsForwardPlusCrossEntropy(RecurrentCell cell)
    {
        const int v = 7, b = 3, s = 8, t = 4;
        var model = Model(v, cell);
        int[] ids = Stream(b * s + 1, v, 5);
        var score = new LanguageModelEvaluator(model, CharVocabularyOf(v)).EvaluateTokens(ids, b, t);
        Assert.True(model.Training, "the model's mode is restored");

        model.Eval();
        double expected = 0;
        RecurrentState<float>? state = null;
        using (new NoGradScope())
            for (int w = 0; w < s / t; w++)
            {
                var inputs = new int[b * t];
                var targets = new int[b * t];
                for (int r = 0; r < b; r++)
                    for (int j = 0; j < t; j++)
                    {
                        inputs[r * t + j] = ids[r * s + w * t + j];
                        targets[r * t + j] = ids[r * s + w * t + j + 1];
                    }
                var (loss, next) = model.Loss(inputs, targets, b, t, state);
                expected += loss.Value.Span[0] / (s / t);
                state = next;
            }
        Assert.Equal(b * s, score.Tokens);
        Assert.Equal(expected, score.Loss, 1e-5 * expected);
        Assert.Equal(Math.Exp(score.Loss), score.Perplexity, 1e-9);
        Assert.Equal(score.Loss / Math.Log(2), score.BitsPerToken, 1e-9);
    }

    [Fact]
    public void EvaluateTokens_AnyBatchingScoresEveryToken_AndBatchOneMatchesOneWindow()
    {
        const int v = 5;
        var model = Model(v);
        var evaluator = new LanguageModelEvaluator(model, CharVocabularyOf(v));
        int[] ids = Stream(30, v, 6);
        var whole = evaluator.EvaluateTokens(ids, 1, 1000);
        var windows = evaluator.EvaluateTokens(ids, 1, 4);       // state carried across 8 windows
        Assert.Equal(29, whole.Tokens);
        Assert.Equal(whole.TotalLogProb, windows.TotalLogProb, 1e-4);
        var ragged = evaluator.EvaluateTokens(ids, 4, 3);         // 29 = 4·7 + 1: one position continues stream 3
        Assert.Equal(29, ragged.Tokens);
    }

    /// <summary>
    /// Scoring through the float32 stepper at batch 1 is the batched evaluator's B = 1, one-window loss (rtol 1e-5);
    /// through the int8 stepper it is the quantised model's loss: different, but within 0.01 nats/token here (weights
    /// U(−0.5, 0.5): the predictions are far from uniform, so on uniform random tokens the loss exceeds log V clearly).
    /// </summary>
    [Fact]
    public void EvaluateStepped_Float32EqualsBatchOne_Int8IsClose()
    {
        const int v = 20;
        var model = new LanguageModel<float>(new LanguageModelConfig(v, EmbeddingSize: 16, HiddenSize: 40, NumLayers: 2, InitRange: 0.5), new SeededRng(3));
        var evaluator = new LanguageModelEvaluator(model, CharVocabularyOf(v));
        int[] ids = Stream(1500, v, 8);
        var batched = evaluator.EvaluateTokens(ids, 1, 10_000);
        var f32 = evaluator.EvaluateStepped(ids, new LanguageModelStepper(model));
        var int8 = evaluator.EvaluateStepped(ids, new LanguageModelStepper(model, precision: StepperPrecision.Int8));
        Assert.Equal(1499, f32.Tokens);
        Assert.Equal(batched.Loss, f32.Loss, 1e-5 * batched.Loss);
        Assert.True(batched.Loss - Math.Log(v) > 0.15, $"loss {batched.Loss} should exceed log V clearly");
        Assert.NotEqual(f32.Loss, int8.Loss);
        Assert.True(Math.Abs(int8.Loss - f32.Loss) < 0.01, $"int8 {int8.Loss} vs float32 {f32.Loss}");
        var otherV = Assert.Throws<ArgumentException>(() => evaluator.EvaluateStepped(ids, new LanguageModelStepper(Model(5))));
        Assert.Contains($"the stepper has V = 5, the model V = {v}", otherV.Message);
        Assert.Equal("stepper", otherV.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void FewerThanTwoTokens_AreRefused_NotANaNScore(int count)
    {
        const int v = 6;
        var model = Model(v);
        var evaluator = new LanguageModelEvaluator(model, CharVocabularyOf(v), batch: 16, steps: 64);
        int[] ids = [.. Enumerable.Repeat(1, count)];
        string expected = $"LanguageModelEvaluator: {count} token{(count == 1 ? "" : "s")} leave nothing to score (the first is only context); give at least 2.";
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => evaluator.EvaluateTokens(ids, 2, 2)).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => evaluator.EvaluateStepped(ids, new LanguageModelStepper(model))).Message);
        if (count == 0) Assert.StartsWith(expected, Assert.Throws<ArgumentException>(() => evaluator.Evaluate([])).Message);
    }

    [Fact]
    public void Untrained_Perplexity_IsAboutV()
    {
        const int v = 40;
        var evaluator = new LanguageModelEvaluator(Model(v, initRange: 0.1), CharVocabularyOf(v), batch: 4, steps: 16);
        var score = evaluator.EvaluateTokens(Stream(2001, v, 7), 4, 16);
        Assert.InRange(score.Perplexity, 0.95 * v, 1.05 * v);
    }

    [Fact]
    public void Evaluate_WordLines_CountEosAndOovsLikeTheNGramModels()
    {
        var vocab = WordVocabulary.Build(["the cat sat", "the dog sat down"]);
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 4, 6, 1), new SeededRng(3));
        var evaluator = new LanguageModelEvaluator(model, vocab, batch: 2, steps: 3);
        string[] lines = ["the cat ran", "a dog sat", "<unk> sat"];
        var score = evaluator.Evaluate(lines);
        Assert.Equal(3 + 1 + 3 + 1 + 2 + 1, score.Tokens);          // words + one <eos> per line
        Assert.Equal(3, score.Oovs);                                 // ran, a, and the literal <unk>
        Assert.Equal(3, score.Sentences);
        int[] ids = evaluator.Encode(lines);
        Assert.Equal(vocab.EosId, ids[0]);
        Assert.Equal(score.TotalLogProb, evaluator.EvaluateTokens(ids, 2, 3).TotalLogProb, 1e-12);
    }

    [Fact]
    public void Evaluate_CharLines_PredictEveryCharacterAndEachNewline()
    {
        var vocab = CharVocabulary.Build("ab\nc");
        var model = new LanguageModel<float>(new LanguageModelConfig(vocab.Count, 3, 5, 1), new SeededRng(4));
        var score = new LanguageModelEvaluator(model, vocab).Evaluate(["abc", "ca"]);
        Assert.Equal(3 + 1 + 2 + 1, score.Tokens);
        Assert.Equal(2, score.Sentences);
        Assert.Contains("Character 'z' (U+007A) is not in the vocabulary", Assert.Throws<ArgumentException>(() => new LanguageModelEvaluator(model, vocab).Evaluate(["abz"])).Message);
    }

    private static CharVocabulary CharVocabularyOf(int v) => new(Enumerable.Range(0, v).Select(i => new System.Text.Rune('a' + i)).ToArray(), withUnk: false);
}
