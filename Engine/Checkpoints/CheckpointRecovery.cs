namespace SeqLearn.Checkpoints;

/// <summary>
/// Puts a checkpoint directory back in order after a writer was stopped inside
/// <see cref="AtomicFile.WriteDirectory"/> or <see cref="AtomicFile.DeleteDirectory(string)"/>, for the process that owns the directory (it holds the
/// <see cref="CheckpointDirectoryLock"/>, so no other writer is at work):
/// <list type="bullet">
/// <item><c>{dir}</c> present: leftover <c>{dir}.tmp</c> (an unfinished or unused write) and <c>{dir}.old</c> are deleted;</item>
/// <item><c>{dir}</c> missing and <c>{dir}.tmp</c> a valid checkpoint (seal, sizes, SHA-256s): it is the newest
/// complete content and is renamed to <c>{dir}</c>;</item>
/// <item>otherwise <c>{dir}.old</c>, when it is a valid checkpoint (the previous complete content), is renamed back to
/// <c>{dir}</c>;</item>
/// <item>leftovers that are not valid checkpoints are deleted, leaving no <c>{dir}</c>: a <c>{dir}.old</c> that a stopped
/// <see cref="AtomicFile.DeleteDirectory(string)"/> had partly deleted is such a leftover (the removal then happened).</item>
/// </list>
/// </summary>
internal static class CheckpointRecovery
{
    /// <summary>Recovers <paramref name="directory"/> as above; returns what was done (null when there was nothing to do).</summary>
    public static string? Recover(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string tmp = full + AtomicFile.TmpSuffix, old = full + AtomicFile.OldSuffix;
        bool hasTmp = Directory.Exists(tmp), hasOld = Directory.Exists(old);
        if (!hasTmp && !hasOld) return null;
        string leftovers = string.Join(" and ", new[] { hasTmp ? tmp : null, hasOld ? old : null }.OfType<string>());
        string done;
        if (Directory.Exists(full))
        {
            done = $"removed the leftover {leftovers}";
        }
        else if (hasTmp && IsComplete(tmp))
        {
            Directory.Move(tmp, full);
            done = $"completed the interrupted write of {full} from {tmp}";
        }
        else if (hasOld && IsComplete(old))
        {
            Directory.Move(old, full);
            done = $"restored {full} from {old} (the interrupted write was incomplete)";
        }
        else
        {
            done = $"removed the incomplete {leftovers}";
        }
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        return done;
    }

    private static bool IsComplete(string directory)
    {
        try
        {
            Checkpoint.Verify(directory);
            return true;
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException)
        {
            return false;
        }
    }
}
