using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeqLearn.Autograd;
using SeqLearn.Checkpoints;
using SeqLearn.Optim;
using SeqLearn.Tensors;
using SeqLearn.Tests.Optim;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Checkpoints;

public class CheckpointTests
{
    private static Var<float>[] Model(ulong seed)
    {
        var rng = new SeededRng(seed);
        return
        [
            new Var<float>(Tensor<float>.Normal([4, 3], 0, 1, rng), true, "embedding.weight"),
            new Var<float>(Tensor<float>.Normal([3], 0, 1, rng), true, "out.bias"),
            new Var<float>(Tensor<float>.Normal([2], 0, 1, rng), true, "unused"),
        ];
    }

    private static void Train(Adam<float> opt, SeededRng data, int steps)
    {
        for (int s = 0; s < steps; s++)
            for (int p = 0; p < 2; p++)   // "unused" never gets a gradient: its state stays empty
                opt.Parameters[p].Grad = Tensor<float>.Normal(opt.Parameters[p].Value.ShapeArray(), 0, 1, data);
    }

    private static CheckpointData<float> Snapshot(Var<float>[] model, Optimizer<float> opt, long step, SeededRng data) => new()
    {
        Parameters = CheckpointData<float>.Snapshot(model),
        Optimizer = opt.ExportState(),
        Step = step,
        ModelConfig = new JsonObject { ["kind"] = "lstm", ["hidden"] = 3, ["layers"] = new JsonArray(1, 2) },
        Vocabulary = new JsonArray("a", "b", "\n"),
        TrainerState = new JsonObject { ["epoch"] = 2, ["plateau_best"] = 1.25 },
        RngStates = new Dictionary<string, RngState> { ["data"] = data.GetState() },
    };

    internal static CheckpointData<float> SaveSample(string dir)
    {
        var model = Model(1);
        var opt = new Adam<float>(model, 0.01);
        var data = new SeededRng(77);
        for (int s = 0; s < 3; s++) { Train(opt, data, 1); opt.Step(); }
        // 3 × (12 + 3) = 45 normal draws: an odd count, so the state holds a cached spare normal.
        var snapshot = Snapshot(model, opt, 3, data);
        Checkpoint.Save(dir, snapshot);
        return snapshot;
    }

