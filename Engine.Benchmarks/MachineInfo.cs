using System.Diagnostics;
using System.Runtime.Intrinsics;
using SeqLearn.Kernels;

namespace SeqLearn.Benchmarks;

/// <summary>
/// What a comparison prints about the machine it ran on, so a pasted result says which CPU and which SIMD path it
/// measured (the project's runs have met Zen 3, Zen 4 and Zen 5 hosts, whose ratios differ by up to 2×).
/// </summary>
internal static class MachineInfo
{
    /// <summary>e.g. "AMD EPYC (family 26 model 2), 2 logical CPUs, SIMD Vector512, load 0.12 0.30 0.25".</summary>
    public static string Describe() =>
        $"{CpuModel()}, {Environment.ProcessorCount} logical CPUs, SIMD {SimdPath()}, load {LoadAverage()}";

    /// <summary>The /proc/cpuinfo model name with its family and model numbers (a bare "AMD EPYC" names no generation).</summary>
    public static string CpuModel()
    {
        string name = "unknown CPU", family = "?", model = "?";
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0) break; // end of the first processor's block
                string value = line[(line.IndexOf(':') + 1)..].Trim();
                if (line.StartsWith("model name", StringComparison.Ordinal)) name = value;
                else if (line.StartsWith("cpu family", StringComparison.Ordinal)) family = value;
                else if (line.StartsWith("model", StringComparison.Ordinal) && line[5] is ' ' or '\t') model = value;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{name} (family {family} model {model})";
    }

    /// <summary>
    /// The widest vector path SeqLearn's kernels take here (DOTNET_EnableAVX512=0 turns Vector512 off), and the one
    /// <c>SEQLEARN_ISA</c> forces when it is set (docs/kernels.md §6).
    /// </summary>
    public static string SimdPath()
    {
        string widest = Vector512.IsHardwareAccelerated ? "Vector512"
            : Vector256.IsHardwareAccelerated ? "Vector256"
            : Gemm.BestIsa == GemmIsa.Vector128 ? "Vector128"
            : Gemm.BestIsa is null ? "scalar" : "Vector<T>";
        string? forced = Environment.GetEnvironmentVariable(KernelPath.Variable);
        return string.IsNullOrEmpty(forced) ? widest : $"{widest}, kernels forced to {KernelPath.Default} by {KernelPath.Variable}";
    }

    /// <summary>
    /// The time for a value to go from one thread to another and back, the median of five rounds of 50,000 round trips
    /// on one cache line ("n/a" on one CPU). Two-thread steps that hand values between the cores many times, batch-1
    /// sampling above all, move with it: on the project's 2-vCPU Zen 5 VMs it read 111–515 ns on one evening, and the
    /// int8 sampling loop 96,105 chars/s at 111 ns against 60,335–68,150 at 439–487 ns (docs/results/2026-12.md).
    /// </summary>
    public static string CoreRoundTrip()
    {
        if (Environment.ProcessorCount < 2) return "n/a";
        const int trips = 50_000;
        var line = new long[16];
        var rounds = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            Array.Clear(line);
            var echo = new Thread(() =>
            {
                for (long i = 0; i < trips; i++)
                {
                    while (Volatile.Read(ref line[0]) != 2 * i + 1) { }
                    Volatile.Write(ref line[0], 2 * i + 2);
                }
            }) { IsBackground = true };
            echo.Start();
            long start = Stopwatch.GetTimestamp();
            for (long i = 0; i < trips; i++)
            {
                Volatile.Write(ref line[0], 2 * i + 1);
                while (Volatile.Read(ref line[0]) != 2 * i + 2) { }
            }
            rounds.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / trips);
            echo.Join();
        }
        rounds.Sort();
        return $"{rounds[2]:F0} ns";
    }

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }
}
