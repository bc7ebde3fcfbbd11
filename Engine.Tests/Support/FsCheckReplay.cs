using FsCheck;
using Microsoft.FSharp.Core;

namespace SeqLearn.Tests.Support;

/// <summary>FsCheck configurations that replay a fixed seed, so a property runs the same cases on every run.</summary>
internal static class FsCheckReplay
{
    /// <summary><paramref name="tests"/> cases from <paramref name="seed"/>, throwing on the first failure, quiet on success.</summary>
    public static Config Fixed(ulong seed, int tests) =>
        Config.QuickThrowOnFailure
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)))
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true);
}
