#!/usr/bin/python3
"""Reference numbers for `seqlearn classify cv`: MNB-uni, MNB-bi and NBSVM-bi with scikit-learn on the same folds.

The fold assignment is recomputed here from the generator documented in Engine/Classification/FoldAssignment.cs
(SeededRng = xoshiro256** seeded through SplitMix64, Fisher-Yates per class, round-robin deal), and its FNV-1a
fingerprint is printed so it can be compared with `seqlearn classify cv --json` ("foldFingerprint"). Features are
scikit-learn's CountVectorizer on whitespace tokens (binary, ngram_range (1, n)), fitted on the training folds only;
MNB is MultinomialNB(alpha=1); NBSVM scales the features by the log-count ratio r, fits
LinearSVC(loss='squared_hinge', C=1) and interpolates w' = (1 - beta) mean|w| + beta w with beta = 0.25.

Usage: /usr/bin/python3 scripts/classify_baselines_sklearn.py [--pos FILE] [--neg FILE] [--folds 10] [--fold-seed 1]
"""
import argparse
import os
import time

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

M64 = (1 << 64) - 1


class SeededRng:
    """xoshiro256** seeded through SplitMix64: the same stream as Engine/Tensors/SeededRng.cs."""

    def __init__(self, seed):
        x = seed & M64
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            s.append(z ^ (z >> 31))
        self.s = s

    @staticmethod
    def _rotl(v, k):
        return ((v << k) | (v >> (64 - k))) & M64

    def next_uint64(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_int(self, bound):
        """Uniform in [0, bound) by Lemire's multiply-and-reject, as SeededRng.NextInt."""
        threshold = ((1 << 64) - bound) % bound
        while True:
            m = self.next_uint64() * bound
            if (m & M64) >= threshold:
                return m >> 64


def shuffle(a, rng):
    for i in range(len(a) - 1, 0, -1):
        j = rng.next_int(i + 1)
        a[i], a[j] = a[j], a[i]


def stratified_folds(labels, class_count, k, seed):
    rng = SeededRng(seed)
    fold_of = [0] * len(labels)
    nxt = 0
    for c in range(class_count):
        members = [i for i, y in enumerate(labels) if y == c]
        shuffle(members, rng)
        for i in members:
            fold_of[i] = nxt
            nxt = (nxt + 1) % k
    return fold_of


def fingerprint(fold_of):
    h = 0xCBF29CE484222325
    for f in fold_of:
        for b in f.to_bytes(4, "little", signed=True):
            h = ((h ^ b) * 0x100000001B3) & M64
    return h


def shared_data(relative):
    """Path under the first folder named shared/ with data/ above this script (as Engine.Tests/Support/SharedData.cs)."""
    d = os.path.dirname(os.path.abspath(__file__))
    while True:
        if os.path.isdir(os.path.join(d, "shared", "data")):
            return os.path.join(d, "shared", "data", relative)
        parent = os.path.dirname(d)
        if parent == d:
            raise FileNotFoundError("no shared/data folder above " + __file__)
        d = parent


def read_lines(path):
    with open(path, encoding="utf-8") as f:  # strict UTF-8, as the C# reader
        return [line.rstrip("\n").rstrip("\r") for line in f]


def vectorizer(order):
    return CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, binary=True, ngram_range=(1, order))


def mnb(train_text, y_train, test_text, order):
    v = vectorizer(order)
    x_train = v.fit_transform(train_text)
    return MultinomialNB(alpha=1.0).fit(x_train, y_train).predict(v.transform(test_text))


def nbsvm(train_text, y_train, test_text, order, alpha=1.0, beta=0.25, c=1.0, tol=1e-6):
    v = vectorizer(order)
    x_train = v.fit_transform(train_text)
    x_test = v.transform(test_text)
    p = alpha + np.asarray(x_train[y_train == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(x_train[y_train == 0].sum(axis=0)).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    svm = LinearSVC(loss="squared_hinge", C=c, tol=tol, max_iter=100000, dual=True).fit(x_train.multiply(r).tocsr(), y_train)
    w, b = svm.coef_.ravel(), svm.intercept_[0]
    w_bar = np.abs(w).mean()
    b_nb = np.log((y_train == 1).sum() / (y_train == 0).sum())
    w_prime = (1 - beta) * w_bar + beta * w
    b_prime = (1 - beta) * w_bar * b_nb + beta * b
    score = x_test.multiply(r).tocsr() @ w_prime + b_prime
    return (score > 0).astype(int)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pos", help="default: shared/data/sentiment/rt-polarity.pos")
    ap.add_argument("--neg", help="default: shared/data/sentiment/rt-polarity.neg")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--fold-seed", type=int, default=1)
    args = ap.parse_args()

    pos = read_lines(args.pos or shared_data("sentiment/rt-polarity.pos"))
    neg = read_lines(args.neg or shared_data("sentiment/rt-polarity.neg"))
    text = pos + neg                                  # positives first, then negatives (as SentenceFiles.ReadPolarity)
    labels = np.array([1] * len(pos) + [0] * len(neg))
    fold_of = np.array(stratified_folds(labels.tolist(), 2, args.folds, args.fold_seed))
    print(f"data: {len(text)} sentences; {args.folds} folds, seed {args.fold_seed}; fold fingerprint {fingerprint(fold_of.tolist()):016x}")
    print("fold sizes:", [int((fold_of == f).sum()) for f in range(args.folds)])

    models = {
        "mnb-uni": lambda a, y, b: mnb(a, y, b, 1),
        "mnb-bi": lambda a, y, b: mnb(a, y, b, 2),
        "nbsvm-bi": lambda a, y, b: nbsvm(a, y, b, 2),
    }
    acc = {name: [] for name in models}
    seconds = {name: 0.0 for name in models}
    print(f"{'fold':>4}  " + "  ".join(f"{n:>9}" for n in models))
    for f in range(args.folds):
        train = np.flatnonzero(fold_of != f)
        test = np.flatnonzero(fold_of == f)
        train_text = [text[i] for i in train]
        test_text = [text[i] for i in test]
        row = []
        for name, fit_predict in models.items():
            t0 = time.perf_counter()
            pred = fit_predict(train_text, labels[train], test_text)
            seconds[name] += time.perf_counter() - t0
            acc[name].append(100.0 * (pred == labels[test]).mean())
            row.append(f"{acc[name][-1]:9.2f}")
        print(f"{f:4d}  " + "  ".join(row))
    for name in models:
        a = np.array(acc[name])
        print(f"{name}: {a.mean():.2f} ± {a.std(ddof=1):.2f} % over {args.folds} folds ({seconds[name]:.1f} s)")


if __name__ == "__main__":
    main()
