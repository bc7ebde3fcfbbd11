using System.Text;
using System.Text.Json;

namespace SeqLearn.Training;

/// <summary>
/// One line of a metrics log: a training step or an evaluation. Unset (null) fields are omitted from the line.
/// Keys: step, epoch, train_loss, valid_loss, ppl, bpc, tokens_per_s, lr, elapsed_s.
/// </summary>
public sealed record MetricsRecord
{
    /// <summary>The global optimizer step.</summary>
    public required long Step { get; init; }

    /// <summary>The epoch (pass over the training data), if tracked.</summary>
    public int? Epoch { get; init; }

    /// <summary>Mean training cross-entropy (nats per token) since the previous record.</summary>
    public double? TrainLoss { get; init; }

    /// <summary>Validation cross-entropy (nats per token).</summary>
    public double? ValidLoss { get; init; }

    /// <summary>Perplexity exp(loss) (word-level models).</summary>
    public double? Perplexity { get; init; }

    /// <summary>Bits per character loss / ln 2 (character-level models).</summary>
    public double? BitsPerChar { get; init; }

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
public sealed class MetricsLog : IDisposable
{
    private readonly FileStream _stream;

    /// <summary>Opens (creating if needed) <paramref name="path"/> for appending.</summary>
    public MetricsLog(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
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
            w.WriteNumber("step", record.Step);
            if (record.Epoch is int e) w.WriteNumber("epoch", e);
            Write(w, "train_loss", record.TrainLoss);
            Write(w, "valid_loss", record.ValidLoss);
            Write(w, "ppl", record.Perplexity);
            Write(w, "bpc", record.BitsPerChar);
            Write(w, "tokens_per_s", record.TokensPerSecond);
            Write(w, "lr", record.LearningRate);
            Write(w, "elapsed_s", record.ElapsedSeconds);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        _stream.Flush();
    }

    /// <summary>Reads a log back; a malformed line is an error naming the file and line number.</summary>
    public static IReadOnlyList<MetricsRecord> Read(string path)
    {
        var records = new List<MetricsRecord>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                records.Add(new MetricsRecord
                {
                    Step = o.GetProperty("step").GetInt64(),
                    Epoch = o.TryGetProperty("epoch", out var ep) ? ep.GetInt32() : null,
                    TrainLoss = Get(o, "train_loss"),
                    ValidLoss = Get(o, "valid_loss"),
                    Perplexity = Get(o, "ppl"),
                    BitsPerChar = Get(o, "bpc"),
                    TokensPerSecond = Get(o, "tokens_per_s"),
                    LearningRate = Get(o, "lr"),
                    ElapsedSeconds = Get(o, "elapsed_s"),
                });
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
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

    private static double? Get(JsonElement o, string key)
    {
        if (!o.TryGetProperty(key, out var e)) return null;
        if (e.ValueKind == JsonValueKind.Number) return e.GetDouble();
        return e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new FormatException($"'{key}' is \"{s}\", expected a number."),
        };
    }
}
