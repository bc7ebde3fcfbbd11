"""How far a linear autoregression can go on the sunspots protocol of docs/forecasting.md (split:0.66, 959 one-step
targets): AR(p) with intercept fitted by least squares on the training rows for several p, on y and on sqrt(y); AR(p)
with yearly means of the K years before its lags as extra inputs (a constrained long look-back), scored on the last 20 %
of the training rows (fitted on the rest) as well as on the targets; and an AR(24) fitted on every row (targets
included: a bound no honest model may use, not a result). Needs only NumPy.

    /usr/bin/python3 scripts/forecast_sunspots_linear_bound.py [path/to/monthly-sunspots.csv]
"""
import csv
import sys

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/timeseries/monthly-sunspots.csv"
with open(path, newline="") as f:
    y = np.array([float(row[1]) for row in list(csv.reader(f))[1:] if row])
n = len(y)
n_train = int(n * 0.66)
targets = np.arange(n_train, n)


def design(z, p, rows, years=0):
    """Rows t of [1, z_{t-1}, ..., z_{t-p}] and, when years > 0, the means of months t-12j-12 ... t-12j-1 for
    j = ceil(p / 12) ... years (the years before the lags)."""
    columns = [np.ones(len(rows))] + [z[rows - k] for k in range(1, p + 1)]
    for j in range(-(-p // 12), years + 1):
        columns.append(np.mean([z[rows - 12 * j - m] for m in range(1, 13)], axis=0))
    return np.column_stack(columns)


def rmse(z, inverse, p, fit_rows, eval_rows, years=0):
    coef = np.linalg.lstsq(design(z, p, fit_rows, years), z[fit_rows], rcond=None)[0]
    forecast = inverse(design(z, p, eval_rows, years) @ coef)
    return float(np.sqrt(np.mean((forecast - y[eval_rows]) ** 2)))


root = np.sqrt(y)
square = lambda v: np.maximum(v, 0) ** 2
same = lambda v: v
for p in (6, 12, 24, 36, 48, 72):
    fit = np.arange(p, n_train)
    print(f"AR({p}) on training rows: y {rmse(y, same, p, fit, targets):.4f}   sqrt(y) {rmse(root, square, p, fit, targets):.4f}")

# Yearly means: every variant on the same rows (the longest look-back, 17 years of means, needs 216 months).
train = np.arange(12 * 18, n_train)
held = len(train) // 5
for p, years in ((24, 0), (12, 8), (12, 11), (24, 8), (24, 11), (24, 16), (36, 11)):
    valid = rmse(y, same, p, train[:-held], train[-held:], years)
    test = rmse(y, same, p, train, targets, years)
    means = f"yearly means of years {-(-p // 12)}..{years} back" if years else "no yearly means"
    print(f"AR({p}), {means}: last 20 % of training rows {valid:.4f}   targets {test:.4f}")

every = np.arange(24, n)
print(f"AR(24) fitted on every row (targets included): y {rmse(y, same, 24, every, targets):.4f}   sqrt(y) {rmse(root, square, 24, every, targets):.4f}")
