using SeqLearn.Checkpoints;

/// <summary>
/// A .NET startup hook (<c>DOTNET_STARTUP_HOOKS</c> set to this test assembly's path) that arms <see cref="CrashHook"/> in a
/// child <c>seqlearn</c> process before its <c>Main</c> runs, from <see cref="SeqLearn.Tests.Cli.CheckpointKillTests.KillAtVariable"/>
/// (<c>{write}:{point}</c>). The runtime looks the hook up by this exact name, outside any namespace. The shipped library
/// and CLI read no such variable: only a process started with this hook can be killed by it.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        string? value = Environment.GetEnvironmentVariable(SeqLearn.Tests.Cli.CheckpointKillTests.KillAtVariable);
        if (string.IsNullOrEmpty(value)) return;
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(value.AsSpan(0, colon), out int write))
            throw new InvalidOperationException($"{SeqLearn.Tests.Cli.CheckpointKillTests.KillAtVariable}: expected '{{write}}:{{point}}', got '{value}'.");
        CrashHook.Arm(write, value[(colon + 1)..]);
    }
}