    [Fact]
    public void SaveLoad_RoundTripsEverything()
    {
        using var tmp = new TempDir("ckpt");
        string dir = tmp.Combine("step-3");
        var saved = SaveSample(dir);
        var loaded = Checkpoint.Load<float>(dir);
        Assert.Equal(3, loaded.Step);
        Assert.Equal(saved.Parameters.Select(p => p.Name), loaded.Parameters.Select(p => p.Name));
        for (int i = 0; i < saved.Parameters.Count; i++)
            TensorAssert.BitEqual<float>(saved.Parameters[i].Tensor.Span, loaded.Parameters[i].Tensor.Span, saved.Parameters[i].Name);
        Assert.Equal(OptimizerKind.Adam, loaded.Optimizer!.Kind);
        Assert.Equal(0.01, loaded.Optimizer.LearningRate);
        for (int i = 0; i < 3; i++)
        {
            var (a, b) = (saved.Optimizer!.Parameters[i], loaded.Optimizer.Parameters[i]);
            Assert.Equal(a.Step, b.Step);
            Assert.Equal(a.ExpAvg is null, b.ExpAvg is null);
            if (a.ExpAvg is not null)
            {
                TensorAssert.BitEqual<float>(a.ExpAvg.Span, b.ExpAvg!.Span);
                TensorAssert.BitEqual<float>(a.ExpAvgSq!.Span, b.ExpAvgSq!.Span);
                Assert.Equal(a.ExpAvg.ShapeArray(), b.ExpAvg.ShapeArray());
            }
        }
        Assert.Equal(saved.RngStates["data"], loaded.RngStates["data"]);
        Assert.NotNull(loaded.RngStates["data"].SpareNormal);
        Assert.Equal(saved.ModelConfig!.ToJsonString(), loaded.ModelConfig!.ToJsonString());
        Assert.Equal(saved.Vocabulary!.ToJsonString(), loaded.Vocabulary!.ToJsonString());
        Assert.Equal(saved.TrainerState!.ToJsonString(), loaded.TrainerState!.ToJsonString());
        Assert.Equal(["step-3"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void SaveLoad_VocabularyHoldingThePlaceholderAndTheKey_IsSealedAndLoads()
    {
        // The seal fills the manifest's last field; the caller's strings may hold 64 zeros and the key's name too.
        using var tmp = new TempDir("ckpt-zeros");
        var model = Model(1);
        var opt = new Adam<float>(model, 0.01);
        var data = new SeededRng(3);
        var plain = Snapshot(model, opt, 0, data);
        var snapshot = new CheckpointData<float>
        {
            Parameters = plain.Parameters, Optimizer = plain.Optimizer, Step = 0, RngStates = plain.RngStates,
            Vocabulary = new JsonArray("a", new string('0', 64), "manifest_sha256", new string('0', 64)),
        };
        Checkpoint.Save(tmp.Combine("c"), snapshot);
        var loaded = Checkpoint.Load<float>(tmp.Combine("c"));
        Assert.Equal(snapshot.Vocabulary!.ToJsonString(), loaded.Vocabulary!.ToJsonString());
    }

    [Fact]
    public void OptimizerHyperparameters_RoundTrip_AndAResumeIntoOtherOnesIsRefused()
    {
        using var tmp = new TempDir("hyper");
        var model = Model(1);
        var opt = new Adam<float>(model, 0.01, beta2: 0.98, weightDecay: 0.001);
        var data = new SeededRng(5);
        Train(opt, data, 1);
        opt.Step();
        Checkpoint.Save(tmp.Combine("c"), Snapshot(model, opt, 1, data));
        var loaded = Checkpoint.Load<float>(tmp.Combine("c"));
        Assert.Equal(opt.Hyperparameters.OrderBy(kv => kv.Key), loaded.Optimizer!.Hyperparameters!.OrderBy(kv => kv.Key));
        Assert.Contains("\"hyperparameters\"", File.ReadAllText(Path.Combine(tmp.Combine("c"), Checkpoint.ManifestFileName)));

        new Adam<float>(Model(2), 0.01, beta2: 0.98, weightDecay: 0.001).ImportState(loaded.Optimizer!);
        var e = Assert.Throws<ArgumentException>(() => new Adam<float>(Model(2), 0.01).ImportState(loaded.Optimizer!));
        Assert.Contains("beta2 = 0.98", e.Message);
    }

    [Fact]
    public void OptimizerHyperparameter_NotANumber_IsAFormatErrorNamingIt()
    {
        using var tmp = new TempDir("hyper-bad");
        var model = Model(1);
        var opt = new Sgd<float>(model, 0.1, momentum: 0.9);
        Checkpoint.Save(tmp.Combine("c"), Snapshot(model, opt, 0, new SeededRng(5)));
        string manifest = Path.Combine(tmp.Combine("c"), Checkpoint.ManifestFileName);
        string text = File.ReadAllText(manifest);
        Assert.Contains("\"momentum\": 0.9", text);
        File.WriteAllText(manifest, text.Replace("\"momentum\": 0.9", "\"momentum\": \"fast\""));
        ManifestSeal.Reseal(manifest);   // past the seal: the reader's own checks must catch the edit
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(tmp.Combine("c")));
        Assert.Contains("'optimizer.hyperparameters.momentum' must be a finite number", e.Message);
    }

    [Fact]
    public void Resume_FromCheckpoint_ContinuesBitIdentically()
    {
        using var tmp = new TempDir("resume");
        var model = Model(1);
        var opt = new Adam<float>(model, 0.01);
        var data = new SeededRng(5);
        for (int s = 0; s < 2; s++) { Train(opt, data, 1); opt.Step(); }
        Checkpoint.Save(tmp.Combine("c"), Snapshot(model, opt, 2, data));
        for (int s = 0; s < 3; s++) { Train(opt, data, 1); opt.Step(); }

        var loaded = Checkpoint.Load<float>(tmp.Combine("c"));
        var model2 = Model(999);
        loaded.RestoreInto(model2);
        var opt2 = new Adam<float>(model2, 0.5);
        opt2.ImportState(loaded.Optimizer!);
        var data2 = new SeededRng(0);
        data2.SetState(loaded.RngStates["data"]);
        for (int s = 0; s < 3; s++) { Train(opt2, data2, 1); opt2.Step(); }
        for (int p = 0; p < model.Length; p++) TensorAssert.BitEqual<float>(model[p].Value.Span, model2[p].Value.Span, model[p].Name);
    }

    [Fact]
    public void Save_OverExistingCheckpoint_ReplacesItAndLeavesNoTemporaries()
    {
        using var tmp = new TempDir("replace");
        string dir = tmp.Combine("latest");
        SaveSample(dir);
        var model = Model(2);
        Checkpoint.Save(dir, new CheckpointData<float> { Parameters = CheckpointData<float>.Snapshot(model), Step = 42 });
        var loaded = Checkpoint.Load<float>(dir);
        Assert.Equal(42, loaded.Step);
        Assert.Null(loaded.Optimizer);
        Assert.Equal(["latest"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Load_OtherFormatVersion_SaysWhichVersions()
    {
        using var tmp = new TempDir("version");
        string dir = tmp.Combine("c");
        SaveSample(dir);
        string manifest = Path.Combine(dir, Checkpoint.ManifestFileName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format_version\": 2", "\"format_version\": 7"));
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(dir));
        Assert.Contains("format version 7", e.Message);
        Assert.Contains("reads versions 1 to 2", e.Message);
        Assert.Contains(Checkpoint.ManifestFileName, e.Message);
    }

    [Theory]
    [InlineData("\"step\": 3,", "\"step\": 3, \"step\": 4,", null)]
    [InlineData("\"step\": 3,", "\"step\": \"3\",", "'step' must be an integer")]
    [InlineData("\"step\": 3,", "\"step\": 3", "line ")]
    public void Load_MalformedManifest_IsACheckpointFormatException(string find, string replace, string? expected)
    {
        using var tmp = new TempDir("manifest");
        string dir = tmp.Combine("c");
        SaveSample(dir);
        string manifest = Path.Combine(dir, Checkpoint.ManifestFileName);
        string text = File.ReadAllText(manifest);
        Assert.Contains(find, text);
        File.WriteAllText(manifest, text.Replace(find, replace));
        ManifestSeal.Reseal(manifest);   // past the seal: the reader's own checks must catch the edit
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(dir));
        Assert.Contains(Checkpoint.ManifestFileName, e.Message);
        if (expected is not null) Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_MissingDirectory_IsDirectoryNotFound()
    {
        using var tmp = new TempDir("nodir");
        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Load<float>(tmp.Combine("absent")));
    }

    [Fact]
    public void Load_AsOtherElementType_IsAClearError()
    {
        using var tmp = new TempDir("dtype");
        SaveSample(tmp.Combine("c"));
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<double>(tmp.Combine("c")));
        Assert.Contains("F32", e.Message);
        Assert.Contains("Double", e.Message);
    }

    [Fact]
    public void Load_MissingWeightsFile_NamesIt()
    {
        using var tmp = new TempDir("missing");
        SaveSample(tmp.Combine("c"));
        File.Delete(Path.Combine(tmp.Combine("c"), Checkpoint.WeightsFileName));
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Load<float>(tmp.Combine("c")));
        Assert.Contains(Checkpoint.WeightsFileName, e.Message);
    }

