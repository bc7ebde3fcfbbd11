#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for SeqLearn's recurrent sentence classifier (Engine/Classification).

Run from the repository root with the system PyTorch (1.13) and numpy:

    /usr/bin/python3 scripts/pytorch_classifier_fixture.py

For each case it builds, in float64 and from torch.manual_seed(2024), the model of RecurrentClassifierOptions.Build:

    ids (B, T), padded with 0, lengths l_b        token ids, 0 = <pad>, 1 = <unk>, words from 2
    x = Embedding(V, E)(ids)                       N(0, 1) start (PyTorch's default; SeqLearn scales it by sigma)
    y = LSTM/GRU(E, H, L, bidirectional)(x)        through pack_padded_sequence, so padding is never read
    u = pool(y)                                    max:  max over t < l_b (padding masked to -inf)
                                                   mean: sum over t < l_b / l_b
                                                   last: [y_fwd[b, l_b - 1] ; y_rev[b, 0]] (unidirectional: y[b, l_b - 1])
    z = Linear(D*H, C)(u)                          logits (B, C)
    L = cross_entropy(z, y), mean over the batch   as SequenceClassificationTask's training loss

The two dropout layers of the SeqLearn model (after the embedding and after the pooling) are left out: the fixtures
are written with p = 0, where both are the identity. The modules are registered under the child names of SeqLearn's
Sequential ("0" embedding, "2" recurrent layer, "5" linear; "1", "3", "4" are dropout, pooling, dropout and have no
parameters), so PyTorch's state_dict names are SeqLearn's parameter names (e.g. "2.weight_hh_l0_reverse").

Each case is one safetensors file Engine.Tests/Fixtures/classification/<name>.safetensors (a few KB), holding
    <param>         every parameter (F64)          grad.<param>  dL/d<param> (F64)
    ids (B, T), lengths (B), labels (B) (I64)      logits (B, C), loss (1) (F64)
and in __metadata__ the case's settings (cell, bidirectional, num_layers, pooling, V, E, H, C) and the torch version.
Engine.Tests/Classification/ClassifierPyTorchParityTests.cs builds the SeqLearn model from these and compares.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import write_cases

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Engine.Tests", "Fixtures", "classification")
V, E, H, C = 20, 6, 5, 3
# B = 4 rows, T = 7 steps; the rows are not sorted by length, one is full length and one has a single word.
IDS = [
    [5, 2, 17, 9, 1, 12, 3],
    [8, 19, 4, 0, 0, 0, 0],
    [11, 6, 2, 14, 7, 0, 0],
    [13, 0, 0, 0, 0, 0, 0],
]
LENGTHS = [7, 3, 5, 1]
LABELS = [2, 0, 1, 2]

CASES = [
    # name, cell, bidirectional, num_layers, pooling
    ("lstm_bidir_max", "lstm", True, 1, "max"),          # the CLI default (--model rnn)
    ("lstm_bidir_mean", "lstm", True, 1, "mean"),
    ("gru_last", "gru", False, 1, "last"),
    ("lstm_bidir_last_2layers", "lstm", True, 2, "last"),
]


class Classifier(nn.Module):
    def __init__(self, cell, bidirectional, layers, pooling):
        super().__init__()
        self.d = 2 if bidirectional else 1
        self.pooling = pooling
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.add_module("0", nn.Embedding(V, E))
        self.add_module("2", rnn(E, H, layers, batch_first=True, bidirectional=bidirectional))
        self.add_module("5", nn.Linear(self.d * H, C))

    def forward(self, ids, lengths):
        x = getattr(self, "0")(ids)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, final = getattr(self, "2")(packed)
        y, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])   # (B, T, D*H), zeros past l_b
        u = self.pool(y, lengths, final)
        return getattr(self, "5")(u)

    def pool(self, y, lengths, final):
        b, t, _ = y.shape
        valid = torch.arange(t)[None, :] < lengths[:, None]                             # (B, T)
        if self.pooling == "max":
            return y.masked_fill(~valid[:, :, None], float("-inf")).max(dim=1).values
        if self.pooling == "mean":
            return (y * valid[:, :, None]).sum(dim=1) / lengths[:, None].to(y.dtype)
        rows = torch.arange(b)
        last = y[rows, lengths - 1, :H]                                                  # forward half at l_b - 1
        u = torch.cat([last, y[:, 0, H:]], dim=1) if self.d == 2 else last              # reverse half at step 0
        # The same vector is the top layer's final hidden state h_n of each direction (a check of the indexing).
        h_n = final[0] if isinstance(final, tuple) else final
        top = torch.cat([h_n[-self.d + k] for k in range(self.d)], dim=1)
        assert torch.allclose(u, top, rtol=0, atol=1e-15), "last-step pooling does not match h_n"
        return u


def make(name, cell, bidirectional, layers, pooling):
    torch.manual_seed(2024)
    model = Classifier(cell, bidirectional, layers, pooling).double()
    ids = torch.tensor(IDS)
    lengths = torch.tensor(LENGTHS)
    logits = model(ids, lengths)
    loss = F.cross_entropy(logits, torch.tensor(LABELS))                                # mean over the batch
    loss.backward()
    tensors = {}
    for k, p in model.named_parameters():
        tensors[k] = p.detach().numpy()
        tensors["grad." + k] = p.grad.numpy()
    tensors["ids"] = np.array(IDS, dtype=np.int64)
    tensors["lengths"] = np.array(LENGTHS, dtype=np.int64)
    tensors["labels"] = np.array(LABELS, dtype=np.int64)
    tensors["logits"] = logits.detach().numpy()
    tensors["loss"] = loss.detach().reshape(1).numpy()
    metadata = {
        "cell": cell, "bidirectional": str(bidirectional).lower(), "num_layers": str(layers), "pooling": pooling,
        "vocabulary": str(V), "embedding": str(E), "hidden": str(H), "classes": str(C),
        "torch": torch.__version__, "script": "scripts/pytorch_classifier_fixture.py",
    }
    return tensors, metadata


def main():
    write_cases(OUT_DIR, CASES, make)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
