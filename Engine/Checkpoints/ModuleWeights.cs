using SeqLearn.Nn;
using SeqLearn.Tensors;

namespace SeqLearn.Checkpoints;

/// <summary>
/// Saves and loads the weights of any module in one call each: one safetensors file holding
/// <see cref="Module{T}.StateDict"/> under the full dotted names (<c>encoder.weight</c>, <c>0.weight_ih_l0</c>, …), the
/// names of the matching PyTorch module, so the file also loads there with <c>load_state_dict(strict=True)</c>.
/// For a model with a stored config (a <c>Sequential</c>, <c>LanguageModel</c> or <c>Seq2Seq</c>) use
/// <see cref="Models.ModelCheckpoint"/>, which also rebuilds the model.
/// </summary>
public static class ModuleWeights
{
    /// <summary>Writes the module's parameters to the safetensors file <paramref name="path"/> atomically.</summary>
    public static void SaveWeights<T>(this Module<T> module, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensorsWriter.Write(path, module.StateDict().Select(p => SafeTensor.FromTensor(p.Key, p.Value)).ToList());
    }

    /// <summary>
    /// Reads <paramref name="path"/> into the module's parameters by name (<see cref="Module{T}.LoadStateDict"/>): every
    /// parameter must be there with its shape and dtype, and nothing else. Any mismatch or corruption is a
    /// <see cref="CheckpointFormatException"/> naming the file.
    /// </summary>
    public static void LoadWeights<T>(this Module<T> module, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = SafeTensorsFile.Read(path);
        var state = new Dictionary<string, Tensor<T>>(StringComparer.Ordinal);
        foreach (var t in file.Tensors)
        {
            if (t.DType != SafeTensor.DTypeOf<T>())
                throw new CheckpointFormatException(path, null, $"tensor '{t.Name}' is {t.DType}; the module holds {SafeTensor.DTypeOf<T>()}.");
            state[t.Name] = t.ToTensor<T>();
        }
        try
        {
            module.LoadStateDict(state);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, null, Checks.MessageWithoutParameter(e).TrimEnd('.'), e);
        }
    }
}
