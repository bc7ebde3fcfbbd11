using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Models;
using SeqLearn.Nn;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Text;
using Xunit.Abstractions;

namespace SeqLearn.Tests.Fuzzing;

/// <summary>
/// Checkpoint directories with one file mutated (checkpoint.json three times as often as each other file), read by
/// <see cref="Checkpoint.Load{T}"/> and by <see cref="LanguageModelCheckpoint.Load"/>. Each input is a
/// <see cref="CheckpointFormatException"/> naming a file of the directory — with the byte offset for a JSON syntax
/// error (other manifest errors name the JSON field) — or a checkpoint whose tensors are bit-identical to the saved
/// ones (the weights are covered by a SHA-256, so only manifest fields may change).
/// </summary>
/// <remarks>
/// The valid checkpoints are written by <c>Save</c> in the test and the files are taken from the saved directory as
/// they are, so the test follows the checkpoint layout whatever files it holds.
/// </remarks>
public class CheckpointFuzzTests(ITestOutputHelper output)
{
    private sealed record Template(string[] Names, byte[][] Files);

    private static Template Saved(Action<string> save)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"seqlearn-fuzz-template-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            save(dir);
            string[] names = Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
            return new Template(names, names.Select(n => File.ReadAllBytes(Path.Combine(dir, n))).ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // checkpoint.json three times, every other file once: the manifest is the JSON under test.
    private static FuzzTarget Target(string reader, Template t, Func<string, object> load, Action<object> check)
    {
        int[] order = t.Names.SelectMany((n, i) => Enumerable.Repeat(i, n == Checkpoint.ManifestFileName ? 3 : 1)).ToArray();
        int manifest = Array.IndexOf(t.Names, Checkpoint.ManifestFileName);
        return new FuzzTarget
        {
            Reader = reader,
            FileName = "checkpoint",
            Seeds = order.Select(i => t.Files[i]).ToArray(),
            Mutate = (seed, rng, log) =>
            {
                byte[] mutated = Mutator.Mutate(seed, rng, log);
                // Half the mutated manifests get a fresh self-checksum, so that the fields behind the seal are reached too.
                if (seed == t.Files[manifest] && rng.NextInt(2) == 0 && Resealed(mutated) is { } resealed)
                {
                    log.Add("resealed");
                    return resealed;
                }
                return mutated;
            },
            Materialise = c =>
            {
                Directory.CreateDirectory(c.Path);
                for (int i = 0; i < t.Names.Length; i++)
                    File.WriteAllBytes(Path.Combine(c.Path, t.Names[i]), i == order[c.SeedIndex] ? c.Bytes : t.Files[i]);
            },
            Parse = c => load(c.Path),
            IsFormatError = e => e is CheckpointFormatException,
            NamesLocation = (c, e) =>
            {
                var m = Regex.Match(e.Message, $"^{Regex.Escape(c.Path)}{Regex.Escape(Path.DirectorySeparatorChar.ToString())}([^:/]+?)( at byte \\d+)?: ");
                if (!m.Success || !t.Names.Contains(m.Groups[1].Value)) return false;
                string mutated = t.Names[order[c.SeedIndex]];
                if (mutated == Checkpoint.ManifestFileName && !FuzzHarness.PointsAtInvalidUtf8(c.Bytes, e.Message)) return false;
                if (mutated.EndsWith(".safetensors", StringComparison.Ordinal) && m.Groups[1].Value == mutated && m.Groups[2].Success
                    && !SafeTensorsFuzzTests.NamesLocation(Path.Combine(c.Path, mutated), c.Bytes, e.Message)) return false;
                bool jsonSyntax = e.InnerException is JsonException && m.Groups[1].Value == Checkpoint.ManifestFileName;
                return !jsonSyntax || m.Groups[2].Success;
            },
            IsText = false,
            CheckAccepted = (c, result) => check(result),
        };
    }

    // The manifest with its manifest_sha256 recomputed (ManifestSeal), on the bytes as they are; null when the
    // mutation destroyed the value.
    private static byte[]? Resealed(byte[] manifest)
    {
        var m = Regex.Match(Encoding.Latin1.GetString(manifest), $"\"{ManifestSeal.Key}\"\\s*:\\s*\"([0-9a-f]{{64}})\"");
        if (!m.Success) return null;
        var zeroed = (byte[])manifest.Clone();
        Encoding.ASCII.GetBytes(ManifestSeal.Placeholder).CopyTo(zeroed, m.Groups[1].Index); // Latin-1: one char per byte
        try { return ManifestSeal.Seal(zeroed); }
        catch (InvalidOperationException) { return null; }
    }

    private static Var<float>[] Parameters(ulong seed)
    {
        var rng = new SeededRng(seed);
        return [new Var<float>(Tensor<float>.Normal([4, 3], 0, 1, rng), true, "embedding.weight"), new Var<float>(Tensor<float>.Normal([3], 0, 1, rng), true, "out.bias")];
    }

    internal static FuzzTarget GenericTarget()
    {
        var model = Parameters(1);
        var opt = new Adam<float>(model, 0.01);
        var gradients = new SeededRng(2);
        foreach (var p in model) p.Grad = Tensor<float>.Normal(p.Value.ShapeArray(), 0, 1, gradients);
        opt.Step();
        var saved = new CheckpointData<float>
        {
            Parameters = CheckpointData<float>.Snapshot(model),
            Optimizer = opt.ExportState(),
            Step = 1,
            ModelConfig = new JsonObject { ["kind"] = "lstm", ["hidden"] = 3 },
            Vocabulary = new JsonArray("a", "b", "\n"),
            TrainerState = new JsonObject { ["epoch"] = 2, ["plateau_best"] = 1.25 },
            RngStates = new Dictionary<string, RngState> { ["data"] = gradients.GetState() },
        };
        var template = Saved(dir => Checkpoint.Save(dir, saved));
        return Target("checkpoint", template, dir => Checkpoint.Load<float>(dir), result =>
        {
            var loaded = (CheckpointData<float>)result;
            SameParameters(saved.Parameters, loaded.Parameters);
            if (loaded.Step < 0) throw new FuzzInvariantException($"step {loaded.Step}");
            if (loaded.Optimizer is { } o && o.Parameters.Count != loaded.Parameters.Count)
                throw new FuzzInvariantException($"optimizer state for {o.Parameters.Count} of {loaded.Parameters.Count} parameters");
        });
    }

    internal static FuzzTarget LanguageModelTarget()
    {
        var vocabulary = CharVocabulary.Build("abc de\n");
        var model = new LanguageModel<float>(new LanguageModelConfig(vocabulary.Count, 3, 4, 1, RecurrentCell.Gru), new SeededRng(4));
        var template = Saved(dir => LanguageModelCheckpoint.Save(dir, model, vocabulary, step: 5));
        var saved = model.NamedParameters().Select(p => new NamedTensor<float>(p.Key, p.Value.Value)).ToArray();
        return Target("lm-checkpoint", template, dir => LanguageModelCheckpoint.Load(dir), result =>
        {
            var loaded = (LoadedLanguageModel)result;
            SameParameters(saved, loaded.Model.NamedParameters().Select(p => new NamedTensor<float>(p.Key, p.Value.Value)).ToArray());
            if (loaded.Vocabulary.Count != loaded.Model.Config.VocabularySize)
                throw new FuzzInvariantException($"{loaded.Vocabulary.Count} symbols for V = {loaded.Model.Config.VocabularySize}");
        });
    }

    [Fact]
    public void MutatedCheckpointDirectories_AreFormatErrorsNamingTheFile_OrTheSavedTensors() => FuzzHarness.Run(GenericTarget(), output);

    [Fact]
    public void MutatedLanguageModelCheckpoints_AreFormatErrorsNamingTheFile_OrTheSavedModel() => FuzzHarness.Run(LanguageModelTarget(), output);

    private static void SameParameters(IReadOnlyList<NamedTensor<float>> saved, IReadOnlyList<NamedTensor<float>> loaded)
    {
        if (saved.Count != loaded.Count) throw new FuzzInvariantException($"{loaded.Count} parameters loaded, {saved.Count} saved");
        for (int i = 0; i < saved.Count; i++)
            if (saved[i].Name != loaded[i].Name || !saved[i].Tensor.ShapeArray().SequenceEqual(loaded[i].Tensor.ShapeArray())
                || !MemoryMarshal.AsBytes(saved[i].Tensor.Span).SequenceEqual(MemoryMarshal.AsBytes(loaded[i].Tensor.Span)))
                throw new FuzzInvariantException($"parameter {i} ('{loaded[i].Name}') differs from the saved '{saved[i].Name}'");
    }
}
