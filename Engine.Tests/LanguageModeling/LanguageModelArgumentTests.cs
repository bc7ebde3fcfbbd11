using SeqLearn.Generation;
using SeqLearn.LanguageModeling;
using SeqLearn.Models;
using SeqLearn.Tensors;
using SeqLearn.Text;
using SeqLearn.Training;

namespace SeqLearn.Tests.LanguageModeling;

/// <summary>
/// The language-model API refuses an invalid argument with an exception whose ParamName is the caller's parameter: the
/// stream (<c>train</c>, <c>valid</c>), the <c>options</c> or <c>config</c> holding the bad setting, the <c>vocabulary</c>,
/// the <c>targets</c>, and <see cref="TextGenerator"/>'s own <c>width</c> and <c>maxTokens</c>.
/// </summary>
public sealed class LanguageModelArgumentTests
{
    private static readonly CharVocabulary Vocabulary = CharVocabulary.Build("abcd\n");   // V = 5
    private static readonly int[] Ids = [.. Enumerable.Range(0, 400).Select(i => i % 5)];

    private static LanguageModel<float> Model(int vocabulary = 5) => new(new LanguageModelConfig(vocabulary, 4, 4, 1), new SeededRng(1));

    private static TrainingOptions Options => new() { MaxSteps = 2, BatchSize = 4, Bptt = 8 };

    [Fact]
    public void Task_ShortStreamOrOutOfRangeId_NamesThatStream()
    {
        Assert.Equal("valid", Assert.Throws<ArgumentException>(() => new LanguageModelTask<float>(Model(), Ids, new int[3], 4, 8)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => new LanguageModelTask<float>(Model(), new int[20], Ids, 4, 8)).ParamName);
        int[] bad = [.. Ids];
        bad[4] = 7;
        var e = Assert.Throws<ArgumentException>(() => new LanguageModelTask<float>(Model(), bad, Ids, 4, 8));
        Assert.Equal("train", e.ParamName);
        Assert.StartsWith("the training stream has token id 7 at position 4", e.Message);
        Assert.Equal("valid", Assert.Throws<ArgumentException>(() => new LanguageModelTask<float>(Model(), Ids, bad, 4, 8)).ParamName);
    }

    public static TheoryData<TrainingOptions> InvalidOptions() => new()
    {
        new TrainingOptions { BatchSize = 4, Bptt = 8 },                                      // no stop condition
        Options with { LearningRate = 0 },
        Options with { ClipNorm = 0 },
        Options with { Patience = 1 },                                                       // no scheduled evaluations
        Options with { MicroBatches = 65 },
        Options with { MonitorGoal = (MetricGoal)9 },
        Options with { StepSize = 0 },                                                        // the schedule's settings
        Options with { Momentum = 0.9 },                                                      // the optimizer's: Adam takes none
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Trainers_InvalidOptions_NameOptions(TrainingOptions options)
    {
        Assert.Equal("options", Assert.ThrowsAny<ArgumentException>(() => new LanguageModelTrainer<float>(Model(), Ids, Ids, options)).ParamName);
        var task = new LanguageModelTask<float>(Model(), Ids, Ids, 4, 8);
        Assert.Equal("options", Assert.ThrowsAny<ArgumentException>(() => new Trainer<float>(task.Model, task, options)).ParamName);
    }

    [Fact]
    public void TrainingOptionsValidate_NamesTheMonitorGoalItself()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (Options with { MonitorGoal = (MetricGoal)9 }).Validate());
        Assert.Equal("MonitorGoal", e.ParamName);
    }

    [Fact]
    public void LanguageModelTrainer_MonitorOtherThanLoss_NamesOptions()
    {
        var e = Assert.Throws<ArgumentException>(() => new LanguageModelTrainer<float>(Model(), Ids, Ids, Options with { Monitor = "acc" }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("LanguageModelTrainer: monitors the validation loss, got Monitor = 'acc'.", e.Message);
    }

    [Theory]
    [InlineData(0, 4, 0.0, null)]
    [InlineData(5, 4, 1.0, null)]
    [InlineData(5, 4, double.NaN, null)]
    [InlineData(5, 4, 0.0, -1.0)]
    [InlineData(5, 4, 0.0, double.NaN)]
    public void LanguageModel_InvalidConfig_NamesConfig(int vocabulary, int embedding, double dropout, double? initRange)
    {
        var config = new LanguageModelConfig(vocabulary, embedding, 4, 1, Dropout: dropout, InitRange: initRange);
        var e = Assert.Throws<ArgumentException>(() => new LanguageModel<float>(config, new SeededRng(1)));
        Assert.Equal("config", e.ParamName);
        Assert.StartsWith("LanguageModelConfig: ", e.Message);
        Assert.StartsWith("LanguageModelConfig: ", Assert.Throws<ArgumentException>(config.Validate).Message);
    }

    [Fact]
    public void LanguageModel_InitRangeBeyondFloat_NamesConfig() =>
        Assert.Equal("config", Assert.Throws<ArgumentException>(
            () => new LanguageModel<float>(new LanguageModelConfig(5, 4, 4, 1, InitRange: 1e39), new SeededRng(1))).ParamName);

    [Fact]
    public void Loss_WrongNumberOfTargets_NamesTargets()
    {
        var e = Assert.Throws<ArgumentException>(() => Model().Loss(new int[8], new int[7], 2, 4));
        Assert.Equal("targets", e.ParamName);
        Assert.StartsWith("LanguageModel.Loss: 7 targets for (B, T) = (2, 4).", e.Message);
    }

    [Fact]
    public void VocabularyOfAnotherSize_NamesVocabulary()
    {
        Assert.Equal("vocabulary", Assert.Throws<ArgumentException>(() => new LanguageModelEvaluator(Model(9), Vocabulary, 4, 4)).ParamName);
        Assert.Equal("vocabulary", Assert.Throws<ArgumentException>(() => new TextGenerator(Model(9), Vocabulary)).ParamName);
    }

    [Theory]
    [InlineData(3, 0, "width")]
    [InlineData(3, -2, "width")]
    [InlineData(0, 2, "maxTokens")]
    [InlineData(-1, 2, "maxTokens")]
    public void BeamSearch_InvalidWidthOrLength_NamesItsOwnParameter(int maxTokens, int width, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TextGenerator(Model(), Vocabulary).BeamSearch("ab", maxTokens, width));
        Assert.Equal(parameter, e.ParamName);
        Assert.StartsWith($"TextGenerator.BeamSearch: {parameter} must be positive", e.Message);
    }

    [Fact]
    public void BeamSearch_UndefinedNormalization_NamesNormalization() =>
        Assert.Equal("normalization", Assert.Throws<ArgumentOutOfRangeException>(
            () => new TextGenerator(Model(), Vocabulary).BeamSearch("ab", 3, 2, normalization: (LengthNormalization)7)).ParamName);

    [Fact]
    public void Generate_NegativeMaxTokens_NamesMaxTokens() =>
        Assert.Equal("maxTokens", Assert.Throws<ArgumentOutOfRangeException>(
            () => new TextGenerator(Model(), Vocabulary).Generate("ab", -1, new SamplingOptions(), new SeededRng(1))).ParamName);
}
