#!/usr/bin/env python3
"""Writes a SeqLearn model checkpoint from a PyTorch module, and that module's outputs, as a parity fixture.

    /usr/bin/python3 scripts/pytorch_model_checkpoint_fixture.py

The module is the Keras-style many-to-one classifier Sequential([Embedding, LSTM (2 layers), LastStep, Linear]),
with children named "0".."3" as SeqLearn's Sequential names them. The script
  1. writes its weights and config as a SeqLearn checkpoint directory (checkpoint.json + weights.safetensors,
     format version 1, tensors under their PyTorch state_dict names),
  2. reads that weights file back and loads it into a fresh module with load_state_dict(strict=True), so the names
     are exactly PyTorch's,
  3. runs a padded batch with lengths (pack_padded_sequence; the last valid step of each row) and writes the logits.
Engine.Tests/Models/ModelCheckpointTests.cs loads the checkpoint with ModelCheckpoint.Load and compares.
Needs python3-torch (PyTorch 1.13) and numpy; deterministic (torch.manual_seed).
"""
import hashlib
import json
import os

import torch

from safetensors_io import read_safetensors, safetensors_bytes, write_atomic

OUT = os.path.join(os.path.dirname(__file__), "..", "Engine.Tests", "Fixtures", "checkpoints", "sequential_lstm")
V, E, H, L, C = 12, 6, 5, 2, 3


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("0", torch.nn.Embedding(V, E))
        self.add_module("1", torch.nn.LSTM(E, H, num_layers=L, batch_first=True))
        self.add_module("3", torch.nn.Linear(H, C))

    def forward(self, ids, lengths):
        x = getattr(self, "0")(ids)
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = getattr(self, "1")(packed)
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        last = y[torch.arange(len(lengths)), torch.tensor(lengths) - 1]        # LastStep: the last valid step
        return getattr(self, "3")(last)


def main():
    torch.manual_seed(0)
    model = Classifier()
    os.makedirs(OUT, exist_ok=True)
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    raw = safetensors_bytes(state)
    write_atomic(os.path.join(OUT, "weights.safetensors"), raw)
    config = {"type": "sequential", "layers": [
        {"type": "embedding", "num_embeddings": V, "embedding_dim": E},
        {"type": "lstm", "input_size": E, "hidden_size": H, "num_layers": L, "bidirectional": False, "dropout": 0.0},
        {"type": "last_step", "bidirectional": False},
        {"type": "linear", "in_features": H, "out_features": C, "bias": True}]}
    manifest = {
        "format": "seqlearn.checkpoint", "format_version": 1, "dtype": "F32", "step": 0,
        "weights": {"file": "weights.safetensors", "bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()},
        "parameters": list(model.state_dict().keys()),
        "rng": {},
        "model_config": config,
    }
    with open(os.path.join(OUT, "checkpoint.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")

    fresh = Classifier()
    with open(os.path.join(OUT, "weights.safetensors"), "rb") as f:
        stored, _ = read_safetensors(f.read())
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in stored.items()}, strict=True)
    ids = [[3, 1, 4, 1, 5], [9, 2, 6, 0, 0], [5, 0, 0, 0, 0]]
    lengths = [5, 3, 1]
    with torch.no_grad():
        logits = fresh(torch.tensor(ids), lengths)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"ids": ids, "lengths": lengths, "logits": logits.numpy().astype(float).tolist(),
                   "torch": torch.__version__}, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
