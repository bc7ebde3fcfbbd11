"""Shared pieces of the PyTorch language-model baselines (scripts/lm_torch.py).

Corpus reading, the char-rnn / Zaremba stream batching, the Embedding -> LSTM -> Linear model, the
state-carrying evaluation and the JSON output helpers. The protocol these implement is written out in
docs/lm-benchmarks-protocol.md; the C# side implements the same.
"""
import json
import math
import os
import resource
import sys

import torch
from torch import nn
from torch.nn import functional as F

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA_DIR = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data"))


def setup_torch(seed):
    """Single intra-op thread (PyTorch's fastest setting on this machine; OpenBLAS keeps its own
    threads) and a fixed seed for initialisation and sampling."""
    torch.set_num_threads(1)
    torch.manual_seed(seed)


def read_chars(path):
    """Reads a text file as UTF-8. Returns (text, vocab) with vocab = sorted distinct characters."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text, sorted(set(text))


def encode_chars(text, vocab):
    """Character ids by position in the sorted vocabulary, as a 1-D int64 tensor."""
    index = {ch: i for i, ch in enumerate(vocab)}
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


def batchify(ids, batch):
    """Cuts a 1-D token stream of length N into `batch` contiguous streams of length N // batch (the
    remainder is dropped). Row b of the result is ids[b*L:(b+1)*L], L = N // batch."""
    length = ids.numel() // batch
    return ids[: length * batch].view(batch, length)


def windows(streams, steps, keep_tail=False):
    """Yields (inputs, targets) windows of `steps` time steps over (B, L) streams: inputs are
    streams[:, s:s+steps], targets streams[:, s+1:s+steps+1], for s = 0, steps, 2*steps, ...
    There are (L - 1) // steps full windows. With keep_tail the last, shorter window (the remaining
    (L - 1) % steps positions) is yielded too, so every position that has a successor is predicted."""
    last = streams.size(1) - 1  # positions that have a target
    for start in range(0, last, steps):
        stop = min(start + steps, last)
        if stop - start < steps and not keep_tail:
            return
        yield streams[:, start:stop], streams[:, start + 1 : stop + 1]


def count_windows(streams, steps):
    """Number of full windows windows() yields without keep_tail."""
    return (streams.size(1) - 1) // steps


class LstmLM(nn.Module):
    """nn.Embedding(V, E) -> nn.LSTM(E, H, num_layers, batch_first=True, dropout=0) -> nn.Linear(H, V),
    with PyTorch's default initialisation."""

    def __init__(self, vocab_size, embed, hidden, layers):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True, dropout=0.0)
        self.proj = nn.Linear(hidden, vocab_size)

    def forward(self, x, state):
        """x: (B, T) ids, state: (h, c) each (layers, B, H). Returns logits (B, T, V) and the new state."""
        out, state = self.lstm(self.embed(x), state)
        return self.proj(out), state

    def zero_state(self, batch):
        """The all-zero (h, c) for `batch` streams."""
        shape = (self.lstm.num_layers, batch, self.lstm.hidden_size)
        return torch.zeros(shape), torch.zeros(shape)


def detach(state):
    """Cuts the autograd history of a carried (h, c): truncated BPTT."""
    return tuple(s.detach() for s in state)


def window_loss(logits, targets):
    """Mean cross-entropy per token over a (B, T) window."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def evaluate(model, streams, steps):
    """Mean cross-entropy (nats per token) over every predicted token of `streams`: windows of `steps`,
    including the final shorter window, state carried from a zero initial state, eval mode, no_grad.
    The mean is over tokens (sum of all losses / number of predictions), not over windows."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        state = model.zero_state(streams.size(0))
        for x, y in windows(streams, steps, keep_tail=True):
            logits, state = model(x, state)
            total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    model.train(was_training)
    return total / count


def peak_rss_mb():
    """Peak resident set size of this process in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(record):
    """Prints one JSON object on a line of stdout, flushed so that a driver can follow progress."""
    print(json.dumps(record), flush=True)


def note(text):
    """Prints a human-readable line on stderr."""
    print(text, file=sys.stderr, flush=True)


def ppl(loss):
    """Perplexity from a mean cross-entropy in nats, guarded against overflow."""
    return math.exp(min(loss, 700.0))
