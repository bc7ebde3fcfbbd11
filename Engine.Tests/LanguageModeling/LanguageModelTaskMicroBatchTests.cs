using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Checkpoints;
using SeqLearn.Tests.Training;
using SeqLearn.Training;

namespace SeqLearn.Tests.LanguageModeling;

/// <summary>
/// <see cref="LanguageModelTask{T}"/> in micro-batches: the parts (streams [p·B/P, (p+1)·B/P), each carrying its own
/// state) add up to the whole batch window after window, a run is the same on 1, 2 and 4 threads, and a resume continues
/// bit-exactly with the state split among the parts.
/// </summary>
public sealed class LanguageModelTaskMicroBatchTests
{
    private static readonly (SeqLearn.Text.CharVocabulary Vocabulary, ReadOnlyMemory<int> Train, ReadOnlyMemory<int> Valid) Data = TrainerTestSupport.Corpus(3_000);

    private static LanguageModel<double> Model(ulong seed = 5) =>
        new(new LanguageModelConfig(Data.Vocabulary.Count, 6, 10, 2), new SeededRng(seed));

    [Theory]
    [InlineData(0, 7, "batchSize", "LanguageModelTask: the batch size (streams per window) must be at least 1, got 0.")]
    [InlineData(-3, 7, "batchSize", "LanguageModelTask: the batch size (streams per window) must be at least 1, got -3.")]
    [InlineData(5, 0, "bptt", "LanguageModelTask: bptt (steps per window) must be at least 1, got 0.")]
    public void Constructor_BatchSizeOrBpttBelowOne_IsRefusedAsSuch_NotAsAShortText(int batchSize, int bptt, string parameter, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LanguageModelTask<double>(Model(), Data.Train, Data.Valid, batchSize, bptt));
        Assert.Equal(parameter, e.ParamName);
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain("too short", e.Message);
    }

    [Fact]
    public void Parts_LossesGradientsAndCarriedStates_AddUpToTheWholeBatch_WindowAfterWindow()
    {
        var model = Model();
        var whole = new LanguageModelTask<double>(model, Data.Train, Data.Valid, 5, 7);   // 5 streams: parts of 2 and 3
        var split = new LanguageModelTask<double>(model, Data.Train, Data.Valid, 5, 7);
        var parameters = model.Parameters().ToArray();
        var context = new LayerContext();
        for (int batch = 0; batch < 3; batch++)   // the state is carried from window to window
        {
            TrainerTestSupport.PartsAddUp(parameters, () => whole.TrainingLoss(0, batch, context), part => split.TrainingLoss(0, batch, part, 2, context));
            var (h, hs) = (whole.CarriedState!.H.Value.Span.ToArray(), split.CarriedState!.H.Value.Span.ToArray());
            var (c, cs) = (whole.CarriedState.C!.Value.Span.ToArray(), split.CarriedState.C!.Value.Span.ToArray());
            for (int i = 0; i < h.Length; i++) Assert.Equal(h[i], hs[i], 1e-12);
            for (int i = 0; i < c.Length; i++) Assert.Equal(c[i], cs[i], 1e-12);
        }
    }

    private static (LanguageModel<float> Model, LanguageModelTask<float> Task) Make(ulong seed = 7)
    {
        var model = TrainerTestSupport.Model(Data.Vocabulary.Count, layers: 2, dropout: 0.2, seed: seed);
        return (model, new LanguageModelTask<float>(model, Data.Train, Data.Valid, 6, 8));
    }

    [Fact]
    public void Training_WithTwoParts_IsBitIdenticalOnOneTwoAndFourThreads()
    {
        long[] Run(int threads, out int[] weights)
        {
            var (model, task) = Make();
            using var pool = new SeqLearn.Kernels.WorkerPool(threads);
            var result = new Trainer<float>(model, task, new TrainingOptions { MaxSteps = 7, MicroBatches = 2, LearningRate = 0.01, Seed = 4 }, pool).Train();
            weights = model.Parameters().SelectMany(p => p.Value.Span.ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray();
            return TrainerTestSupport.Bits(result.StepLosses);
        }
        var one = Run(1, out var w1);
        Assert.Equal(one, Run(2, out var w2));
        Assert.Equal(one, Run(4, out var w4));
        Assert.Equal(w1, w2);
        Assert.Equal(w1, w4);
    }

    [Fact]
    public void Resume_ContinuesBitExactly_WithTheCarriedStateSplitAmongTheParts()
    {
        using var tmp = new TempDir("lm-micro-batches-resume");
        using var pool = new SeqLearn.Kernels.WorkerPool(2);
        var options = new TrainingOptions { MaxSteps = 6, MicroBatches = 2, LearningRate = 0.01, Seed = 3 };
        var (m0, t0) = Make();
        var straight = new Trainer<float>(m0, t0, options, pool).Train();
        var (m1, t1) = Make();
        var first = new Trainer<float>(m1, t1, options with { MaxSteps = 3, CheckpointDirectory = tmp.Path }, pool).Train();
        var (m2, t2) = Make(seed: 77);
        var resumed = new Trainer<float>(m2, t2, options, pool);
        resumed.Resume(tmp.Combine("last"));
        Assert.NotNull(t2.CarriedState);   // restored whole, split among the parts at the first step
        var second = resumed.Train();
        Assert.Equal(TrainerTestSupport.Bits(straight.StepLosses), TrainerTestSupport.Bits(first.StepLosses.Concat(second.StepLosses)));
    }
}
