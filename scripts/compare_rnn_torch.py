#!/usr/bin/python3
"""PyTorch side of `dotnet run -c Release --project Engine.Benchmarks -- compare rnn`.

A small server so the C# driver can interleave runs without paying the import cost each time. It reads one
command per line from stdin:

    <cell> <B> <T> <E> <H> <L> <iters>      cell in {lstm, gru, rnn}

builds (once per configuration) nn.LSTM / nn.GRU / nn.RNN(tanh) with batch_first=True in float32, then times
`iters` forward+backward passes (loss = output.sum(), x requires grad, parameter gradients reset to None
before each pass) after one warm-up pass, and prints the seconds per pass. torch.set_num_threads(1): intra-op
PyTorch threading is off; OpenBLAS keeps its own threads (both cores).
"""
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)
models = {}


def model(cell, e, h, layers):
    key = (cell, e, h, layers)
    if key not in models:
        cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        models[key] = cls(e, h, layers, batch_first=True)
    return models[key]


def step(m, x):
    for p in m.parameters():
        p.grad = None
    x.grad = None
    out, _ = m(x)
    out.sum().backward()


for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    if parts[0] == "quit":
        break
    cell = parts[0]
    b, t, e, h, layers, iters = (int(v) for v in parts[1:7])
    m = model(cell, e, h, layers)
    x = torch.randn(b, t, e, requires_grad=True)
    step(m, x)
    start = time.perf_counter()
    for _ in range(iters):
        step(m, x)
    elapsed = (time.perf_counter() - start) / iters
    print(f"{elapsed:.9f}", flush=True)
