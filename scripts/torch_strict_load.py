#!/usr/bin/env python3
"""Loads a SeqLearn checkpoint's weights into the matching PyTorch module with strict=True, and compares scores.

    /usr/bin/python3 scripts/torch_strict_load.py CHECKPOINT_DIR [--text FILE] [--seqlearn PATH/seqlearn.dll]

For a "sequential" model_config (e.g. `seqlearn classify train`: Embedding -> bidirectional LSTM -> pooling ->
Linear) steps 1 to 3 below are done (the children named "0", "1", ... as in SeqLearn's Sequential; parameterless
layers become nn.Identity) and the keys are printed. For "recurrent_lm" (`seqlearn train`) all five:

1. checks checkpoint.json's own SHA-256 and the weights file's size and SHA-256 (scripts/verify_checkpoint.py);
2. builds the PyTorch module that model_config describes ("type": "recurrent_lm": Embedding(V, E) -> LSTM / GRU /
   RNN(tanh or relu), L layers -> Linear(H, V), with PyTorch's word_language_model names encoder / rnn / decoder;
   with tie_weights the decoder owns only its bias and multiplies by encoder.weight, as SeqLearn stores it);
3. loads weights.safetensors into it with load_state_dict(strict=True): every key present, none extra, every shape
   equal (the optimizer state is in optimizer.safetensors and does not get in the way);
4. scores a text (--text, default: 40 lines of 30 symbols drawn from the checkpoint's own vocabulary with a fixed
   seed) as `seqlearn eval --batch 1` does: the stream
   is the end token (newline / <eos>) followed by every line's tokens and end token, each token after the first
   predicted from all before it, starting from a zero state; prints the total log10 probability;
5. with --seqlearn, runs `dotnet seqlearn.dll eval --checkpoint DIR --corpus TEXT --batch 1` and compares its
   "Total log10 prob" (printed with 10 significant digits) with PyTorch's: exit status 1 if the relative difference
   exceeds 1e-5.
For "seq2seq" (`seqlearn translate train`) steps 1 to 3 with the encoder-decoder of scripts/pytorch_seq2seq_fixture.py
(Bahdanau or Luong general attention, in float64), and with --seqlearn: `seqlearn translate` translates 40 seeded
sentences of source-vocabulary words greedily, and PyTorch teacher-forces each translation (with its <eos>) and
checks that every chosen token is its own argmax within 1e-4 in the logit; exit status 1 otherwise.
Prints one JSON object. Needs torch (1.13 tested) and numpy.
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors  # noqa: E402  (safetensors bytes -> numpy arrays)
from verify_checkpoint import check_manifest_seal, fail  # noqa: E402
from pytorch_seq2seq_fixture import Model as Seq2SeqModel  # noqa: E402  (Engine/Translation/Seq2Seq.cs in PyTorch)

CELLS = {"lstm": (nn.LSTM, {}), "gru": (nn.GRU, {}), "rnn": (nn.RNN, {"nonlinearity": "tanh"}),
         "rnnrelu": (nn.RNN, {"nonlinearity": "relu"})}


class TiedDecoder(nn.Module):
    """The output layer of a tied model: only the bias is its own (the weight is the embedding table)."""

    def __init__(self, vocab_size):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(vocab_size))


class RecurrentLM(nn.Module):
    """logits = decoder(rnn(encoder(x))): SeqLearn's LanguageModel with its parameter names."""

    def __init__(self, config):
        super().__init__()
        v, e, h, layers = config["vocab_size"], config["embedding_size"], config["hidden_size"], config["num_layers"]
        cell, kwargs = CELLS[config["cell"]]
        self.tied = bool(config["tie_weights"])
        self.encoder = nn.Embedding(v, e)
        self.rnn = cell(e, h, num_layers=layers, batch_first=True, **kwargs)
        self.decoder = TiedDecoder(v) if self.tied else nn.Linear(h, v)

    def forward(self, ids):
        """ids (B, T) -> logits (B, T, V), from a zero state."""
        y, _ = self.rnn(self.encoder(ids))
        if self.tied:
            return F.linear(y, self.encoder.weight, self.decoder.bias)
        return self.decoder(y)


def build_sequential(config):
    """An nn.Module whose children "0", "1", ... are the PyTorch layers of a SeqLearn LayerConfig list."""
    model = nn.Module()
    for i, layer in enumerate(config["layers"]):
        kind = layer["type"]
        if kind == "embedding":
            child = nn.Embedding(layer["num_embeddings"], layer["embedding_dim"], padding_idx=layer.get("padding_idx"))
        elif kind == "linear":
            child = nn.Linear(layer["in_features"], layer["out_features"], bias=layer["bias"])
        elif kind in ("lstm", "gru", "rnn"):
            cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
            extra = {"nonlinearity": layer.get("nonlinearity", "tanh")} if kind == "rnn" else {}
            child = cls(layer["input_size"], layer["hidden_size"], num_layers=layer["num_layers"], batch_first=True,
                        bidirectional=layer["bidirectional"], dropout=layer["dropout"], **extra)
        elif kind == "sequential":
            child = build_sequential(layer)
        elif kind in ("dropout", "activation", "last_step", "masked_max_pool", "masked_mean_pool"):
            child = nn.Identity()   # no parameters
        else:
            fail(f"layer type {kind!r} is not known to this script")
        model.add_module(str(i), child)
    return model


