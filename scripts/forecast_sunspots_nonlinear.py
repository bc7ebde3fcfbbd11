"""Whether any forecaster chosen on the training rows alone reaches RMSE <= 16.5 on the sunspots protocol of
docs/forecasting.md (split:0.66: 1,861 training months, 959 one-step targets, each forecast from the true history
before it, every model fitted once on the training rows).

Every candidate is fitted twice: on the first 80 % of the training rows and scored on the last 20 % ("valid"), and on
all training rows and scored on the targets ("test"). A choice counts only if it is made on "valid". Families:
  - AR(p) with intercept, least squares;
  - AR(p) on sqrt(y), squared back, with and without the residual variance added (E[(z + e)^2] = z^2 + var e);
  - threshold AR (two regimes, each its own AR(24); regime by the change of the 12-month mean over 6 months, or by
    y_{t-1}; the threshold minimises the training squared error over quantiles 0.15 ... 0.85);
  - AR(24) plus kernel ridge regression (RBF kernel) on its residuals, inputs lags 1..L (levels or sqrt) and the AR
    forecast, standardised on the rows it is fitted on, optionally with B twelve-month means before the lags;
  - the mean forecast of the k candidates best on "valid", k chosen on "valid".
Needs only NumPy; about two minutes on one core.

    /usr/bin/python3 scripts/forecast_sunspots_nonlinear.py [path/to/monthly-sunspots.csv]
"""
import csv
import sys

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/timeseries/monthly-sunspots.csv"
with open(path, newline="") as f:
    y = np.array([float(row[1]) for row in list(csv.reader(f))[1:] if row])
n = len(y)
n_train = int(n * 0.66)
n_fit_valid = int(n_train * 0.8)
# (rows fitted on: t < n_fit, rows scored: t0 <= t < t1)
SPLITS = {"valid": (n_fit_valid, n_fit_valid, n_train), "test": (n_train, n_train, n)}


def lags(z, p, rows):
    """Rows t of [z_{t-1}, ..., z_{t-p}]."""
    return np.column_stack([z[rows - k] for k in range(1, p + 1)])


def least_squares(x, target):
    x1 = np.column_stack([np.ones(len(x)), x])
    return np.linalg.lstsq(x1, target, rcond=None)[0]


def ar(p):
    def forecast(n_fit, rows, first=None):
        fit = np.arange(first or p, n_fit)
        coef = least_squares(lags(y, p, fit), y[fit])
        return coef[0] + lags(y, p, rows) @ coef[1:], coef[0] + lags(y, p, fit) @ coef[1:], fit
    return forecast


def sqrt_ar(p, add_variance):
    z = np.sqrt(y)

    def forecast(n_fit, rows):
        fit = np.arange(p, n_fit)
        coef = least_squares(lags(z, p, fit), z[fit])
        residual = z[fit] - coef[0] - lags(z, p, fit) @ coef[1:]
        zhat = coef[0] + lags(z, p, rows) @ coef[1:]
        return zhat ** 2 + residual.var() if add_variance else np.maximum(zhat, 0) ** 2
    return forecast


def regime_change(rows, d=6):
    """12-month mean ending at t-1 minus the one ending at t-1-d: the cycle is rising or falling."""
    now = np.mean([y[rows - k] for k in range(1, 13)], axis=0)
    before = np.mean([y[rows - k - d] for k in range(1, 13)], axis=0)
    return now - before


def threshold_ar(regime, p=24):
    def forecast(n_fit, rows):
        fit = np.arange(p + 20, n_fit)
        x, target, r = lags(y, p, fit), y[fit], regime(fit)
        best = None
        for q in np.linspace(0.15, 0.85, 29):
            threshold = np.quantile(r, q)
            low = r <= threshold
            coefs = [least_squares(x[m], target[m]) for m in (low, ~low)]
            sse = sum(np.sum((target[m] - c[0] - x[m] @ c[1:]) ** 2) for m, c in zip((low, ~low), coefs))
            if best is None or sse < best[0]:
                best = (sse, threshold, coefs)
        _, threshold, (c_low, c_high) = best
        xr = lags(y, p, rows)
        return np.where(regime(rows) <= threshold, c_low[0] + xr @ c_low[1:], c_high[0] + xr @ c_high[1:])
    return forecast


def features(rows, L, blocks, root):
    z = np.sqrt(y) if root else y
    columns = [lags(z, L, rows)]
    for j in range(blocks):  # the means of months t-L-12j-12 ... t-L-12j-1
        columns.append(np.mean([z[rows - L - 12 * j - m] for m in range(1, 13)], axis=0)[:, None])
    return np.hstack(columns)


