#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for SeqLearn's recurrent layers.

Run from the repository root with the system PyTorch (1.13):

    /usr/bin/python3 scripts/pytorch_rnn_fixtures.py

For each case it builds nn.RNN / nn.LSTM / nn.GRU (batch_first=True, float64, torch.manual_seed fixed),
runs a batch (through pack_padded_sequence when the case has lengths), and backpropagates
L = sum(out * w_out) + sum(h_n * w_h) [+ sum(c_n * w_c)] with fixed random weights w_*. It stores the
parameters (state_dict names), inputs, outputs, final states and all gradients as JSON in
Engine.Tests/Fixtures/rnn/<name>.json. Values are written with 12 significant digits: the tests compare to 1e-5.
Each file is written atomically (temporary file in the same directory, then rename).
"""
import json
import os
import tempfile

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Engine.Tests", "Fixtures", "rnn")

CASES = [
    # name, kind, nonlinearity, E, H, L, bidirectional, B, T, lengths
    ("rnn_tanh", "rnn", "tanh", 3, 4, 1, False, 2, 4, None),
    ("rnn_relu_bidir_lengths", "rnn", "relu", 3, 4, 1, True, 3, 4, [4, 2, 3]),
    ("lstm", "lstm", None, 3, 4, 1, False, 2, 4, None),
    ("lstm_stacked_bidir_lengths", "lstm", None, 3, 3, 2, True, 3, 4, [2, 4, 1]),
    ("gru_stacked", "gru", None, 3, 4, 2, False, 2, 3, None),
    ("gru_bidir_lengths", "gru", None, 2, 3, 1, True, 3, 4, [4, 1, 3]),
]


def flat(t):
    return [float(f"{v:.12g}") for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


def make(name, kind, nonlinearity, E, H, L, bidirectional, B, T, lengths):
    torch.manual_seed(1234)
    if kind == "rnn":
        layer = nn.RNN(E, H, L, nonlinearity=nonlinearity, batch_first=True, bidirectional=bidirectional)
    elif kind == "lstm":
        layer = nn.LSTM(E, H, L, batch_first=True, bidirectional=bidirectional)
    else:
        layer = nn.GRU(E, H, L, batch_first=True, bidirectional=bidirectional)
    layer = layer.double()
    D = 2 if bidirectional else 1
    x = torch.randn(B, T, E, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(L * D, B, H, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(L * D, B, H, dtype=torch.float64, requires_grad=True) if kind == "lstm" else None
    state = (h0, c0) if kind == "lstm" else h0

    if lengths is None:
        out, final = layer(x, state)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out_packed, final = layer(packed, state)
        out, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    h_n, c_n = final if kind == "lstm" else (final, None)

    w_out = torch.randn(out.shape, dtype=torch.float64)
    w_h = torch.randn(h_n.shape, dtype=torch.float64)
    loss = (out * w_out).sum() + (h_n * w_h).sum()
    w_c = None
    if c_n is not None:
        w_c = torch.randn(c_n.shape, dtype=torch.float64)
        loss = loss + (c_n * w_c).sum()
    loss.backward()

    fixture = {
        "name": name, "kind": kind, "nonlinearity": nonlinearity or "", "input_size": E, "hidden_size": H,
        "num_layers": L, "bidirectional": bidirectional, "lengths": lengths,
        "params": {k: tensor_json(p) for k, p in layer.named_parameters()},
        "param_grads": {k: tensor_json(p.grad) for k, p in layer.named_parameters()},
        "x": tensor_json(x), "h0": tensor_json(h0), "output": tensor_json(out), "h_n": tensor_json(h_n),
        "w_out": tensor_json(w_out), "w_h": tensor_json(w_h),
        "x_grad": tensor_json(x.grad), "h0_grad": tensor_json(h0.grad), "loss": float(loss),
    }
    if c0 is not None:
        fixture.update({"c0": tensor_json(c0), "c_n": tensor_json(c_n), "w_c": tensor_json(w_c), "c0_grad": tensor_json(c0.grad)})
    return fixture


def write_atomic(path, text):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for case in CASES:
        fixture = make(*case)
        path = os.path.join(OUT_DIR, case[0] + ".json")
        write_atomic(path, json.dumps(fixture, separators=(",", ":")))
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
