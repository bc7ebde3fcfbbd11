using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Nn;

/// <summary>
/// <see cref="LayerConfig.ParameterShapes"/> predicts the parameters a config builds without building it (the checkpoint
/// loader compares them with the stored tensors first); it must name and shape exactly what the layers hold.
/// </summary>
public sealed class LayerConfigShapesTests
{
    [Fact]
    public void ParameterShapes_EqualTheBuiltModelsParameters_ForEveryLayerKind()
    {
        var rng = new SeededRng(3);
        var model = new Sequential<float>(
            new Embedding<float>(11, 4, rng),
            new Dropout<float>(0.1),
            new Lstm<float>(4, 5, rng, new RecurrentOptions(NumLayers: 2, Bidirectional: true)),
            new Gru<float>(10, 3, rng),
            new Rnn<float>(3, 6, rng, new RecurrentOptions(NumLayers: 2), ActivationFunction.Relu),
            new MaskedMeanPool<float>(),
            new Linear<float>(6, 7, rng),
            new Linear<float>(7, 2, rng, bias: false));
        var predicted = SeqLearn.Nn.LayerConfig.ParameterShapes(SeqLearn.Nn.LayerConfig.ToJson(model)).Select(p => (p.Name, string.Join(",", p.Shape))).ToArray();
        var built = model.NamedParameters().Select(p => (p.Key, string.Join(",", p.Value.Value.ShapeArray()))).ToArray();
        Assert.Equal(built, predicted);
        Assert.Equal(1 + 2 * 2 * 4 + 4 + 2 * 4 + 2 + 1, predicted.Length);   // embedding; LSTM 2 layers × 2 directions; GRU; RNN 2 layers; two Linears
    }
}
