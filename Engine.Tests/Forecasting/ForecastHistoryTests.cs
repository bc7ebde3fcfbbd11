using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using SeqLearn.Forecasting;
using SeqLearn.Nn;
using SeqLearn.Tensors;
using SeqLearn.Tests.Support;

namespace SeqLearn.Tests.Forecasting;

/// <summary>
/// <see cref="IOneStepForecaster.MaxHistory"/> and the tail forms <c>Forecast(recent, t)</c> / <c>ForecastPath(recent, t)</c>:
/// every built-in model gives bit-identical forecasts from any tail that holds its window, and the wrappers pass their
/// inner models only that window, so a walk-forward over n rows does O(n·window) work.
/// </summary>
public class ForecastHistoryTests
{
    private static readonly double[] Series = [.. Enumerable.Range(0, 160).Select(t => 30 + 0.2 * t + 8 * Math.Sin(t / 3.0) + 3 * Math.Cos(t * 1.7))];

    private static readonly string[] Dates = [.. Enumerable.Range(0, 200).Select(d => new DateOnly(2020, 1, 1).AddDays(d).ToString("yyyy-MM-dd"))];

    private static Config Fixed(ulong seed, int tests) =>
        Config.QuickThrowOnFailure
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)))
            .WithMaxTest(tests)
            .WithQuietOnSuccess(true);

    /// <summary>Every one-step model of the library, fitted on the first 100 rows (the recurrent ones briefly, with calendar features).</summary>
    private static IEnumerable<IOneStepForecaster> OneStepModels()
    {
        var recurrent = new RecurrentForecasterOptions(RecurrentCell.Gru, Hidden: 4, LookBack: 6, MaxSteps: 10, BatchSize: 8, Calendar: CalendarFeatures.DayOfYear);
        IOneStepForecaster[] models =
        [
            new PersistenceForecaster(),
            new SeasonalNaiveForecaster(7),
            new AutoRegression(5),
            new TransformedForecaster(TransformedForecaster.ParsePipeline("log,diff1,diff7,standard"), new AutoRegression(3)),
            new RecurrentForecaster(recurrent, dates: Dates),
            new TransformedForecaster(TransformedForecaster.ParsePipeline("diff1,minmax"), new RecurrentForecaster(recurrent, dates: Dates[1..])),
        ];
        foreach (var m in models) m.Fit(Series.AsSpan(0, 100));
        return models;
    }

    [Fact]
    public void Forecast_FromAnyTailHoldingTheWindow_IsBitIdenticalToTheWholeHistory()
    {
        var models = OneStepModels().ToArray();
        var cases = (from m in Gen.Choose(0, models.Length - 1)
                     from t in Gen.Choose(30, Series.Length)
                     from extra in Gen.Choose(0, 40)
                     select (m, t, extra)).ToArbitrary();
        Check.One(Fixed(20261207, 120), Prop.ForAll(cases, c =>
        {
            var model = models[c.m];
            ReadOnlySpan<double> history = Series.AsSpan(0, c.t);
            int m = (int)Math.Min(c.t, (long)model.MaxHistory + c.extra);
            double whole = model.Forecast(history);
            Assert.Equal(BitConverter.DoubleToInt64Bits(whole), BitConverter.DoubleToInt64Bits(model.Forecast(history[^m..], c.t)));
        }));
    }

    [Fact]
    public void RecursivePath_FromATail_IsBitIdenticalToTheWholeHistory()
    {
        foreach (var model in OneStepModels())
        {
            var recursive = new RecursiveForecaster(model, 5);
            ReadOnlySpan<double> history = Series.AsSpan(0, 120);
            double[] whole = recursive.ForecastPath(history);
            Assert.Equal(whole, recursive.ForecastPath(history[^recursive.MaxHistory..], 120));
            Assert.Equal(whole, FutureForecast.Recursive(model, history[^model.MaxHistory..], 120, 5));
        }
    }

    [Fact]
    public void MultiStepPath_FromATail_IsBitIdenticalToTheWholeHistory()
    {
        var direct = new TransformedMultiStepForecaster(TransformedForecaster.ParsePipeline("log,diff7"), new DirectAutoRegression(4, 3));
        var network = new TransformedMultiStepForecaster(TransformedForecaster.ParsePipeline("diff1,standard"),
            new RecurrentForecaster(new RecurrentForecasterOptions(RecurrentCell.Lstm, Hidden: 4, LookBack: 5, MaxSteps: 10, BatchSize: 8, Horizon: 3,
                                                                   Calendar: CalendarFeatures.DayOfYear), dates: Dates[1..]));
        foreach (var (model, window) in new (IMultiStepForecaster, int)[] { (direct, 7 + 4), (network, 1 + 5) })
        {
            model.Fit(Series.AsSpan(0, 100));
            Assert.Equal(window, model.MaxHistory);
            for (int t = 110; t <= Series.Length; t += 7)
                Assert.Equal(model.ForecastPath(Series.AsSpan(0, t)), model.ForecastPath(Series.AsSpan(t - model.MaxHistory, model.MaxHistory), t));
        }
    }

    [Fact]
    public void Wrappers_PassTheirInnerModelOnlyItsWindow()
    {
        // A walk-forward over 2,000 rows: the inner model sees at most its window (plus the forecasts a recursive path adds),
        // however long the history. Passing the whole history would make the work quadratic in the rows.
        double[] values = [.. Enumerable.Range(0, 2000).Select(t => 5 + Math.Sin(t / 5.0))];
        var split = new ForecastSplit(1000, values.Length);

        var inner = new Recording(4);
        OneStepEvaluation.Forecasts(new TransformedForecaster(TransformedForecaster.ParsePipeline("diff1,diff3"), inner), values, split);
        Assert.Equal(1000, inner.Calls);
        Assert.Equal(4, inner.Longest);
        Assert.Equal(1999 - 4, inner.LastT);                       // the z history of the last target: t − Lag

        var stepper = new Recording(4);
        HorizonEvaluation.Forecasts(new TransformedForecaster(TransformedForecaster.ParsePipeline("log"), stepper), values, split, horizon: 6);
        Assert.Equal(4, stepper.Longest);
        Assert.Equal(1999, stepper.LastT);                         // step 6 of the last path forecasts row 1999

        // A recursive path copies the window, not the history: a path from 1,999 values allocates about as much as one from 10.
        var recursive = new RecursiveForecaster(new Recording(4), 6);
        long fromLong = AllocationMeter.AllocatedBy(() => recursive.ForecastPath(values.AsSpan(0, 1999)), repeats: 20);
        long fromShort = AllocationMeter.AllocatedBy(() => recursive.ForecastPath(values.AsSpan(0, 10)), repeats: 20);
        Assert.InRange(fromLong, 0, fromShort + 8192);            // copying the history would add 20 · 8 · 1,989 bytes
    }

    [Fact]
    public void ModelWithoutAWindow_IsGivenTheWholeHistory_AndRefusesATail()
    {
        var inner = new WholeHistory();
        var model = new TransformedForecaster(TransformedForecaster.ParsePipeline("diff1"), inner);
        Assert.Equal(int.MaxValue, model.MaxHistory);
        Assert.Equal(int.MaxValue, new RecursiveForecaster(model, 2).MaxHistory);
        model.Forecast(Series.AsSpan(0, 50));
        Assert.Equal(49, inner.Longest);
        FutureForecast.Recursive(model, Series.AsSpan(0, 50), 3);
        Assert.Equal(51, inner.Longest);
        var e = Assert.Throws<NotSupportedException>(() => ((IOneStepForecaster)inner).Forecast(Series.AsSpan(40, 10), 50));
        Assert.Equal("whole-history: forecasting from the last 10 of 50 history values needs a finite MaxHistory and its own Forecast(recent, t).", e.Message);
    }

    [Fact]
    public void Tail_ShorterThanTheWindow_OrLongerThanTheHistory_IsRefused()
    {
        var ar = new AutoRegression(5);
        ar.Fit(Series.AsSpan(0, 100));
        var shorter = Assert.Throws<ArgumentException>(() => ar.Forecast(Series.AsSpan(0, 4), 80));
        Assert.Equal("AutoRegression: reads the last 5 history values, got 4. (Parameter 'recent')", shorter.Message);
        var longer = Assert.Throws<ArgumentOutOfRangeException>(() => ar.Forecast(Series.AsSpan(0, 40), 30));
        Assert.StartsWith("AutoRegression: 40 recent values cannot be the tail of a history of 30.", longer.Message);
        var tooFew = Assert.Throws<ArgumentException>(() => ar.Forecast(Series.AsSpan(0, 4), 4));
        Assert.StartsWith("AutoRegression: AR(5) needs 5 history values, got 4.", tooFew.Message);
    }

    [Fact]
    public void RefusedValue_InsideTheWindow_IsNamedByItsRowInTheWholeHistory()
    {
        // The log stage sees only the last 4 values; its error is raised again on the whole history, so the row counts from 0.
        double[] values = [.. Series];
        values[97] = -1;
        var model = new TransformedForecaster(TransformedForecaster.ParsePipeline("log,diff1"), new AutoRegression(3));
        model.Fit(values.AsSpan(0, 90));
        var e = Assert.Throws<ArgumentException>(() => model.Forecast(values.AsSpan(0, 99)));
        Assert.StartsWith("LogTransform: value -1 at row 97 is not positive.", e.Message);
    }

    [Fact]
    public void LatestWindow_FromATail_ReadsOnlyItsOwnDates()
    {
        // Dates before row t − T are not parsed: a bad date there does not matter, one inside the window does.
        string[] dates = [.. Dates[..60]];
        dates[10] = "not a date";
        var spec = new WindowSpec(4, 1, CalendarFeatures.MonthOfYear);
        double[] fromTail = SeriesWindows.Latest(Series.AsSpan(40, 10), 50, dates, spec);
        string[] clean = [.. Dates[..60]];
        Assert.Equal(SeriesWindows.Latest(Series.AsSpan(0, 50), clean, spec), fromTail);
        var e = Assert.Throws<FormatException>(() => SeriesWindows.Latest(Series.AsSpan(0, 13), dates, spec));
        Assert.Equal("SeriesWindows: date 'not a date' at row 10 is not yyyy-MM or yyyy-MM-dd.", e.Message);
    }

    /// <summary>Forecasts 0 from its window and records the calls, the longest tail it was given and the last t.</summary>
    private sealed class Recording(int window) : IOneStepForecaster
    {
        public int Calls { get; private set; }

        public int Longest { get; private set; }

        public int LastT { get; private set; }

        public string Name => "recording";

        public int MinHistory => window;

        public int MaxHistory => window;

        public void Fit(ReadOnlySpan<double> train) { }

        public double Forecast(ReadOnlySpan<double> history) => Forecast(history[^window..], history.Length);

        public double Forecast(ReadOnlySpan<double> recent, int t)
        {
            (Calls, Longest, LastT) = (Calls + 1, Math.Max(Longest, recent.Length), t);
            return 0;
        }
    }

    /// <summary>A model that declares no window (the interface's defaults): forecasts 0 and records the longest history.</summary>
    private sealed class WholeHistory : IOneStepForecaster
    {
        public int Longest { get; private set; }

        public string Name => "whole-history";

        public int MinHistory => 1;

        public void Fit(ReadOnlySpan<double> train) { }

        public double Forecast(ReadOnlySpan<double> history)
        {
            Longest = Math.Max(Longest, history.Length);
            return 0;
        }
    }
}
