using SeqLearn.Data;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

public class MemoryBudgetTests
{
    [Theory]
    [InlineData(RecurrentCell.Lstm, 1, false)]
    [InlineData(RecurrentCell.Gru, 2, false)]
    [InlineData(RecurrentCell.Rnn, 3, true)]
    [InlineData(RecurrentCell.RnnRelu, 2, true)]
    public void ParameterShapesAndCount_MatchTheBuiltModel(RecurrentCell cell, int layers, bool tie)
    {
        var config = new LanguageModelConfig(13, 6, tie ? 6 : 7, layers, cell, TieWeights: tie);
        var model = new LanguageModel<float>(config, new SeededRng(1));
        var built = model.NamedParameters().Select(p => (p.Key, string.Join(",", p.Value.Value.ShapeArray()))).ToArray();
        var predicted = config.ParameterShapes().Select(p => (p.Name, string.Join(",", p.Shape))).ToArray();
        Assert.Equal(built, predicted);
        Assert.Equal(model.Parameters().Sum(p => (long)p.Value.Length), config.ParameterCount());
    }

    [Fact]
    public void HugeModel_IsRefusedWithTheEstimate_BeforeAnyAllocation()
    {
        var config = new LanguageModelConfig(100, 64, 20000, 1);
        long p = config.ParameterCount();
        Assert.Equal(100L * 64 + 80000L * 66 + 80000L * 20000 + 100L * 20000 + 100, p);
        var e = Assert.Throws<ArgumentException>(() => MemoryBudget.EnsureTrainingFits(p, sizeof(float), "the model", availableBytes: 8_000_000_000));
        Assert.Contains("needs ≈ 25.7 GB", e.Message);
        Assert.Contains("8.0 GB available", e.Message);
        Assert.Equal("parameters", e.ParamName);
        var activations = Assert.Throws<ArgumentException>(() => MemoryBudget.EnsureTrainingFits(100, sizeof(float), "the model", 3_000_000_000, availableBytes: 8_000_000_000));
        Assert.Equal("activationValues", activations.ParamName);
        MemoryBudget.EnsureTrainingFits(new LanguageModelConfig(100).ParameterCount(), sizeof(float), "the model", availableBytes: 8_000_000_000);
        Assert.Equal(long.MaxValue, MemoryBudget.TrainingBytes(long.MaxValue / 2, 8));
    }

    [Fact]
    public void ConfigWhoseWeightExceedsOneArray_IsAnArgumentError()
    {
        var e = Assert.Throws<ArgumentException>(() => new LanguageModelConfig(100, 64, 30000, 1).Validate());
        Assert.Contains("H = 30000", e.Message);
    }

    [Fact]
    public void BatchTimesBptt_IsCheckedWithoutOverflow()
    {
        var options = new TrainingOptions { BatchSize = 1, Bptt = int.MaxValue, MaxSteps = 1 };
        Assert.Contains("tokens per window", Assert.Throws<ArgumentException>(options.Validate).Message);
        var e = Assert.Throws<ArgumentException>(() => new BpttBatcher(new int[100], 1, int.MaxValue));
        Assert.Contains("2147483648 tokens are needed", e.Message);
    }
}
