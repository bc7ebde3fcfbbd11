using SeqLearn.Checkpoints;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>
/// A save replaces its whole directory, so it must never take a user's files with it: <see cref="AtomicFile.WriteDirectory"/>
/// and <see cref="AtomicFile.DeleteDirectory(string)"/> touch only directories that hold checkpoint files alone.
/// </summary>
public class CheckpointFilesTests
{
    private static string[] Tree(string directory) =>
        Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .Select(e => Path.GetRelativePath(directory, e)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Save_IntoADirectoryWithOtherFiles_FailsNamingTheFile_AndChangesNothing()
    {
        using var tmp = new TempDir("foreign");
        string dir = tmp.Combine("results");
        Directory.CreateDirectory(Path.Combine(dir, "plots"));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        string[] before = Tree(tmp.Path);

        var e = Assert.Throws<IOException>(() => CheckpointTests.SaveSample(dir));
        Assert.Contains($"holds '{Path.Combine(dir, "notes.txt")}', which is not part of a SeqLearn checkpoint", e.Message);
        Assert.Equal(before, Tree(tmp.Path));                     // no .tmp left, nothing moved or deleted
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "notes.txt")));
    }

    [Fact]
    public void Save_OverACheckpointWithAUserFileAdded_Fails_AndTheCheckpointStaysLoadable()
    {
        using var tmp = new TempDir("foreign");
        string dir = tmp.Combine("model");
        CheckpointTests.SaveSample(dir);
        File.WriteAllText(Path.Combine(dir, "README.md"), "my model");
        Assert.Throws<IOException>(() => CheckpointTests.SaveSample(dir));
        Assert.Equal(3, Checkpoint.Load<float>(dir).Step);
        Assert.True(File.Exists(Path.Combine(dir, "README.md")));
    }

    [Fact]
    public void Save_IntoAnEmptyDirectory_OrOverACheckpoint_OrOverAnEnsembleLayout_Succeeds()
    {
        using var tmp = new TempDir("own");
        string empty = tmp.Combine("empty");
        Directory.CreateDirectory(empty);
        CheckpointTests.SaveSample(empty);
        Assert.Equal(["checkpoint.json", "optimizer.safetensors", "weights.safetensors"], Tree(empty));

        CheckpointTests.SaveSample(empty);                         // over a checkpoint
        Assert.Equal(3, Checkpoint.Load<float>(empty).Step);

        string ensemble = tmp.Combine("ensemble");                 // member0/, member1/, ensemble.json
        CheckpointTests.SaveSample(Path.Combine(ensemble, "member0"));
        CheckpointTests.SaveSample(Path.Combine(ensemble, "member1"));
        File.WriteAllText(Path.Combine(ensemble, CheckpointFiles.EnsembleManifestFileName), "{}");
        CheckpointTests.SaveSample(ensemble);
        Assert.Equal(["checkpoint.json", "optimizer.safetensors", "weights.safetensors"], Tree(ensemble));
    }

    [Fact]
    public void Save_WithALeftoverSiblingThatHoldsOtherFiles_Fails_AndKeepsIt()
    {
        using var tmp = new TempDir("foreign");
        string dir = tmp.Combine("model");
        foreach (string suffix in new[] { AtomicFile.TmpSuffix, AtomicFile.OldSuffix })
        {
            string sibling = dir + suffix;
            Directory.CreateDirectory(sibling);
            File.WriteAllText(Path.Combine(sibling, "data.csv"), "1,2");
            var e = Assert.Throws<IOException>(() => CheckpointTests.SaveSample(dir));
            Assert.Contains($"'{sibling}' (a leftover of an earlier write, deleted first)", e.Message);
            Assert.True(File.Exists(Path.Combine(sibling, "data.csv")));
            Assert.False(Directory.Exists(dir));
            Directory.Delete(sibling, recursive: true);
        }
        // A leftover that holds only checkpoint files (an interrupted write's) is replaced as before.
        CheckpointTests.SaveSample(dir + AtomicFile.TmpSuffix);
        File.Delete(Path.Combine(dir + AtomicFile.TmpSuffix, Checkpoint.ManifestFileName));
        CheckpointTests.SaveSample(dir);
        Assert.False(Directory.Exists(dir + AtomicFile.TmpSuffix));
        Assert.Equal(3, Checkpoint.Load<float>(dir).Step);
    }

    [Fact]
    public void DeleteDirectory_WithOtherFiles_Fails_AndRemovesNothing()
    {
        using var tmp = new TempDir("foreign");
        string dir = tmp.Combine("best");
        CheckpointTests.SaveSample(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        string[] before = Tree(tmp.Path);
        Assert.Throws<IOException>(() => AtomicFile.DeleteDirectory(dir));
        Assert.Equal(before, Tree(tmp.Path));

        File.Delete(Path.Combine(dir, "notes.txt"));
        AtomicFile.DeleteDirectory(dir);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void FirstForeignEntry_LooksInsideMemberDirectories_AndRejectsOtherDirectories()
    {
        using var tmp = new TempDir("foreign");
        string member = Path.Combine(tmp.Path, "member12");
        Directory.CreateDirectory(member);
        File.WriteAllText(Path.Combine(member, Checkpoint.WeightsFileName), "");
        Assert.Null(CheckpointFiles.FirstForeignEntry(tmp.Path));
        File.WriteAllText(Path.Combine(member, "x.bin"), "");
        Assert.Equal(Path.Combine(member, "x.bin"), CheckpointFiles.FirstForeignEntry(tmp.Path));
        File.Delete(Path.Combine(member, "x.bin"));
        Directory.CreateDirectory(Path.Combine(tmp.Path, "membership"));
        Assert.Equal(Path.Combine(tmp.Path, "membership"), CheckpointFiles.FirstForeignEntry(tmp.Path));
    }

    [Fact]
    public void EnsureWritable_RefusesWhatSaveRefuses_BeforeAnythingIsWritten()
    {
        using var tmp = new TempDir("foreign");
        string dir = tmp.Combine("out");
        Checkpoint.EnsureWritable(dir);                                  // missing
        Directory.CreateDirectory(dir);
        Checkpoint.EnsureWritable(dir);                                  // empty
        CheckpointTests.SaveSample(dir);
        Checkpoint.EnsureWritable(dir);                                  // a checkpoint
        File.WriteAllText(Path.Combine(dir, "train.tsv"), "x");
        Assert.Contains("train.tsv', which is not part of a SeqLearn checkpoint", Assert.Throws<IOException>(() => Checkpoint.EnsureWritable(dir)).Message);
        string file = tmp.Combine("data.txt");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file, not a directory", Assert.Throws<IOException>(() => Checkpoint.EnsureWritable(file)).Message);
        Assert.Equal(["data.txt", "out", Path.Combine("out", "checkpoint.json"), Path.Combine("out", "optimizer.safetensors"),
            Path.Combine("out", "train.tsv"), Path.Combine("out", "weights.safetensors")], Tree(tmp.Path));
    }
}
