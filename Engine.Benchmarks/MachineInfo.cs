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

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }
}