def encode(vocabulary, lines):
    """The token stream of `seqlearn eval` (LanguageModelEvaluator.Encode)."""
    if vocabulary["kind"] == "char":
        symbols = ([0xFFFD] if vocabulary["withUnk"] else []) + vocabulary["scalars"]
        index = {s: i for i, s in enumerate(symbols)}
        if vocabulary["withUnk"]:
            del index[0xFFFD]

        def tokens(line):
            out = []
            for ch in line:
                if ord(ch) in index:
                    out.append(index[ord(ch)])
                elif vocabulary["withUnk"]:
                    out.append(0)
                else:
                    fail(f"character {ch!r} is not in the checkpoint's vocabulary")
            return out
        end = index.get(ord("\n"))
    else:
        index = {w: i for i, w in enumerate(vocabulary["tokens"])}

        def tokens(line):
            return [index.get(w, index["<unk>"]) for w in line.split()]
        end = index["<eos>"]
    ids = [] if end is None else [end]
    for line in lines:
        ids += tokens(line)
        if end is not None:
            ids.append(end)
    return ids


def default_text(vocabulary):
    """40 lines of 30 symbols (characters other than the newline, or words other than <unk> / <eos>) drawn with seed 0."""
    rng = random.Random(0)
    if vocabulary["kind"] == "char":
        symbols = [chr(s) for s in vocabulary["scalars"] if s != ord("\n")]
        return "".join("".join(rng.choice(symbols) for _ in range(30)) + "\n" for _ in range(40))
    words = [w for w in vocabulary["tokens"] if w not in ("<unk>", "<eos>")]
    return "".join(" ".join(rng.choice(words) for _ in range(30)) + "\n" for _ in range(40))