    [Fact]
    public void Load_CorruptedFiles_AreAlwaysDetected_AsCheckpointFormatException()
    {
        using var tmp = new TempDir("fuzz");
        string dir = tmp.Combine("c");
        SaveSample(dir);
        // Each file carries a SHA-256: the weights and optimizer files in the manifest, the manifest in itself
        // (manifest_sha256), so every truncation and every byte flip of any of the three must be refused.
        string[] paths = [.. new[] { Checkpoint.WeightsFileName, Checkpoint.OptimizerFileName, Checkpoint.ManifestFileName }.Select(f => Path.Combine(dir, f))];
        byte[][] originals = [.. paths.Select(File.ReadAllBytes)];
        var rng = new SeededRng(31337);
        for (int trial = 0; trial < 600; trial++)
        {
            int file = trial % 3;
            bool truncate = trial % 6 < 3;
            var bad = (byte[])originals[file].Clone();
            if (truncate) bad = bad[..rng.NextInt(bad.Length)];
            else bad[rng.NextInt(bad.Length)] ^= (byte)(1 + rng.NextInt(255));
            File.WriteAllBytes(paths[file], bad);
            string what = $"trial {trial} ({Path.GetFileName(paths[file])}, {(truncate ? "truncate" : "flip")})";
            try
            {
                Checkpoint.Load<float>(dir);
                Assert.Fail($"{what}: the corrupted checkpoint loaded");
            }
            catch (CheckpointFormatException e)
            {
                Assert.Contains(Path.GetFileName(paths[file]) == Checkpoint.ManifestFileName ? Checkpoint.ManifestFileName : ".safetensors", e.Message);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            }
            File.WriteAllBytes(paths[file], originals[file]);
        }
    }

