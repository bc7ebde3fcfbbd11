#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for SeqLearn's Seq2Seq model (Engine/Translation).

Run from the repository root with the system PyTorch (1.13) and numpy (the `safetensors` package is not needed):

    /usr/bin/python3 scripts/pytorch_seq2seq_fixture.py

For each case it builds the encoder-decoder of Engine/Translation/Seq2Seq.cs in float64 with PyTorch modules under the
same state_dict names (encoder.embedding, encoder.rnn, bridge, bridge_c, decoder.embedding, decoder.rnn,
decoder.attention.*, decoder.out), all weights from torch.manual_seed(1234), and runs one teacher-forced batch:

    source       padded with 0, lengths n_b, through pack_padded_sequence
    bridge       s0 = tanh(W_b [h_fwd; h_bwd] + b_b) per layer (and c0 likewise for an LSTM)
    Bahdanau     per step: e = v^T tanh(W_k m_s + W_q s_{t-1}^top), masked softmax, c_t = sum_s alpha m_s,
                 s_t = RNN([emb(y_{t-1}); c_t], s_{t-1}), logits = out(s_t)
    Luong        h = RNN(emb(y_{<U}), s0) over all steps (packed by decoder lengths), e = h W_a m^T, masked softmax,
                 c = alpha m, h~ = tanh(W_c [c; h]), logits = out(h~); with input feeding one step at a time with
                 RNN([emb(y_{t-1}); h~_{t-1}]), h~_0 = 0
    loss         cross_entropy(logits, targets, ignore_index=-100), the mean over target tokens

Each case is one safetensors file Engine.Tests/Fixtures/seq2seq/<name>.safetensors, written atomically, holding
    <param>                            every parameter under its state_dict name (F64)
    grad.<param>                       dL/d<param> (F64)
    sources (B, S), targets (B, U-1)   the token rows padded with PAD, source_lengths (B), target_lengths (B) (I64)
    logits (B*U, V), loss (1)          (F64)
and in __metadata__ the settings (cell, attention, input_feeding, source_vocab_size, target_vocab_size,
embedding_size, hidden_size, num_layers, bidirectional, attention_size ("" when the attention has none), pad, bos,
eos) and the torch version. Engine.Tests/Translation/Seq2SeqPyTorchParityTests.cs builds the SeqLearn model from
these and compares. scripts/torch_strict_load.py imports Model from this file.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import write_cases

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Engine.Tests", "Fixtures", "seq2seq")
PAD, BOS, EOS = 0, 1, 2
SOURCES = [[3, 4, 5, 6], [5, 3], [6, 6, 4]]
TARGETS = [[3, 7, 4], [5], [4, 4, 6, 3]]

CASES = [
    # name, cell, attention, input feeding, V_src, V_tgt, E, H, L, bidirectional, A
    ("bahdanau_gru_bidir", "gru", "bahdanau", False, 7, 8, 3, 4, 1, True, 5),
    ("luong_general_lstm_bidir", "lstm", "luong_general", False, 7, 8, 3, 4, 1, True, None),
    ("luong_general_feed_gru_2layers", "gru", "luong_general", True, 7, 8, 3, 4, 2, False, None),
]


def pad(rows, value):
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def rnn_class(cell):
    return nn.LSTM if cell == "lstm" else nn.GRU


class Attention(nn.Module):
    def __init__(self, kind, m, h, a):
        super().__init__()
        self.kind = kind
        if kind == "bahdanau":
            self.W_k = nn.Linear(m, a, bias=False)
            self.W_q = nn.Linear(h, a, bias=False)
            self.v = nn.Linear(a, 1, bias=False)
        else:
            self.W_a = nn.Linear(m, h, bias=False)
            self.W_c = nn.Linear(m + h, h, bias=False)

    def attend(self, q, memory, mask):
        # q (B, U, Q), memory (B, S, M), mask (B, S) True at valid positions
        if self.kind == "bahdanau":
            e = self.v(torch.tanh(self.W_k(memory)[:, None, :, :] + self.W_q(q)[:, :, None, :])).squeeze(-1)
        else:
            e = torch.bmm(q, self.W_a(memory).transpose(1, 2))
        e = e.masked_fill(~mask[:, None, :], float("-inf"))
        alpha = torch.softmax(e, dim=-1)
        return torch.bmm(alpha, memory), alpha


