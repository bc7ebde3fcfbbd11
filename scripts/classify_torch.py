#!/usr/bin/python3
"""PyTorch side of `seqlearn classify cv --model rnn` on one fold of MR, with the same protocol.

Same folds (the generator of Engine/Classification/FoldAssignment.cs, imported from classify_baselines_sklearn.py,
fingerprint printed), the same validation part (round(0.1 n_c) per class, Fisher-Yates with seed
fold_seed + 0x9E3779B97F4A7C15 (f + 1)), the same vocabulary (every word of the training folds, or with --min-count n
the words seen n times in the training part, numbered from 2 in order of first occurrence; 0 pads, 1 is <unk>), the same length-bucketed batches (BatchPlan.Bucketed: per epoch a
SeededRng(seed ^ 0x9E3779B97F4A7C15 (epoch + 1)) permutation, pools of 50 batches sorted by length, batch order
shuffled) or plain shuffled ones (--batching shuffled), and the same model:

    Embedding(V, E) N(0, s^2) -> Dropout(p_emb) -> biLSTM(E, H) over the valid steps (packed) -> max over valid steps
    -> Dropout(p) -> Linear(2H, 2),   Adam(lr), global grad-norm clip, cross-entropy averaged over the batch,
    with word dropout: each valid training word read as <unk> (id 1) with probability --word-dropout (drawn by
    torch's generator, so the same rate but not the same words as SeqLearn).

Prints per epoch: training loss, validation and test accuracy, training tokens/s (valid tokens, training time only);
then the test accuracy at the epoch of best validation accuracy (first on ties), as SeqLearn reports it.

Run the baselines without the CPU-capping variables:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 scripts/classify_torch.py --fold 0 --threads 2
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classify_baselines_sklearn import M64, SeededRng, fingerprint, read_lines, shared_data, shuffle, stratified_folds  # noqa: E402

GOLDEN = 0x9E3779B97F4A7C15


def validation_split(labels, fold_of, fold, fold_seed, fraction=0.1, classes=2):
    """FoldAssignment.Fold: (train, validation, test) index lists, ascending."""
    training = [i for i in range(len(labels)) if fold_of[i] != fold]
    rng = SeededRng((fold_seed + GOLDEN * (fold + 1)) & M64)
    valid = []
    for c in range(classes):
        members = [i for i in training if labels[i] == c]
        shuffle(members, rng)
        m = int(np.floor(fraction * len(members) + 0.5))  # round half away from zero (positive numbers)
        if fraction > 0 and len(members) >= 2:
            m = min(max(m, 1), len(members) - 1)
        valid.extend(members[:m])
    valid_set = set(valid)
    train = [i for i in training if i not in valid_set]
    test = [i for i in range(len(labels)) if fold_of[i] == fold]
    return train, sorted(valid), test


def permutation(n, rng):
    p = list(range(n))
    shuffle(p, rng)
    return p


def bucketed(lengths, batch, seed, epoch, pool_batches=50):
    """BatchPlan.Bucketed."""
    rng = SeededRng(seed ^ ((GOLDEN * (epoch + 1)) & M64))
    order = permutation(len(lengths), rng)
    pool = min(pool_batches * batch, len(lengths))
    batches = []
    for start in range(0, len(order), pool):
        part = sorted(order[start:start + pool], key=lambda i: lengths[i])  # stable
        batches.extend(part[k:k + batch] for k in range(0, len(part), batch))
    return [batches[i] for i in permutation(len(batches), rng)]


def shuffled(n, batch, seed, epoch):
    """BatchPlan.Shuffled."""
    order = permutation(n, SeededRng(seed ^ ((GOLDEN * (epoch + 1)) & M64)))
    return [order[k:k + batch] for k in range(0, n, batch)]


class Classifier(nn.Module):
    def __init__(self, v, e, h, cell, p_emb, p, classes=2):
        super().__init__()
        self.embedding = nn.Embedding(v, e)
        self.drop_emb = nn.Dropout(p_emb)
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(e, h, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(p)
        self.out = nn.Linear(2 * h, classes)

    def forward(self, ids, lengths):                                  # ids (B, T), lengths (B) on CPU
        x = self.drop_emb(self.embedding(ids))                        # (B, T, E)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        y, _ = self.rnn(packed)
        y, _ = pad_packed_sequence(y, batch_first=True, padding_value=float("-inf"))  # (B, T, 2H), -inf past each length
        u = y.max(dim=1).values                                       # masked max over time
        return self.out(self.drop(u))


def pad(seqs, rows):
    lengths = torch.tensor([len(seqs[r]) for r in rows])
    ids = torch.zeros(len(rows), int(lengths.max()), dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, :len(seqs[r])] = torch.tensor(seqs[r])
    return ids, lengths


@torch.no_grad()
def accuracy(model, seqs, labels, batch=50):
    model.eval()
    correct = 0
    for k in range(0, len(seqs), batch):
        rows = list(range(k, min(k + batch, len(seqs))))
        ids, lengths = pad(seqs, rows)
        correct += int((model(ids, lengths).argmax(1) == torch.tensor([labels[r] for r in rows])).sum())
    model.train()
    return correct / len(seqs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pos")
    ap.add_argument("--neg")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--fold-seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--clip", type=float, default=5.0, help="global grad-norm clip; 0 = none")
    ap.add_argument("--embedding", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    ap.add_argument("--dropout", type=float, default=0.3, help="on the pooled vector")
    ap.add_argument("--emb-dropout", type=float, default=0.0, help="on the word vectors")
    ap.add_argument("--embedding-std", type=float, default=1.0, help="s: the word vectors start as N(0, s^2) (1: PyTorch's default; SeqLearn's classifier uses 0.1)")
    ap.add_argument("--word-dropout", type=float, default=0.0, help="probability of reading a training word as <unk> (SeqLearn's classifier: 0.25)")
    ap.add_argument("--batching", choices=["bucketed", "shuffled"], default="bucketed")
    ap.add_argument("--seed", type=int, default=1, help="torch.manual_seed (weights, dropout) and the batch-plan seed")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-count", type=int, default=1, help="vocabulary: words seen this often in the training part (1: every word of the training folds)")
    ap.add_argument("--max-batches", type=int, default=0, help="throughput runs: stop each epoch after this many batches (0 = all)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    pos = read_lines(args.pos or shared_data("sentiment/rt-polarity.pos"))
    neg = read_lines(args.neg or shared_data("sentiment/rt-polarity.neg"))
    text = [s.split() for s in pos + neg]
    labels = [1] * len(pos) + [0] * len(neg)
    fold_of = stratified_folds(labels, 2, args.folds, args.fold_seed)
    train, valid, test = validation_split(labels, fold_of, args.fold, args.fold_seed)
    counts = {}
    for i in (sorted(train + valid) if args.min_count == 1 else train):   # the training folds (or part), dataset order
        for w in text[i]:
            counts[w] = counts.get(w, 0) + 1
    vocab = {}
    for w, n in counts.items():                                       # first-occurrence order
        if n >= args.min_count:
            vocab[w] = len(vocab) + 2
    encode = lambda s: [vocab.get(w, 1) for w in s] or [1]           # noqa: E731
    seqs = [encode(s) for s in text]
    print(f"folds {args.folds}, seed {args.fold_seed}, fingerprint {fingerprint(fold_of):016x}; fold {args.fold}: "
          f"train {len(train)}, validation {len(valid)}, test {len(test)}; vocabulary {len(vocab) + 2}; "
          f"torch {torch.__version__}, {args.threads} thread(s)")
    print(" ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v is not None))

    tr_seqs, tr_labels = [seqs[i] for i in train], [labels[i] for i in train]
    va_seqs, va_labels = [seqs[i] for i in valid], [labels[i] for i in valid]
    te_seqs, te_labels = [seqs[i] for i in test], [labels[i] for i in test]
    model = Classifier(len(vocab) + 2, args.embedding, args.hidden, args.cell, args.emb_dropout, args.dropout)
    with torch.no_grad():
        model.embedding.weight.mul_(args.embedding_std)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    lengths = [len(s) for s in tr_seqs]
    best = (-1.0, 0, 0.0)
    train_seconds, tokens = 0.0, 0
    print(f"{'epoch':>5} {'loss':>7} {'valid':>7} {'test':>7} {'tok/s':>8}")
    for epoch in range(args.epochs):
        plan = (bucketed(lengths, args.batch, args.seed, epoch) if args.batching == "bucketed"
                else shuffled(len(tr_seqs), args.batch, args.seed, epoch))
        if args.max_batches > 0:
            plan = plan[:args.max_batches]
        batches = [(pad(tr_seqs, rows), torch.tensor([tr_labels[r] for r in rows])) for rows in plan]
        loss_sum, t0, ep_tokens = 0.0, time.perf_counter(), 0
        for (ids, lens), y in batches:
            if args.word_dropout > 0:                                 # valid positions only: padding stays 0
                valid = torch.arange(ids.shape[1])[None, :] < lens[:, None]
                ids = ids.masked_fill(valid & (torch.rand(ids.shape) < args.word_dropout), 1)
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(ids, lens), y)
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            loss_sum += float(loss)
            ep_tokens += int(lens.sum())
        dt = time.perf_counter() - t0
        train_seconds += dt
        tokens += ep_tokens
        va, te = accuracy(model, va_seqs, va_labels), accuracy(model, te_seqs, te_labels)
        if va > best[0]:
            best = (va, epoch + 1, te)
        print(f"{epoch + 1:5d} {loss_sum / len(batches):7.4f} {100 * va:7.2f} {100 * te:7.2f} {ep_tokens / dt:8.0f}", flush=True)
    print(f"best validation {100 * best[0]:.2f} at epoch {best[1]}: test {100 * best[2]:.2f}; "
          f"training {train_seconds:.1f} s, {tokens / train_seconds:.0f} tokens/s")


if __name__ == "__main__":
    main()
