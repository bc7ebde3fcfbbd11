using System.Text.Json.Nodes;
using SeqLearn.Training;

namespace SeqLearn.Tests.Training;

// The task state of the translation, classification and forecasting tasks: the same three values resume, anything
// else (another value, a missing field, a field of another JSON type) is an IncompatibleCheckpointException with the
// reason, never the JSON reader's InvalidOperationException.
public class BatchOrderStateTests
{
    [Fact]
    public void SameValues_Resume()
    {
        var state = BatchOrderState.Save(64, 3, "examples", 1000);
        BatchOrderState.Check<float>(JsonNode.Parse(state.ToJsonString())!.AsObject(), 64, 3, "examples", 1000, "pairs");
    }

    [Theory]
    [InlineData("""{"batch_size": 32, "seed": 3, "examples": 1000}""")]
    [InlineData("""{"batch_size": "64", "seed": 3, "examples": 1000}""")]
    [InlineData("""{"batch_size": 64.5, "seed": 3, "examples": 1000}""")]
    [InlineData("""{"batch_size": 64, "seed": true, "examples": 1000}""")]
    [InlineData("""{"batch_size": 64, "seed": 3, "examples": 1e12}""")]
    [InlineData("""{"batch_size": 64, "seed": 3}""")]
    public void OtherOrIllTypedValues_AreIncompatible_NamingBoth(string json)
    {
        var state = JsonNode.Parse(json)!.AsObject();
        var e = Assert.Throws<IncompatibleCheckpointException>(() => BatchOrderState.Check<float>(state, 64, 3, "examples", 1000, "pairs"));
        Assert.Contains("it was trained with other batches", e.Message);
        Assert.Contains("this task: batch 64, seed 3, 1000 pairs", e.Message);
    }

    [Fact]
    public void NoState_IsIncompatible()
    {
        var e = Assert.Throws<IncompatibleCheckpointException>(() => BatchOrderState.Check<double>(null, 64, 3, "windows", 10, "windows"));
        Assert.Contains("no task state", e.Message);
    }
}
