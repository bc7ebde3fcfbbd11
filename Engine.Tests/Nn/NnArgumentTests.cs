using SeqLearn.Autograd;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using static SeqLearn.Tests.Support.ArgumentAssert;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// The layers refuse null and invalid arguments with an ArgumentException of the right kind naming the caller's parameter,
/// and keep messages that name the op and the shapes.
/// </summary>
public class NnArgumentTests
{
    private static Var<double> X(params int[] shape) => new(Tensor<double>.Zeros(shape));

    [Fact]
    public void Dropout_NullInput_IsRefusedInTrainingAndEvaluation()
    {
        var dropout = new Dropout<double>(0.5);
        Null("x", () => dropout.Forward(null!, new SeededRng(1)));
        dropout.Eval();
        Null("x", () => dropout.Forward(null!, null));
        Null("x", () => new Dropout<double>(0).Forward(null!, null));
        dropout.Train();
        Invalid("rng", () => dropout.Forward(X(2, 3), null));
    }

    [Fact]
    public void SimpleLayers_BadInput_NameX()
    {
        var rng = new SeededRng(2);
        Assert.Contains("(2, 4)", Invalid("x", () => new Linear<double>(3, 2, rng).Forward(X(2, 4))).Message);
        Invalid("x", () => new LastStep<double>().Forward(X(2, 3)));
        Invalid("x", () => new LastStep<double>(bidirectional: true).Forward(X(2, 3, 5)));
        Invalid("x", () => new MaskedMaxPool<double>().Forward(X(2, 3)));
        Invalid("x", () => new MaskedMeanPool<double>().Forward(X(2, 3)));
        Invalid("ids", () => new Embedding<double>(4, 2, rng).Forward([1, 2, 3], 2, 2));
    }

    [Fact]
    public void RecurrentLayer_BadArguments_NameTheParameter()
    {
        var rng = new SeededRng(3);
        OutOfRange("options", () => new Gru<double>(3, 4, rng, new RecurrentOptions(NumLayers: 0)));
        var gru = new Gru<double>(3, 4, rng);
        Assert.Contains("Gru.Forward", Invalid("x", () => gru.Forward(X(2, 5, 2))).Message);
        Invalid("x", () => gru.Forward(X(0, 5, 3)));
        var e = Invalid("state", () => gru.Forward(X(2, 5, 3), new RecurrentState<double>(X(1, 3, 4))));
        Assert.Contains("(1, 2, 4)", e.Message);
        Assert.Contains("(1, 3, 4)", e.Message);
        Invalid("lengths", () => gru.Forward(X(2, 5, 3), lengths: [5]));
        var dropping = new Lstm<double>(3, 4, rng, new RecurrentOptions(NumLayers: 2, Dropout: 0.5));
        Invalid("dropoutRng", () => dropping.Forward(X(2, 5, 3)));
    }

    [Fact]
    public void RecurrentCells_BadArguments_NameTheParameter()
    {
        var rng = new SeededRng(4);
        var cell = new GruCell<double>(3, 4, rng);
        Invalid("x", () => cell.Step(X(2, 2), new RecurrentState<double>(X(2, 4))));
        Invalid("state", () => cell.Step(X(2, 3), new RecurrentState<double>(X(2, 5))));
        var layer = new RecurrentCellLayer<double>(cell);
        Invalid("x", () => layer.Forward(X(2, 5, 2)));
        Invalid("x", () => layer.Forward(X(2, 0, 3)));
        Invalid("state", () => layer.Forward(X(2, 5, 3), new RecurrentState<double>(X(3, 4))));
        Invalid("lengths", () => layer.Forward(X(2, 5, 3), lengths: [5, 5, 5]));
        using var stepper = new RecurrentRowStepper<double>(new Gru<double>(3, 4, rng), rows: 2, pool: null);
        Invalid("x", () => stepper.Step(new double[5]));
        Invalid("parents", () => stepper.Reorder([0, 1, 1]));
    }

    [Fact]
    public void Sequential_BadLayers_NameLayers()
    {
        var rng = new SeededRng(5);
        Invalid("layers", () => new Sequential<double>());
        Invalid("layers", () => new Sequential<double>(new Linear<double>(2, 2, rng), new Embedding<double>(3, 2, rng)));
    }
}