class Model(nn.Module):
    def __init__(self, cell, attention, feed, vs, vt, e, h, layers, bi, a):
        super().__init__()
        d = 2 if bi else 1
        m = d * h
        self.cell, self.attention_kind, self.feed, self.layers, self.d, self.h = cell, attention, feed, layers, d, h
        self.encoder = nn.Module()
        self.encoder.embedding = nn.Embedding(vs, e)
        self.encoder.rnn = rnn_class(cell)(e, h, layers, batch_first=True, bidirectional=bi)
        self.bridge = nn.Linear(m, h)
        if cell == "lstm":
            self.bridge_c = nn.Linear(m, h)
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(vt, e)
        rnn_in = e + m if attention == "bahdanau" else (e + h if feed else e)
        self.decoder.rnn = rnn_class(cell)(rnn_in, h, layers, batch_first=True)
        self.decoder.attention = Attention(attention, m, h, a)
        self.decoder.out = nn.Linear(h, vt)

    def bridge_state(self, linear, s):
        b = s.shape[1]
        joined = s.view(self.layers, self.d, b, self.h).transpose(1, 2).reshape(self.layers, b, self.d * self.h)
        return torch.tanh(linear(joined))

    def forward(self, src, src_len, dec_in, dec_len):
        packed = pack_padded_sequence(self.encoder.embedding(src), torch.tensor(src_len), batch_first=True, enforce_sorted=False)
        out, final = self.encoder.rnn(packed)
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        if self.cell == "lstm":
            state = (self.bridge_state(self.bridge, final[0]), self.bridge_state(self.bridge_c, final[1]))
        else:
            state = self.bridge_state(self.bridge, final)
        mask = torch.arange(src.shape[1])[None, :] < torch.tensor(src_len)[:, None]
        emb = self.decoder.embedding(dec_in)
        att = self.decoder.attention
        b, u = dec_in.shape
        if self.attention_kind == "bahdanau":
            logits = []
            for t in range(u):
                top = (state[0] if self.cell == "lstm" else state)[-1][:, None, :]
                c, _ = att.attend(top, memory, mask)
                y, state = self.decoder.rnn(torch.cat([emb[:, t:t + 1], c], 2), state)
                logits.append(self.decoder.out(y))
            return torch.cat(logits, 1)
        if self.feed:
            feed = torch.zeros(b, 1, self.h, dtype=torch.float64)
            logits = []
            for t in range(u):
                y, state = self.decoder.rnn(torch.cat([emb[:, t:t + 1], feed], 2), state)
                c, _ = att.attend(y, memory, mask)
                feed = torch.tanh(att.W_c(torch.cat([c, y], 2)))
                logits.append(self.decoder.out(feed))
            return torch.cat(logits, 1)
        packed = pack_padded_sequence(emb, torch.tensor(dec_len), batch_first=True, enforce_sorted=False)
        y, _ = self.decoder.rnn(packed, state)
        y, _ = pad_packed_sequence(y, batch_first=True, total_length=u)
        c, _ = att.attend(y, memory, mask)
        return self.decoder.out(torch.tanh(att.W_c(torch.cat([c, y], 2))))


def make(name, cell, attention, feed, vs, vt, e, h, layers, bi, a):
    torch.manual_seed(1234)
    model = Model(cell, attention, feed, vs, vt, e, h, layers, bi, a).double()
    src = pad(SOURCES, PAD)
    dec_in = pad([[BOS] + t for t in TARGETS], PAD)
    targets = pad([t + [EOS] for t in TARGETS], -100)
    logits = model(src, [len(s) for s in SOURCES], dec_in, [len(t) + 1 for t in TARGETS])
    logits = logits.reshape(-1, vt)
    loss = F.cross_entropy(logits, targets.reshape(-1), ignore_index=-100)
    loss.backward()
    tensors = {}
    for k, p in model.named_parameters():
        tensors[k] = p.detach().numpy()
        tensors["grad." + k] = p.grad.numpy()
    tensors["sources"] = src.numpy().astype(np.int64)
    tensors["source_lengths"] = np.array([len(s) for s in SOURCES], dtype=np.int64)
    tensors["targets"] = pad(TARGETS, PAD).numpy().astype(np.int64)
    tensors["target_lengths"] = np.array([len(t) for t in TARGETS], dtype=np.int64)
    tensors["logits"] = logits.detach().numpy()
    tensors["loss"] = loss.detach().reshape(1).numpy()
    metadata = {
        "cell": cell, "attention": attention, "input_feeding": str(feed).lower(), "source_vocab_size": str(vs),
        "target_vocab_size": str(vt), "embedding_size": str(e), "hidden_size": str(h), "num_layers": str(layers),
        "bidirectional": str(bi).lower(), "attention_size": "" if a is None else str(a),
        "pad": str(PAD), "bos": str(BOS), "eos": str(EOS),
        "torch": torch.__version__, "script": "scripts/pytorch_seq2seq_fixture.py",
    }
    return tensors, metadata


def main():
    write_cases(OUT_DIR, CASES, make)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
