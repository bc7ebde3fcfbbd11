"""How far a linear autoregression can go on the sunspots protocol of docs/forecasting.md (split:0.66, 959 one-step
targets): AR(p) with intercept fitted by least squares on the training rows for several p, on y and on sqrt(y), and an
AR(24) fitted on every row (targets included: a bound no honest model may use, not a result).

    /usr/bin/python3 scripts/forecast_sunspots_linear_bound.py [path/to/monthly-sunspots.csv]
"""
import sys

import numpy as np
import pandas as pd

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/timeseries/monthly-sunspots.csv"
y = pd.read_csv(path).iloc[:, 1].to_numpy(dtype=float)
n = len(y)
n_train = int(n * 0.66)
targets = np.arange(n_train, n)


def design(z, p, rows):
    """Rows t of [1, z_{t-1}, ..., z_{t-p}]."""
    return np.column_stack([np.ones(len(rows))] + [z[rows - k] for k in range(1, p + 1)])


def rmse(z, inverse, p, fit_rows):
    coef = np.linalg.lstsq(design(z, p, fit_rows), z[fit_rows], rcond=None)[0]
    forecast = inverse(design(z, p, targets) @ coef)
    return float(np.sqrt(np.mean((forecast - y[targets]) ** 2)))


root = np.sqrt(y)
square = lambda v: np.maximum(v, 0) ** 2
for p in (6, 12, 24, 36, 48, 72):
    fit = np.arange(p, n_train)
    print(f"AR({p}) on training rows: y {rmse(y, lambda v: v, p, fit):.4f}   sqrt(y) {rmse(root, square, p, fit):.4f}")
every = np.arange(24, n)
print(f"AR(24) fitted on every row (targets included): y {rmse(y, lambda v: v, 24, every):.4f}   sqrt(y) {rmse(root, square, 24, every):.4f}")
