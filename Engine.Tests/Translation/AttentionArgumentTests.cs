using SeqLearn.Autograd;
using SeqLearn.Tensors;
using static SeqLearn.Tests.Support.ArgumentAssert;
using SeqLearn.Translation;

namespace SeqLearn.Tests.Translation;

/// <summary>
/// The attention layers refuse null and ill-shaped arguments naming the caller's parameter, and their shape errors name the
/// op and the shapes.
/// </summary>
public class AttentionArgumentTests
{
    private static Var<double> X(params int[] shape) => new(Tensor<double>.Zeros(shape));

    [Fact]
    public void Constructors_NameTheirSizeAndRng()
    {
        var rng = new SeededRng(1);
        OutOfRange("memorySize", () => new BahdanauAttention<double>(0, 3, 2, rng));
        OutOfRange("querySize", () => new BahdanauAttention<double>(3, 0, 2, rng));
        OutOfRange("attentionSize", () => new BahdanauAttention<double>(3, 3, 0, rng));
        Null("rng", () => new BahdanauAttention<double>(3, 3, 2, null!));
        OutOfRange("memorySize", () => new LuongAttention<double>(0, 3, general: true, rng));
        OutOfRange("querySize", () => new LuongAttention<double>(3, 0, general: true, rng));
        Null("rng", () => new LuongAttention<double>(3, 3, general: true, null!));
        Invalid("querySize", () => new LuongAttention<double>(3, 4, general: false, rng));
    }

    [Fact]
    public void KeysScoresAndAttend_NameMemoryQueriesKeysAndLengths()
    {
        var rng = new SeededRng(2);
        Attention<double>[] layers = [new BahdanauAttention<double>(4, 3, 2, rng), new LuongAttention<double>(4, 3, general: true, rng)];
        foreach (var attention in layers)
        {
            Null("memory", () => attention.Keys(null!));
            Invalid("memory", () => attention.Keys(X(2, 5, 3)));
            var memory = X(2, 5, 4);
            var keys = attention.Keys(memory);
            Null("queries", () => attention.Scores(null!, keys));
            Invalid("queries", () => attention.Scores(X(2, 1, 4), keys));
            Null("keys", () => attention.Scores(X(2, 1, 3), null!));
            Null("queries", () => attention.Attend(null!, keys, memory, [5, 5]));
            Null("keys", () => attention.Attend(X(2, 1, 3), null!, memory, [5, 5]));
            Null("memory", () => attention.Attend(X(2, 1, 3), keys, null!, [5, 5]));
            Null("lengths", () => attention.Attend(X(2, 1, 3), keys, memory, null!));
            Invalid("queries", () => attention.Attend(X(2, 1, 4), keys, memory, [5, 5]));
        }
    }

    [Fact]
    public void AttentionalVector_NamesTheOpBothShapesAndTheBadArgument()
    {
        var luong = new LuongAttention<double>(4, 4, general: false, new SeededRng(3));
        var e = Invalid("context", () => luong.AttentionalVector(X(2, 1, 3), X(2, 1, 4)));
        Assert.Contains("LuongAttention.AttentionalVector", e.Message);
        Assert.Contains("(2, 1, 3)", e.Message);
        Assert.Contains("(2, 1, 4)", e.Message);
        Invalid("h", () => luong.AttentionalVector(X(2, 1, 4), X(2, 1, 3)));
        Invalid("h", () => luong.AttentionalVector(X(2, 1, 4), X(2, 2, 4)));
        Invalid("h", () => luong.AttentionalVector(X(2, 1, 4), X(2, 4)));
        Null("context", () => luong.AttentionalVector(null!, X(2, 1, 4)));
        Null("h", () => luong.AttentionalVector(X(2, 1, 4), null!));
        Assert.Equal("(2, 1, 4)", luong.AttentionalVector(X(2, 1, 4), X(2, 1, 4)).Value.ShapeString);
    }
}
