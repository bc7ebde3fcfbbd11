#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for SeqLearn's recurrent layers (Engine/Nn: Rnn, Lstm, Gru).

Run from the repository root with the system PyTorch (1.13) and numpy (the `safetensors` package is not needed):

    /usr/bin/python3 scripts/pytorch_rnn_fixtures.py

For each case it builds nn.RNN / nn.LSTM / nn.GRU (batch_first=True, float64, torch.manual_seed(1234)), runs a batch
x (B, T, E) from the initial state h0 (and c0) (through pack_padded_sequence when the case has lengths), and
backpropagates

    L = sum(out * w_out) + sum(h_n * w_h) [+ sum(c_n * w_c)]      w_* fixed random weights

Each case is one safetensors file Engine.Tests/Fixtures/rnn/<name>.safetensors holding
    <param>                       every parameter under its state_dict name (F64), e.g. weight_hh_l1_reverse
    grad.<param>                  dL/d<param> (F64)
    x, h0 [, c0]                  the input and the initial state(s) (F64)
    output, h_n [, c_n]           the padded output (B, T, D*H) and the final state(s) (F64)
    w_out, w_h [, w_c], loss (1)  the loss weights and L (F64)
    grad.x, grad.h0 [, grad.c0]   dL/dx, dL/dh0, dL/dc0 (F64)
    lengths (B)                   only for the cases with lengths (I64)
and in __metadata__ the settings (kind, nonlinearity, input_size, hidden_size, num_layers, bidirectional) and the
torch version. Engine.Tests/Nn/PyTorchParityTests.cs builds the SeqLearn layer from these and compares both paths.
"""
import os

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import write_cases

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

    tensors = {}
    for k, p in layer.named_parameters():
        tensors[k] = p.detach().numpy()
        tensors["grad." + k] = p.grad.numpy()
    data = {"x": x, "h0": h0, "output": out, "h_n": h_n, "w_out": w_out, "w_h": w_h,
            "grad.x": x.grad, "grad.h0": h0.grad, "loss": loss.reshape(1)}
    if c0 is not None:
        data.update({"c0": c0, "c_n": c_n, "w_c": w_c, "grad.c0": c0.grad})
    tensors.update({k: v.detach().numpy() for k, v in data.items()})
    if lengths is not None:
        tensors["lengths"] = np.array(lengths, dtype=np.int64)
    metadata = {
        "kind": kind, "nonlinearity": nonlinearity or "", "input_size": str(E), "hidden_size": str(H),
        "num_layers": str(L), "bidirectional": str(bidirectional).lower(),
        "torch": torch.__version__, "script": "scripts/pytorch_rnn_fixtures.py",
    }
    return tensors, metadata


def main():
    write_cases(OUT_DIR, CASES, make)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