    [Fact]
    public void PythonReader_ParsesTheCheckpoint()
    {
        using var tmp = new TempDir("python");
        string dir = tmp.Combine("c");
        var saved = SaveSample(dir);
        string weights = Path.Combine(dir, Checkpoint.WeightsFileName);
        if (!PythonHas("numpy"))
        {
            // No interpreter on this machine: still check the documented layout directly.
            var bytes = File.ReadAllBytes(weights);
            long n = BitConverter.ToInt64(bytes, 0);
            Assert.Equal(0, (8 + n) % 8);
            Assert.Equal((byte)'{', bytes[8]);
            Assert.Equal(saved.Parameters.Count, SafeTensorsFile.Parse(bytes, weights).Tensors.Count);
            return;
        }
        var psi = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(RepoPaths.Root, "scripts", "verify_checkpoint.py"), dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var proc = Process.Start(psi)!;
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, $"verify_checkpoint.py failed: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("step").GetInt64());
        Assert.Equal("2", root.GetProperty("metadata").GetProperty("format_version").GetString());
        var tensors = root.GetProperty("tensors");
        foreach (var p in saved.Parameters)
        {
            var t = tensors.GetProperty(p.Name);
            Assert.Equal("F32", t.GetProperty("dtype").GetString());
            Assert.Equal(p.Tensor.ShapeArray(), t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()));
            TensorAssert.BitEqual<float>(p.Tensor.Span, t.GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray());
        }
        var m = saved.Optimizer!.Parameters[0].ExpAvg!;
        Assert.Equal(saved.Parameters.Count, tensors.EnumerateObject().Count());   // parameters only: strict-loadable
        var pm = root.GetProperty("optimizer_tensors").GetProperty("optim.embedding.weight.exp_avg").GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        TensorAssert.BitEqual<float>(m.Span, pm);
    }

    /// <summary>True when /usr/bin/python3 exists and can import <paramref name="modules"/> (e.g. "numpy" or "torch, numpy").</summary>
    internal static bool PythonHas(string modules)
    {
        if (!File.Exists("/usr/bin/python3")) return false;
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", $"import {modules}"]) { RedirectStandardError = true })!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [Fact]
    public void Save_ReservedOrDuplicateNames_AreRejected()
    {
        using var tmp = new TempDir("names");
        var t = Tensor<float>.Ones(1);
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(tmp.Combine("a"), new CheckpointData<float> { Parameters = [new("optim.x", t)] }));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(tmp.Combine("b"), new CheckpointData<float> { Parameters = [new("x", t), new("x", t)] }));
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void RestoreInto_ShapeMismatch_NamesParameterAndShapes()
    {
        var data = new CheckpointData<float> { Parameters = [new("w", Tensor<float>.Ones(2, 3))] };
        var e = Assert.Throws<ArgumentException>(() => data.RestoreInto([new Var<float>(Tensor<float>.Ones(3, 2), true, "w")]));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(3, 2)", e.Message);
    }

    [Fact]
    public void RestoreInto_ShapeMismatchOnALaterParameter_ChangesNoParameter()
    {
        var data = new CheckpointData<float> { Parameters = [new("a", Tensor<float>.Full(7, 2)), new("b", Tensor<float>.Ones(2, 3))] };
        var a = new Var<float>(Tensor<float>.Zeros(2), true, "a");
        Assert.Throws<ArgumentException>(() => data.RestoreInto([a, new Var<float>(Tensor<float>.Ones(3, 2), true, "b")]));
        Assert.Equal([0f, 0f], a.Value.ToArray());
    }

    [Fact]
    public void RestoreInto_DuplicateNames_NameTheDuplicate()
    {
        var t = Tensor<float>.Ones(2);
        var twice = new CheckpointData<float> { Parameters = [new("w", t), new("w", t)] };
        Assert.Contains("two parameters named 'w'", Assert.Throws<ArgumentException>(() => twice.RestoreInto([new Var<float>(t.Clone(), true, "w")])).Message);
        var once = new CheckpointData<float> { Parameters = [new("w", t)] };
        var e = Assert.Throws<ArgumentException>(() => once.RestoreInto([new Var<float>(t.Clone(), true, "w"), new Var<float>(t.Clone(), true, "w")]));
        Assert.Contains("two parameters are named 'w'", e.Message);
    }

    [Fact]
    public void CheckpointData_NullParametersOrRngStates_NameTheProperty()
    {
        Assert.Equal("Parameters", Assert.Throws<ArgumentNullException>(() => new CheckpointData<float> { Parameters = null! }).ParamName);
        Assert.Equal("RngStates", Assert.Throws<ArgumentNullException>(() => new CheckpointData<float> { Parameters = [], RngStates = null! }).ParamName);
    }

    [Fact]
    public void Save_NonFiniteLearningRateOrNullOptimizerEntry_IsRejectedBeforeWriting()
    {
        using var tmp = new TempDir("lr");
        var t = Tensor<float>.Ones(2);
        var nan = new CheckpointData<float> { Parameters = [new("w", t)], Optimizer = new OptimizerState<float>(OptimizerKind.Sgd, double.NaN, [new ParameterState<float>(0)]) };
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(tmp.Combine("a"), nan));
        Assert.Contains("learning rate is NaN", e.Message);
        var hole = new CheckpointData<float> { Parameters = [new("w", t)], Optimizer = new OptimizerState<float>(OptimizerKind.Sgd, 0.1, [null!]) };
        Assert.Contains("optimizer state of 'w' is null", Assert.Throws<ArgumentException>(() => Checkpoint.Save(tmp.Combine("b"), hole)).Message);
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void Save_ToARootDirectory_IsAnArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save("/", new CheckpointData<float> { Parameters = [] }));
        Assert.Equal("directory", e.ParamName);
        Assert.Contains("root directory", e.Message);
        Assert.Equal("directory", Assert.Throws<ArgumentException>(() => Checkpoint.EnsureWritable("/")).ParamName);
    }

    [Fact]
    public void OptimizerTensorName_NullOrEmptyPart_IsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => Checkpoint.OptimizerTensorName(null!, "exp_avg"));
        Assert.Throws<ArgumentException>(() => Checkpoint.OptimizerTensorName("w", ""));
        Assert.Equal("optim.w.exp_avg", Checkpoint.OptimizerTensorName("w", "exp_avg"));
    }
    [Fact]
    public void ArgumentErrors_NameTheParameter()
    {
        using var tmp = new TempDir("param-names");
        var t = Tensor<float>.Ones(2);
        string Save(CheckpointData<float> data) => Assert.Throws<ArgumentException>(() => Checkpoint.Save(tmp.Combine("c"), data)).ParamName!;
        Assert.Equal("data", Save(new CheckpointData<float> { Parameters = [new("", t)] }));
        Assert.Equal("data", Save(new CheckpointData<float> { Parameters = [new("optim.w", t)] }));
        Assert.Equal("data", Save(new CheckpointData<float> { Parameters = [new("w", t), new("w", t)] }));
        Assert.Equal("data", Save(new CheckpointData<float> { Parameters = [new("w", t)], Optimizer = new OptimizerState<float>(OptimizerKind.Sgd, 0.1, []) }));
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => CheckpointData<float>.Snapshot([new Var<float>(t, true)])).ParamName);
        var data = new CheckpointData<float> { Parameters = [new("w", t)] };
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => data.RestoreInto([new Var<float>(t.Clone(), true)])).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => data.RestoreInto([new Var<float>(t.Clone(), true, "v")])).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => data.RestoreInto([])).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new SafeTensor("w", SafeTensorDType.F32, [2], new byte[4])).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([SafeTensor.FromTensor("w", t), SafeTensor.FromTensor("w", t)])).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Serialize([SafeTensor.FromTensor(SafeTensorsFile.MetadataKey, t)])).ParamName);
    }

    [Fact]
    public void SerializeFile_TensorsBeyondOneArray_AreAnIOErrorNamingTheDirectoryAndTheFile_WithoutTheWritersNameOrParameter()
    {
        SafeTensor Unbacked(string name, int floats) => new(name, SafeTensorDType.F32, [floats], new SafeTensorsTests.LengthOnly(floats * 4).Memory);
        var e = Assert.Throws<IOException>(() => Checkpoint.SerializeFile("runs/big", Checkpoint.WeightsFileName,
            [Unbacked("big", 300_000_000), Unbacked("small", 250_000_000)], new Dictionary<string, string>()));
        Assert.StartsWith("checkpoint directory 'runs/big': weights.safetensors cannot be written: the 2 tensors hold 2,200,000,000 bytes "
                          + "(the largest: 'big' 1,200,000,000, 'small' 1,000,000,000)", e.Message);
        Assert.DoesNotContain("(Parameter '", e.Message);
        Assert.DoesNotMatch(SeqLearn.Tests.Cli.CliRun.TypeName, e.Message);   // the line the CLI prints names no library type
        Assert.IsType<ArgumentException>(e.InnerException);
    }

    // Tensors of 256 KB each under a limit of 100,000 bytes: Save refuses with the message SerializeFile gives, having
    // allocated far less than one tensor's bytes (it measures the files from the shapes before copying any tensor).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Save_TensorsBeyondTheFileLimit_AreRefusedBeforeAnyTensorIsCopied(bool optimizerOnly)
    {
        using var tmp = new TempDir("ckpt-too-large");
        var rng = new SeededRng(7);
        var model = new[] { new Var<float>(Tensor<float>.Normal([256, 256], 0, 1, rng), true, "big"), new Var<float>(Tensor<float>.Normal([64, 256], 0, 1, rng), true, "small") };
        var opt = new Adam<float>(model, 0.01);
        foreach (var p in model) p.Grad = Tensor<float>.Ones(p.Value.ShapeArray());
        opt.Step();
        var data = new CheckpointData<float> { Parameters = CheckpointData<float>.Snapshot(model), Optimizer = opt.ExportState() };
        long limit = optimizerOnly ? 400_000 : 100_000;   // the weights file is 327,680 bytes of data, the optimizer file twice that
        string dir = tmp.Combine("c");
        IOException? e = null;
        long allocated = AllocationMeter.AllocatedBy(() => e = Assert.Throws<IOException>(() => Checkpoint.SaveBounded(dir, data, limit)), repeats: 1);
        string file = optimizerOnly ? Checkpoint.OptimizerFileName : Checkpoint.WeightsFileName;
        string bytes = optimizerOnly ? "655,360 bytes (the largest: 'optim.big.exp_avg' 262,144, 'optim.big.exp_avg_sq' 262,144, 'optim.small.exp_avg' 65,536)"
                                     : "327,680 bytes (the largest: 'big' 262,144, 'small' 65,536)";
        Assert.StartsWith($"checkpoint directory '{dir}': {file} cannot be written: the {(optimizerOnly ? 4 : 2)} tensors hold {bytes}; with the ", e!.Message);
        Assert.EndsWith($"-byte header the file would exceed {limit:N0} bytes, the most one file image can hold: save the tensors in several files.", e.Message);
        Assert.IsType<ArgumentException>(e.InnerException);
        Assert.True(allocated < 200_000, $"Save allocated {allocated:N0} bytes before refusing");
        Assert.False(Directory.Exists(dir));
    }
}
