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
    /// <summary>
    /// Writes the module's parameters to the safetensors file <paramref name="path"/> atomically. Parameters whose file
    /// would exceed <see cref="Array.MaxLength"/> bytes are an <see cref="IOException"/> naming the file and the sizes,
    /// raised before any parameter is copied.
    /// </summary>
    public static void SaveWeights<T>(this Module<T> module, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SaveWeightsBounded(module, path, Array.MaxLength);

    // SaveWeights with the largest file image as a parameter: the file is measured from the parameters' shapes first.
    internal static void SaveWeightsBounded<T>(Module<T> module, string path, long maxFileBytes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var state = module.StateDict();
        try { SafeTensorsWriter.EnsureFits(state.Select(p => SafeTensorsWriter.TensorLayout.Of(p.Key, p.Value)), null, maxFileBytes); }
        catch (ArgumentException e) when (e.ParamName == "tensors")
        {
            throw new IOException($"{path}: the weights cannot be written: {SafeTensorsWriter.Reason(e)}", e);
        }
        SafeTensorsWriter.Write(path, state.Select(p => SafeTensor.FromTensor(p.Key, p.Value)).ToList());
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