def ar_plus_kernel_ridge(L, blocks, root, alpha, g):
    def forecast(n_fit, rows):
        first = max(24, L + 12 * blocks) + 1
        ar_rows, ar_fit, fit = ar(24)(n_fit, rows, first)
        residual = y[fit] - ar_fit
        x = np.hstack([features(fit, L, blocks, root), ar_fit[:, None]])
        xr = np.hstack([features(rows, L, blocks, root), ar_rows[:, None]])
        mean, std = x.mean(0), x.std(0) + 1e-9
        x, xr = (x - mean) / std, (xr - mean) / std
        gamma = g / x.shape[1]
        sq = (x * x).sum(1)
        kernel = np.exp(-gamma * np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0))
        scale = residual.std()
        weights = np.linalg.solve(kernel + alpha * np.eye(len(x)), residual / scale)
        sqr = (xr * xr).sum(1)
        cross = np.exp(-gamma * np.maximum(sqr[:, None] + sq[None, :] - 2 * xr @ x.T, 0))
        return ar_rows + scale * cross @ weights
    return forecast


candidates, families = {}, {}


def add(family, name, model):
    candidates[name], families[name] = model, family


for p in (12, 18, 24, 30, 36, 48):
    add("AR", f"AR({p})", (lambda p: lambda n_fit, rows: ar(p)(n_fit, rows)[0])(p))
for p in (24, 30, 36):
    add("sqrt AR", f"sqrt AR({p})", sqrt_ar(p, False))
    add("sqrt AR", f"sqrt AR({p}) + variance", sqrt_ar(p, True))
add("threshold AR", "threshold AR(24), 12-month mean change over 6 months", threshold_ar(regime_change))
add("threshold AR", "threshold AR(24), y_(t-1)", threshold_ar(lambda rows: y[rows - 1]))
for root in (False, True):
    for L in (12, 24, 36, 48):
        for alpha in (3, 10, 30):
            for g in (1, 2, 4):
                add("AR + KRR", f"AR(24) + KRR {'sqrt' if root else 'level'} L={L} a={alpha} g={g}", ar_plus_kernel_ridge(L, 0, root, alpha, g))
for L in (6, 12, 24):
    for blocks in (4, 8, 10):
        for alpha in (3, 10):
            for g in (1, 2):
                add("AR + KRR, yearly means", f"AR(24) + KRR sqrt L={L} + {blocks} yearly means a={alpha} g={g}", ar_plus_kernel_ridge(L, blocks, True, alpha, g))

forecasts, scores = {}, {}
for name, model in candidates.items():
    forecasts[name] = {}
    for split, (n_fit, t0, t1) in SPLITS.items():
        forecasts[name][split] = model(n_fit, np.arange(t0, t1))
    scores[name] = {s: float(np.sqrt(np.mean((forecasts[name][s] - y[t0:t1]) ** 2))) for s, (_, t0, t1) in SPLITS.items()}


print(f"{'candidate':<58} {'valid':>7} {'test':>7}")
for fam in dict.fromkeys(families.values()):
    members = [k for k in candidates if families[k] == fam]
    by_valid = min(members, key=lambda k: scores[k]["valid"])
    by_test = min(members, key=lambda k: scores[k]["test"])
    print(f"{by_valid:<58} {scores[by_valid]['valid']:7.3f} {scores[by_valid]['test']:7.3f}   (family best on test, not a choice: {scores[by_test]['test']:.3f})")
order = sorted(candidates, key=lambda k: scores[k]["valid"])
print(f"chosen on valid: {order[0]}: valid {scores[order[0]]['valid']:.3f}, test {scores[order[0]]['test']:.3f}")
averages = {}
for k in (1, 3, 5, 10, 20, 40):
    averages[k] = {s: float(np.sqrt(np.mean((np.mean([forecasts[c][s] for c in order[:k]], axis=0) - y[t0:t1]) ** 2)))
                   for s, (_, t0, t1) in SPLITS.items()}
    print(f"mean of the {k:>2} best on valid: valid {averages[k]['valid']:.3f}, test {averages[k]['test']:.3f}")
k = min(averages, key=lambda q: averages[q]["valid"])
print(f"k chosen on valid: {k}: test {averages[k]['test']:.3f}")
print(f"candidates under 16.5 on test: {sum(s['test'] <= 16.5 for s in scores.values())} of {len(scores)}")
