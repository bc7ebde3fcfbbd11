using System.Text;
using System.Text.Json;

namespace SeqLearn.Training;

/// <summary>What a <see cref="MetricsRecord"/> reports.</summary>
public enum MetricsRecordKind
{
    /// <summary>Training progress: the mean training loss over the steps since the previous record.</summary>
    Train,
    /// <summary>An evaluation: the validation metrics (and the training loss since the previous record).</summary>
    Evaluation,
}

/// <summary>
/// One line of a metrics log: training progress or an evaluation. Unset (null) fields are omitted from the line.
/// Keys: kind ("train" or "eval"), step, epoch, train_loss (the mean over the <c>train_steps</c> steps since the previous
/// record of either kind, so consecutive records cover consecutive spans), train_steps, <c>valid_NAME</c> for every
/// validation metric (valid_loss, valid_ppl, valid_accuracy, ...), tokens_per_s, lr, elapsed_s.
/// </summary>
public sealed record MetricsRecord
{
    /// <summary>Training progress or evaluation.</summary>
    public MetricsRecordKind Kind { get; init; }

    /// <summary>The global optimizer step.</summary>
    public required long Step { get; init; }

    /// <summary>The epoch (pass over the training data), if tracked.</summary>
    public int? Epoch { get; init; }

    /// <summary>Mean training loss over the <see cref="TrainSteps"/> steps since the previous record.</summary>
    public double? TrainLoss { get; init; }

    /// <summary>The number of steps <see cref="TrainLoss"/> averages.</summary>
    public int? TrainSteps { get; init; }

    /// <summary>The validation metrics by name ("loss" is written as valid_loss, the others as valid_NAME).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>The validation loss (the "loss" metric).</summary>
    public double? ValidLoss => Metrics is not null && Metrics.TryGetValue("loss", out double v) ? v : null;

    /// <summary>Training throughput in tokens per second.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>The learning rate in effect.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Wall-clock seconds since training started.</summary>
    public double? ElapsedSeconds { get; init; }
}

/// <summary>
/// An append-only JSON-lines file of <see cref="MetricsRecord"/>s: one object per line, flushed after every line so
/// a crash loses at most the line being written and a plotting script can tail the file. An existing file is
/// appended to (a resumed run continues the same log). NaN and ±∞ (a diverged loss) are written as the strings
/// "NaN", "Infinity", "-Infinity", since JSON has no such numbers.
/// </summary>
/// <remarks>
/// One writer at a time: while open, the log holds an operating-system lock on a byte range far past its text (as the
/// checkpoint directory lock does; none on macOS, where .NET has no byte-range locks), so a second run given the same
/// file is refused instead of writing over the first one's records. Readers are not affected. A last line without its
/// newline (the record a stopped process was writing) is cut off before the first new record, so that record does not
/// run into it.
/// </remarks>
public sealed class MetricsLog : IDisposable
{
    private readonly FileStream _stream;

    // Far past any log's text: the lock never covers bytes a reader reads (on Windows, where locks are mandatory).
    private const long LockedOffset = 1L << 40;

    /// <summary>
    /// Opens <paramref name="path"/> for appending, creating it and its missing folders if needed (as checkpoint
    /// directories are created). A file that cannot be opened, or that another run is writing, is an
    /// <see cref="IOException"/> naming it.
    /// </summary>
    public MetricsLog(string path) : this(path, resumedAt: null)
    {
    }

