using SeqLearn.Checkpoints;
using SeqLearn.Tensors;

namespace SeqLearn.Tests.Checkpoints;

/// <summary>
/// The states a crash inside <see cref="AtomicFile.WriteDirectory"/> can leave, built by hand: reading uses the complete
/// copy, <see cref="CheckpointRecovery.Recover"/> puts the directory back; and the lock on a run's checkpoint directory.
/// </summary>
public class CheckpointRecoveryTests
{
    private static void Save(string dir, long step) =>
        Checkpoint.Save(dir, new CheckpointData<float> { Parameters = [new("w", Tensor<float>.Full(step, 3))], Step = step });

    // x.old = step 1 (the previous content), x.tmp = step 2 (the new content), x missing: killed between the renames.
    private static string RenameWindow(TempDir tmp)
    {
        string x = tmp.Combine("x");
        Save(x, 1);
        Save(tmp.Combine("new"), 2);
        Directory.Move(x, x + ".old");
        Directory.Move(tmp.Combine("new"), x + ".tmp");
        return x;
    }

    [Fact]
    public void BetweenTheRenames_LoadReadsTheNewCopy_AndRecoverPromotesIt()
    {
        using var tmp = new TempDir("window");
        string x = RenameWindow(tmp);
        Assert.True(Checkpoint.Exists(x));
        Assert.Equal(2, Checkpoint.Load<float>(x).Step);
        Assert.True(Directory.Exists(x + ".tmp") && Directory.Exists(x + ".old"), "Load must not rename or delete anything");
        Assert.Contains("completed the interrupted write", CheckpointRecovery.Recover(x));
        Assert.Equal(2, Checkpoint.Load<float>(x).Step);
        Assert.Equal(["x"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void BetweenTheRenames_WithADamagedNewCopy_TheOldOneIsUsedAndRestored()
    {
        using var tmp = new TempDir("window-bad");
        string x = RenameWindow(tmp);
        string weights = Path.Combine(x + ".tmp", Checkpoint.WeightsFileName);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..20]);
        Assert.Equal(1, Checkpoint.Load<float>(x).Step);
        Assert.Contains("restored", CheckpointRecovery.Recover(x));
        Assert.Equal(1, Checkpoint.Load<float>(x).Step);
        Assert.Equal(["x"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void CompleteDirectoryWithLeftovers_IsKept_AndTheLeftoversRemoved()
    {
        using var tmp = new TempDir("leftovers");
        string x = tmp.Combine("x");
        Save(x, 3);
        Directory.CreateDirectory(x + ".tmp");              // a write stopped while filling
        File.WriteAllText(Path.Combine(x + ".tmp", Checkpoint.WeightsFileName), "partial");
        Save(tmp.Combine("o"), 2);
        Directory.Move(tmp.Combine("o"), x + ".old");       // stopped after the second rename
        Assert.Equal(3, Checkpoint.Load<float>(x).Step);
        Assert.NotNull(CheckpointRecovery.Recover(x));
        Assert.Equal(["x"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
        Assert.Null(CheckpointRecovery.Recover(x));
    }

    [Fact]
    public void OnlyAnUnfinishedFirstWrite_IsNoCheckpoint_AndIsRemoved()
    {
        using var tmp = new TempDir("first");
        string x = tmp.Combine("x");
        Directory.CreateDirectory(x + ".tmp");
        File.WriteAllText(Path.Combine(x + ".tmp", Checkpoint.WeightsFileName), "partial");
        Assert.False(Checkpoint.Exists(x));
        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Load<float>(x));
        Assert.Contains("removed the incomplete", CheckpointRecovery.Recover(x));
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void WriteDirectory_OverAFile_IsRefusedBeforeWriting_AndLeavesNothing()
    {
        using var tmp = new TempDir("over-a-file");
        string x = tmp.Combine("x");
        File.WriteAllText(x, "a file");
        bool filled = false;
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteDirectory(x, _ => filled = true));
        Assert.Contains("is a file, not a directory", e.Message);
        Assert.False(filled);
        Assert.Equal(["x"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
        Assert.Equal("a file", File.ReadAllText(x));
    }

    // A DeleteDirectory stopped right after its first removal: x.old holds the weights but no manifest, so no reader takes it
    // for x (a reader falls back to another checkpoint) and Recover removes it.
    [Fact]
    public void DeleteDirectory_RemovesTheManifestFirst_SoAStoppedDeleteLeavesNoCheckpoint()
    {
        using var tmp = new TempDir("delete-order");
        string x = tmp.Combine("x");
        Save(x, 6);
        var stop = new InvalidOperationException("stopped");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.DeleteDirectory(x, afterManifest: old =>
        {
            Assert.True(File.Exists(Path.Combine(old, Checkpoint.WeightsFileName)));
            throw stop;
        }));
        Assert.Same(stop, e);
        Assert.False(Checkpoint.Exists(x));
        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Load<float>(x));
        Assert.Contains("removed the incomplete", CheckpointRecovery.Recover(x));
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }

    // AtomicFile.DeleteDirectory stopped inside its recursive delete of x.old: weights.safetensors gone, checkpoint.json left.
    [Fact]
    public void PartlyDeletedOldCopy_IsRemoved_NotRestored()
    {
        using var tmp = new TempDir("half-deleted");
        string x = tmp.Combine("x");
        Save(x, 4);
        Directory.Move(x, x + ".old");
        File.Delete(Path.Combine(x + ".old", Checkpoint.WeightsFileName));
        Assert.Contains("removed the incomplete", CheckpointRecovery.Recover(x));
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
        Assert.False(Checkpoint.Exists(x));
    }

    [Fact]
    public void DamagedNewCopyAndPartlyDeletedOldCopy_AreBothRemoved()
    {
        using var tmp = new TempDir("window-both-bad");
        string x = RenameWindow(tmp);
        string weights = Path.Combine(x + ".tmp", Checkpoint.WeightsFileName);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..20]);
        File.Delete(Path.Combine(x + ".old", Checkpoint.WeightsFileName));
        string done = CheckpointRecovery.Recover(x)!;
        Assert.Contains("removed the incomplete", done);
        Assert.Contains(x + ".tmp", done);
        Assert.Contains(x + ".old", done);
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void WriteDirectory_OverARenameWindow_LeavesOnlyTheNewContent()
    {
        using var tmp = new TempDir("write-window");
        string x = RenameWindow(tmp);
        Save(x, 5);
        Assert.Equal(5, Checkpoint.Load<float>(x).Step);
        Assert.Equal(["x"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Lock_SecondHolderIsRefusedNamingTheFirst_AndTheLockIsFreeAfterRelease()
    {
        using var tmp = new TempDir("lock");
        string run = tmp.Combine("run");
        using (CheckpointDirectoryLock.Acquire(run))
        {
            var e = Assert.Throws<IOException>(() => CheckpointDirectoryLock.Acquire(run));
            Assert.Contains($"pid {Environment.ProcessId}", e.Message);
            Assert.Contains("in use by another training run", e.Message);
            Assert.Contains(Path.Combine(run, CheckpointDirectoryLock.FileName), e.Message);
        }
        using (CheckpointDirectoryLock.Acquire(run)) { }
        Assert.Contains($"pid {Environment.ProcessId}", File.ReadAllText(Path.Combine(run, CheckpointDirectoryLock.FileName)));
    }
}
