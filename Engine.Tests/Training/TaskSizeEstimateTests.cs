using SeqLearn.Classification;
using SeqLearn.Forecasting;
using SeqLearn.Kernels;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Training;

/// <summary>
/// The closed-form parameter counts the memory checks use before anything is built equal the parameters of the built
/// models, for translation, classification and forecasting (the language model's is checked in <see cref="MemoryBudgetTests"/>).
/// </summary>
public class TaskSizeEstimateTests
{
    public static TheoryData<RecurrentCell, bool, AttentionKind, bool, int> Seq2SeqConfigs() => new()
    {
        { RecurrentCell.Gru, true, AttentionKind.Bahdanau, false, 1 },
        { RecurrentCell.Lstm, true, AttentionKind.Bahdanau, false, 2 },
        { RecurrentCell.Gru, false, AttentionKind.LuongDot, false, 1 },
        { RecurrentCell.Lstm, false, AttentionKind.LuongDot, true, 3 },
        { RecurrentCell.Gru, true, AttentionKind.LuongGeneral, true, 2 },
        { RecurrentCell.Lstm, true, AttentionKind.None, false, 2 },
    };

    [Theory]
    [MemberData(nameof(Seq2SeqConfigs))]
    public void Seq2SeqParameterCount_EqualsTheBuiltModel(RecurrentCell cell, bool bidirectional, AttentionKind attention, bool inputFeeding, int layers)
    {
        var config = new Seq2SeqConfig(11, 13, 5, 6, layers, cell, bidirectional, attention, inputFeeding, AttentionSize: attention == AttentionKind.Bahdanau ? 7 : null);
        config.Validate();
        var model = new Seq2Seq<float>(config, new SeededRng(1));
        Assert.Equal(model.Parameters().Sum(p => (long)p.Value.Length), config.ParameterCount());
    }

    [Fact]
    public void Seq2SeqEstimates_Saturate_AndAHugeModelIsRefusedWithTheEstimate()
    {
        var huge = new Seq2SeqConfig(4, 4, 256, 100_000);
        Assert.InRange(huge.ParameterCount(), 3L * 100_000 * 100_000, long.MaxValue);
        Assert.Equal(long.MaxValue, new Seq2SeqConfig(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue).ParameterCount());
        Assert.Equal(long.MaxValue, huge.ActivationValues(int.MaxValue, int.MaxValue, int.MaxValue));
        var e = Assert.Throws<ArgumentException>(() => MemoryBudget.EnsureTrainingFits(huge.ParameterCount(), sizeof(float), "the model",
            huge.ActivationValues(64, 10, 10), availableBytes: 22_000_000_000));
        Assert.Contains("training needs ≈ ", e.Message);
        Assert.Contains("GB of activations per batch), 22.0 GB available.", e.Message);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, true)]
    [InlineData(RecurrentCell.Gru, false)]
    [InlineData(RecurrentCell.Rnn, true)]
    public void ClassifierParameterCount_EqualsTheTrainedModel(RecurrentCell cell, bool bidirectional)
    {
        string[][] sentences = [.. Enumerable.Range(0, 20).Select(i => new[] { i % 2 == 0 ? "good" : "bad", $"w{i % 7}" })];
        var data = new LabeledSentences(sentences, [.. Enumerable.Range(0, 20).Select(i => i % 3)], ["a", "b", "c"]);
        var options = new RecurrentClassifierOptions(cell, 5, 6, bidirectional);
        using var pool = new WorkerPool(1);
        var classifier = new RecurrentClassifierFactory(options, RecurrentClassifierOptions.DefaultTraining with { Epochs = 1, BatchSize = 8 }, pool)
            .Train(FoldAssignment.TrainingSplit(data));
        int vocabulary = classifier.Model.Parameters().First().Value.Dim(0);   // the embedding's rows: words + <pad> + <unk>
        Assert.Equal(classifier.Model.Parameters().Sum(p => (long)p.Value.Length), options.ParameterCount(vocabulary, 3));
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, false, CalendarFeatures.None, 1)]
    [InlineData(RecurrentCell.Gru, 2, true, CalendarFeatures.MonthOfYear, 1)]
    [InlineData(RecurrentCell.Lstm, 1, false, CalendarFeatures.None, 12)]
    [InlineData(RecurrentCell.Lstm, 1, true, CalendarFeatures.None, 4)]
    [InlineData(RecurrentCell.Gru, 2, true, CalendarFeatures.MonthOfYear, 5)]
    [InlineData(RecurrentCell.Rnn, 1, true, CalendarFeatures.DayOfYear, 30)]
    public void ForecasterParameterCount_EqualsTheBuiltNetwork(RecurrentCell cell, int layers, bool linearPath, CalendarFeatures calendar, int horizon)
    {
        var options = new RecurrentForecasterOptions(cell, 7, layers, 9, LinearPath: linearPath, Calendar: calendar, Horizon: horizon);
        var network = new RecurrentForecastNetwork<float>(cell, 9, options.Features, 7, layers, horizon, linearPath, new SeededRng(1));
        Assert.Equal(network.Parameters().Sum(p => (long)p.Value.Length), options.ParameterCount());
        Assert.Equal(2L * 32 * 9 * (options.Features + layers * ((cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 }) + 3) * 7), options.ActivationValues());
    }

    [Fact]
    public void ForecasterParameterCount_CountsEveryOutputOfTheHead()
    {
        // LSTM, H = 32: 4·32·(1 + 32 + 2) = 4,480 recurrent values; a head of 12 outputs adds 12·(32 + 1) = 396.
        var options = new RecurrentForecasterOptions(Hidden: 32, Horizon: 12);
        Assert.Equal(4_876, options.ParameterCount());
        var network = new RecurrentForecastNetwork<float>(RecurrentCell.Lstm, 24, 1, 32, 1, 12, false, new SeededRng(1));
        Assert.Equal(network.Parameters().Sum(p => (long)p.Value.Length), options.ParameterCount());
    }
}