def seqlearn_total_log10(dll, directory, text_path):
    out = subprocess.run(["dotnet", dll, "eval", "--checkpoint", directory, "--corpus", text_path, "--batch", "1"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"seqlearn eval failed: {out.stderr.strip()}")
    m = re.search(r"^Total log10 prob:\t(\S+)$", out.stdout, re.MULTILINE)
    if not m:
        fail(f"no 'Total log10 prob' in the output of seqlearn eval:\n{out.stdout}")
    return float(m.group(1))


def seq2seq_model(config):
    """The encoder-decoder of a "seq2seq" model_config, in float64, with SeqLearn's state_dict names."""
    attention = config["attention"]
    if attention not in ("bahdanau", "luong_general"):
        fail(f"attention {attention!r}: this script builds the bahdanau and luong_general decoders")
    return Seq2SeqModel(config["cell"], attention, bool(config["input_feeding"]), config["source_vocab_size"],
                        config["target_vocab_size"], config["embedding_size"], config["hidden_size"], config["num_layers"],
                        bool(config["bidirectional"]), config["attention_size"] or config["hidden_size"]).double()


def check_greedy_path(model, vocabulary, sources, hypotheses, tolerance=1e-4):
    """Teacher-forces each SeqLearn hypothesis (and its <eos>, unless it stopped at the maximum length) through the
    PyTorch model and checks that every token SeqLearn chose is PyTorch's argmax, up to `tolerance` in the logit (a
    tie within float32 rounding may go either way). Returns (tokens checked, largest logit shortfall)."""
    src_index = {w: i for i, w in enumerate(vocabulary["source"])}
    tgt_index = {w: i for i, w in enumerate(vocabulary["target"])}
    unk, bos, eos = src_index["<unk>"], tgt_index["<bos>"], tgt_index["<eos>"]
    checked, worst = 0, 0.0
    for source, hypothesis in zip(sources, hypotheses):
        src = [src_index.get(w, unk) for w in source.split()] + [src_index["<eos>"]]
        words = hypothesis.split()
        if any(w not in tgt_index for w in words):
            fail(f"hypothesis {hypothesis!r} has a word outside the target vocabulary")
        chosen = [tgt_index[w] for w in words]
        max_length = max(1, int(2.0 * len(src) + 10))   # DecodingOptions' default a = 2, b = 10
        if len(chosen) < max_length:
            chosen.append(eos)
        dec_in = [bos] + chosen[:-1]
        with torch.no_grad():
            logits = model(torch.tensor([src]), [len(src)], torch.tensor([dec_in]), [len(dec_in)])[0]
        for t, y in enumerate(chosen):
            shortfall = (logits[t].max() - logits[t, y]).item()
            worst = max(worst, shortfall)
            if shortfall > tolerance:
                fail(f"{source!r}: SeqLearn chose {vocabulary['target'][y]!r} at step {t}, {shortfall:.3g} below PyTorch's best "
                     f"{vocabulary['target'][int(logits[t].argmax())]!r}")
            checked += 1
    return checked, worst


def seq2seq_report(directory, manifest, model, result, state, args):
    """Strict load done; with --seqlearn, `seqlearn translate` translates 40 seeded sentences of source-vocabulary
    words and PyTorch confirms every greedy choice."""
    report = {"checkpoint": directory, "format_version": manifest["format_version"], "step": manifest["step"],
              "strict_load": {"missing_keys": result.missing_keys, "unexpected_keys": result.unexpected_keys},
              "keys": sorted(state)}
    if args.seqlearn:
        rng = random.Random(0)
        words = [w for w in manifest["vocabulary"]["source"][4:]]
        sources = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(40)]
        out = subprocess.run(["dotnet", args.seqlearn, "translate", "--checkpoint", directory], input="\n".join(sources) + "\n",
                             capture_output=True, text=True)
        if out.returncode != 0:
            fail(f"seqlearn translate failed: {out.stderr.strip()}")
        hypotheses = out.stdout.splitlines()
        if len(hypotheses) != len(sources):
            fail(f"seqlearn translate printed {len(hypotheses)} lines for {len(sources)} sentences")
        checked, worst = check_greedy_path(model, manifest["vocabulary"], sources, hypotheses)
        report.update({"sentences": len(sources), "greedy_tokens_checked": checked, "largest_logit_shortfall": worst})
    json.dump(report, sys.stdout, indent=1)
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--text", help="UTF-8 text to score (default: 40 seeded lines from the vocabulary)")
    parser.add_argument("--seqlearn", help="path of seqlearn.dll: compare with `seqlearn eval --batch 1`")
    args = parser.parse_args()
    directory = args.checkpoint
    with open(os.path.join(directory, "checkpoint.json"), "rb") as f:
        raw = f.read()
    manifest = check_manifest_seal(raw)
    config = manifest.get("model_config") or fail("the checkpoint has no model_config")
    if config.get("type") not in ("recurrent_lm", "sequential", "seq2seq"):
        fail(f"model_config type {config.get('type')!r}: this script builds recurrent_lm, sequential and seq2seq models")
    weights_path = os.path.join(directory, manifest["weights"]["file"])
    with open(weights_path, "rb") as f:
        weights_raw = f.read()
    if len(weights_raw) != manifest["weights"]["bytes"] or hashlib.sha256(weights_raw).hexdigest() != manifest["weights"]["sha256"]:
        fail("weights.safetensors: size or SHA-256 does not match checkpoint.json")

    torch.manual_seed(0)
    builders = {"recurrent_lm": RecurrentLM, "sequential": build_sequential, "seq2seq": seq2seq_model}
    model = builders[config["type"]](config)
    with open(weights_path, "rb") as f:
        arrays, _ = read_safetensors(f.read())
    state = {k: torch.from_numpy(v) for k, v in arrays.items()}
    if config["type"] == "seq2seq":
        state = {k: v.double() for k, v in state.items()}
    result = model.load_state_dict(state, strict=True)   # raises on any missing / unexpected key or shape mismatch
    model.eval()
    if config["type"] == "seq2seq":
        seq2seq_report(directory, manifest, model, result, state, args)
        return
    if config["type"] == "sequential":
        json.dump({"checkpoint": directory, "format_version": manifest["format_version"], "step": manifest["step"],
                   "strict_load": {"missing_keys": result.missing_keys, "unexpected_keys": result.unexpected_keys},
                   "keys": sorted(state)}, sys.stdout, indent=1)
        print()
        return

    if args.text:
        text_path = args.text
    else:
        handle, text_path = tempfile.mkstemp(suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(default_text(manifest["vocabulary"]))
    with open(text_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    ids = torch.tensor([encode(manifest["vocabulary"], lines)], dtype=torch.long)
    with torch.no_grad():
        logits = model(ids[:, :-1]).double()
        log_probs = F.log_softmax(logits, dim=-1).gather(2, ids[:, 1:].unsqueeze(-1))
    total_log10 = log_probs.sum().item() / math.log(10)
    report = {
        "checkpoint": directory,
        "format_version": manifest["format_version"],
        "step": manifest["step"],
        "strict_load": {"missing_keys": result.missing_keys, "unexpected_keys": result.unexpected_keys},
        "keys": sorted(state),
        "tokens_scored": ids.size(1) - 1,
        "torch_total_log10_prob": total_log10,
        "torch_loss_nats_per_token": -log_probs.mean().item(),
        "first_logits": [round(x, 6) for x in logits[0, 0, :8].tolist()],
    }
    status = 0
    if args.seqlearn:
        ours = seqlearn_total_log10(args.seqlearn, directory, text_path)
        rel = abs(ours - total_log10) / max(abs(total_log10), 1e-30)
        report.update({"seqlearn_total_log10_prob": ours, "relative_difference": rel, "agree_within_1e-5": rel <= 1e-5})
        status = 0 if rel <= 1e-5 else 1
    json.dump(report, sys.stdout, indent=1)
    print()
    sys.exit(status)


if __name__ == "__main__":
    main()
