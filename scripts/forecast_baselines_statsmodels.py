#!/usr/bin/python3
"""Reference numbers for `seqlearn forecast`: the same baselines on the same targets, computed with numpy/pandas and
statsmodels' AutoReg(trend="c").

Protocols (each target t is forecast one step ahead from the true values y_0 .. y_{t-1}; models are fitted once, on
the rows before the first target; RMSE and MAE in the series' units):
  airline (A)   split:0.67         first int(144 * 0.67) = 96 months train, 48 targets
  airline (B)   last:12            132 months train, 12 targets
  temperatures  from:1990-01-01    3285 days train (1981-1989), 365 targets
  sunspots      split:0.66         first int(2820 * 0.66) = 1861 months train, 959 targets

Usage: /usr/bin/python3 scripts/forecast_baselines_statsmodels.py [SHARED_DATA_DIR]
(default: shared/data/timeseries in the nearest folder above the script that has one, e.g. ../shared beside the
repository).
"""
import os
import sys

import numpy as np
import pandas as pd
from statsmodels.tsa.ar_model import AutoReg, ar_select_order



def find_data():
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        candidate = os.path.join(here, "shared", "data", "timeseries")
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            sys.exit("no shared/data/timeseries above the script; pass the folder as the first argument")
        here = parent


DATA = sys.argv[1] if len(sys.argv) > 1 else find_data()


def rmse(y, f):
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(f)) ** 2)))


def mae(y, f):
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(f))))


def ar_forecasts(y, n_train, p):
    """AutoReg fitted once on y[:n_train]; one-step forecasts c + sum_i phi_i y[t-i] from the true history."""
    params = AutoReg(y[:n_train], lags=p, trend="c").fit().params
    c, phi = params[0], params[1:]
    return np.array([c + phi @ y[t - p:t][::-1] for t in range(n_train, len(y))]), params


def report(name, y, n_train, season, p_fixed, max_order=24):
    t = np.arange(n_train, len(y))
    target = y[t]
    sel = ar_select_order(y[:n_train], maxlag=max_order, trend="c", ic="aic", glob=False)
    p_aic = max(sel.ar_lags) if sel.ar_lags else 0
    print(f"{name}: {n_train} train, {len(t)} targets, season {season}, AIC p (1..{max_order}) = {p_aic}")
    rows = [("persistence", y[t - 1]), (f"seasonal-naive s={season}", y[t - season])]
    for p in sorted({p_fixed, p_aic}):
        f, params = ar_forecasts(y, n_train, p)
        rows.append((f"ar p={p}", f))
        if p == p_fixed:
            print(f"  AR({p}) c = {params[0]:.10f}, phi_1 = {params[1]:.10f}, phi_{p} = {params[p]:.10f}")
    for label, f in rows:
        print(f"  {label:<22} RMSE {rmse(target, f):.6f}  MAE {mae(target, f):.6f}")


def transformed_ar(name, y, n_train, lags, max_order=24):
    """AR on log y differenced at each lag in `lags` (fitted on the training rows), forecasts taken back to y."""
    series = [np.log(y)]  # series[k] is the input of the k-th difference, aligned by time (NaN before it exists)
    for lag in lags:
        prev = series[-1]
        series.append(np.concatenate([np.full(lag, np.nan), prev[lag:] - prev[:-lag]]))
    z = series[-1]
    first = sum(lags)
    sel = ar_select_order(z[first:n_train], maxlag=max_order, trend="c", ic="aic", glob=False)
    p = max(sel.ar_lags) if sel.ar_lags else 0
    params = AutoReg(z[first:n_train], lags=p, trend="c").fit().params
    forecasts = []
    for t in range(n_train, len(y)):
        v = params[0] + params[1:] @ z[t - p:t][::-1]
        for k in range(len(lags) - 1, -1, -1):
            v = v + series[k][t - lags[k]]
        forecasts.append(np.exp(v))
    target = y[n_train:]
    label = "log -> " + " -> ".join(f"diff({lag})" for lag in lags)
    print(f"{name}: AR on {label}, AIC p (1..{max_order}) = {p}: RMSE {rmse(target, forecasts):.6f}  MAE {mae(target, forecasts):.6f}")


def load(file, column):
    frame = pd.read_csv(os.path.join(DATA, file))
    return frame, frame[column].to_numpy(dtype=float)


air_frame, air = load("airline-passengers.csv", "Passengers")
temp_frame, temp = load("daily-min-temperatures.csv", "Temp")
sun_frame, sun = load("monthly-sunspots.csv", "Sunspots")
first_1990 = int(np.argmax(temp_frame["Date"].str.startswith("1990")))

report("airline (A) split:0.67", air, int(len(air) * 0.67), 12, 13)
report("airline (B) last:12", air, len(air) - 12, 12, 13)
report("temperatures from:1990-01-01", temp, first_1990, 365, 20)
report("sunspots split:0.66", sun, int(len(sun) * 0.66), 12, 24)

for lags in ([12], [1, 12]):
    transformed_ar("airline (A) split:0.67", air, int(len(air) * 0.67), lags)
    transformed_ar("airline (B) last:12", air, len(air) - 12, lags)
