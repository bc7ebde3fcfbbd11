using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SeqLearn.Benchmarks;

/// <summary>
/// The environment the baselines run in. Debian's OpenBLAS (and PyTorch, which calls it) reads
/// <c>OPENBLAS_CORETYPE</c> and <c>OPENBLAS_L2_SIZE</c> once, when the library is loaded; set to <c>Haswell</c> and
/// 512 they confine it to its AVX2 kernels, about half its speed on an AVX-512 CPU (docs/benchmarks.md, "Method").
/// A comparison is only fair against the baseline at its best, so <see cref="Apply"/> removes both variables
/// before anything is measured: from this process's native environment (read by the in-process OpenBLAS of
/// <c>compare gemm</c> when it is loaded, which happens after this) and from its managed copy (inherited by every
/// PyTorch child process). <c>--baseline-coretype X</c> instead forces OpenBLAS's kernel X on purpose, to reproduce
/// a forced measurement.
/// </summary>
public sealed partial class BaselineEnvironment
{
    private static readonly string[] Forcing = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

    private BaselineEnvironment(string? coreType) => CoreType = coreType;

    /// <summary>The kernel forced with <c>--baseline-coretype</c>, or null: OpenBLAS chooses for this CPU.</summary>
    public string? CoreType { get; }

    /// <summary>
    /// Reads and removes <c>--baseline-coretype X</c> from <paramref name="args"/>, then sets this process's
    /// environment for the baselines. Must run before OpenBLAS is loaded in this process.
    /// </summary>
    public static BaselineEnvironment Apply(ref string[] args)
    {
        string? coreType = null;
        int at = Array.IndexOf(args, "--baseline-coretype");
        if (at >= 0)
        {
            if (at + 1 >= args.Length || args[at + 1].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException("--baseline-coretype needs a kernel name, e.g. Haswell or SkylakeX.");
            coreType = args[at + 1];
            args = [.. args[..at], .. args[(at + 2)..]];
        }
        foreach (string name in Forcing)
            Set(name, null);
        if (coreType is not null)
            Set("OPENBLAS_CORETYPE", coreType);
        return new BaselineEnvironment(coreType);
    }

    /// <summary>e.g. "OpenBLAS 0.3.21 core SkylakeX (chosen for this CPU: OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset)".</summary>
    public string DescribeOpenBlas()
    {
        string how = CoreType is null
            ? "chosen for this CPU: OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset"
            : $"forced with --baseline-coretype {CoreType}";
        return $"OpenBLAS {OpenBlasCore() ?? "not installed"} ({how})";
    }

    /// <summary>
    /// PyTorch's version, its default intra-op thread count and the OpenBLAS kernel it gets, read by a child
    /// process started exactly as the baselines are, then the thread setting the comparison runs it with
    /// (<paramref name="runWith"/>, e.g. "set_num_threads(1)"). Null when that cannot be read, with
    /// <paramref name="failure"/> saying what failed: no /usr/bin/python3, torch not importable, or libopenblas.so.0 not
    /// loadable (each naming the package that provides it), e.g. "/usr/bin/python3 cannot import torch (python3-torch): …".
    /// </summary>
    public static string? DescribePyTorch(string runWith, out string failure)
    {
        // Exit code 2 with one line on stdout: the step that failed.
        const string probe =
            "import ctypes, sys\n" +
            "try:\n    import torch\n" +
            "except Exception as e:\n    print(f'cannot import torch (python3-torch): {type(e).__name__}: {e}'); sys.exit(2)\n" +
            "try:\n    core = ctypes.CDLL('libopenblas.so.0')\n" +
            "except OSError as e:\n    print(f'imports torch but cannot load libopenblas.so.0 (libopenblas0): {e}'); sys.exit(2)\n" +
            "core.openblas_get_corename.restype = ctypes.c_char_p\n" +
            "print(f'PyTorch {torch.__version__}, {torch.get_num_threads()} intra-op threads by default, " +
            "OpenBLAS core {core.openblas_get_corename().decode()}')\n";
        const string python = "/usr/bin/python3";
        failure = $"{python} not found";
        if (!File.Exists(python)) return null;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(python, ["-c", probe])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            failure = $"{python} could not be started";
            if (process is null) return null;
            var stderr = process.StandardError.ReadToEndAsync();   // both pipes drained at once: a full one cannot block the other
            string line = process.StandardOutput.ReadToEnd().Trim();
            string error = stderr.GetAwaiter().GetResult().Trim();
            process.WaitForExit();
            if (process.ExitCode == 0 && line.Length > 0)
            {
                failure = "";
                return $"{line}, run with {runWith}";
            }
            failure = process.ExitCode == 2 && line.Length > 0
                ? $"{python} {line}"
                : $"{python} failed reading PyTorch's version and OpenBLAS core (exit {process.ExitCode}): {error.Split('\n')[^1]}";
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            failure = $"{python} could not be started: {e.Message}";
            return null;
        }
    }

    /// <summary>The kernel name OpenBLAS chose when it was loaded (<c>openblas_get_corename</c>), or null.</summary>
    private static unsafe string? OpenBlasCore()
    {
        if (!NativeLibrary.TryLoad("libopenblas.so.0", out nint lib) ||
            !NativeLibrary.TryGetExport(lib, "openblas_get_corename", out nint corename))
            return null;
        var name = ((delegate* unmanaged<sbyte*>)corename)();
        string core = new(name);
        if (NativeLibrary.TryGetExport(lib, "openblas_get_config", out nint config))
        {
            string full = new(((delegate* unmanaged<sbyte*>)config)());
            string version = full.Split(' ').FirstOrDefault(w => char.IsDigit(w.FirstOrDefault())) ?? "";
            if (version.Length > 0) return $"{version} core {core}";
        }
        return $"core {core}";
    }

    /// <summary>Sets (or with null removes) a variable in the native environment and in .NET's copy of it.</summary>
    private static void Set(string name, string? value)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            int rc = value is null ? UnsetEnv(name) : SetEnv(name, value, 1);
            if (rc != 0) throw new InvalidOperationException($"could not change {name} in the environment (errno {Marshal.GetLastPInvokeError()}).");
        }
        Environment.SetEnvironmentVariable(name, value);
    }

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int UnsetEnv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