    /// <summary>
    /// <see cref="MetricsLog(string)"/> for a run resumed at step <paramref name="resumedAt"/>: the records at the end of the
    /// file with steps past it, written after that checkpoint by the run that stopped, are removed first, since the resumed
    /// run writes those steps again (the same values: training is deterministic).
    /// </summary>
    internal MetricsLog(string path, long? resumedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        if (Directory.Exists(path)) throw new IOException($"metrics log '{path}' is a directory, not a file.");
        try
        {
            if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
            _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"metrics log '{path}' cannot be opened for appending: {e.Message}", e);
        }
        try
        {
            Lock(_stream, path);
            long keep = MetricsLogTail.CompleteLength(_stream, resumedAt);
            if (keep < _stream.Length) _stream.SetLength(keep);
            _stream.Seek(0, SeekOrigin.End);
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    private static void Lock(FileStream stream, string path)
    {
        if (OperatingSystem.IsMacOS()) return;   // no byte-range locks in .NET there
        try
        {
            stream.Lock(LockedOffset, 1);
        }
        catch (IOException e)
        {
            throw new IOException($"metrics log '{path}' is being written by another run; give each run its own --metrics file, or wait for that run to finish.", e);
        }
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Appends one line and flushes it to the operating system.</summary>
    public void Append(MetricsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("kind", record.Kind == MetricsRecordKind.Evaluation ? "eval" : "train");
            w.WriteNumber("step", record.Step);
            if (record.Epoch is int e) w.WriteNumber("epoch", e);
            Write(w, "train_loss", record.TrainLoss);
            if (record.TrainSteps is int n) w.WriteNumber("train_steps", n);
            foreach (var (name, value) in record.Metrics ?? new Dictionary<string, double>())
                Write(w, "valid_" + name, value);
            Write(w, "tokens_per_s", record.TokensPerSecond);
            Write(w, "lr", record.LearningRate);
            Write(w, "elapsed_s", record.ElapsedSeconds);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        _stream.Flush();
    }

    /// <summary>
    /// Reads a log back; a malformed line (or invalid UTF-8, or a number beyond double's range) is an error naming the file
    /// and line number. A last line that is cut short and has no newline is the record a stopped process was writing (each
    /// record goes out in one write that ends with its newline): it is skipped, so the log of a killed run still reads.
    /// </summary>
    public static IReadOnlyList<MetricsRecord> Read(string path)
    {
        SeqLearn.Text.PathCheck.EnsureInputFile(path, "Metrics log");
        var records = new List<MetricsRecord>();
        var file = new FileInfo(path);   // a run that stopped before its first record: nothing, or only a BOM an editor added
        if (file.Length == 0 || file.Length == 3 && File.ReadAllBytes(path) is [0xEF, 0xBB, 0xBF]) return records;
        string text = SeqLearn.Text.TextFile.ReadAllText(path);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            bool torn = i == lines.Length - 1;   // no newline after it
            if (torn && !IsJson(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object) throw new FormatException($"expected a JSON object, got {o.ValueKind.ToString().ToLowerInvariant()} {Excerpt(o)}.");
                var metrics = new Dictionary<string, double>();
                foreach (var property in o.EnumerateObject())
                    if (property.Name.StartsWith("valid_", StringComparison.Ordinal))
                        metrics[property.Name["valid_".Length..]] = Get(o, property.Name)!.Value;
                records.Add(new MetricsRecord
                {
                    Kind = Kind(o),
                    Step = Whole(o, "step", long.MaxValue) ?? throw new FormatException("no 'step': every record has one."),
                    Epoch = (int?)Whole(o, "epoch", int.MaxValue),
                    TrainLoss = Get(o, "train_loss"),
                    TrainSteps = (int?)Whole(o, "train_steps", int.MaxValue),
                    Metrics = metrics.Count > 0 ? metrics : null,
                    TokensPerSecond = Get(o, "tokens_per_s"),
                    LearningRate = Get(o, "lr"),
                    ElapsedSeconds = Get(o, "elapsed_s"),
                });
            }
            catch (JsonException ex)
            {   // the parser counts this one line from line 0 and says so in its message: name the file's line and the byte in it
                string message = ex.Message is var m && m.IndexOf(" LineNumber:", StringComparison.Ordinal) is int cut and >= 0 ? m[..cut] : m;
                throw new FormatException($"{path}:{lineNumber}: not a metrics record: not valid JSON at byte {ex.BytePositionInLine} of the line: {message}", ex);
            }
            catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new FormatException($"{path}:{lineNumber}: not a metrics record: {ex.Message}", ex);
            }
        }
        return records;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private static void Write(Utf8JsonWriter w, string key, double? value)
    {
        if (value is not double v) return;
        if (double.IsFinite(v)) w.WriteNumber(key, v);
        else w.WriteString(key, double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }

    private static bool IsJson(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return true;
        }
        catch (JsonException) { return false; }
    }

    private static MetricsRecordKind Kind(JsonElement o)
    {
        if (!o.TryGetProperty("kind", out var e)) return MetricsRecordKind.Train;
        if (e.ValueKind != JsonValueKind.String) throw new FormatException($"'kind' is {Excerpt(e)}, expected \"train\" or \"eval\".");
        return e.GetString() == "eval" ? MetricsRecordKind.Evaluation : MetricsRecordKind.Train;
    }

    // An optional whole number in [0, max]; null when the record has no such field.
    private static long? Whole(JsonElement o, string key, long max)
    {
        if (!o.TryGetProperty(key, out var e)) return null;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0 || v > max)
            throw new FormatException($"'{key}' is {Excerpt(e)}, expected a whole number in [0, {max}].");
        return v;
    }

    // The value's JSON text, cut to 40 characters.
    private static string Excerpt(JsonElement e) => Checks.Excerpt(e.GetRawText(), 40);

    private static double? Get(JsonElement o, string key)
    {
        if (!o.TryGetProperty(key, out var e)) return null;
        if (e.ValueKind == JsonValueKind.Number)
            return e.GetDouble() is var v && double.IsFinite(v) ? v : throw new FormatException($"'{key}' is {e.GetRawText()}, beyond the range of a double (the log writes non-finite values as \"NaN\", \"Infinity\", \"-Infinity\").");
        if (e.ValueKind != JsonValueKind.String) throw new FormatException($"'{key}' is {e.GetRawText()}, expected a number.");
        return e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new FormatException($"'{key}' is \"{s}\", expected a number."),
        };
    }
}
