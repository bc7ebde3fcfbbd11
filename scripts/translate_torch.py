#!/usr/bin/python3
"""PyTorch 1.13 side-by-side of `seqlearn translate train` (docs/seq2seq-model.md §7), the same protocol and budget.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 scripts/translate_torch.py \
        [--pairs FILE] [--attention bahdanau|luong-general] [--budget 300] [--max-steps N] [--threads 1]

Data: the fra-eng preprocessing, the split by distinct English sentence (seed 1) and BLEU come from
scripts/translation_reference.py (they match SeqLearn's); vocabularies from the training pairs, minimum count 2,
ids <pad> 0 <unk> 1 <bos> 2 <eos> 3 then by decreasing count, ties in code-point order; sources end with <eos>.
Model (SeqLearn's defaults): biGRU encoder, bridge s0 = tanh(W_b [h_fwd; h_bwd] + b_b), GRU decoder with Bahdanau
attention (query = previous state, context fed into the GRU with the embedding; keys W_k m computed once per batch),
or Luong general (GRU over all steps, e = q W_a m, h~ = tanh(W_c [c; h])); embed 256, hidden 256, dropout 0.2 on
both embeddings and before the output layer, Adam 2e-3, gradient norm clipped to 1, batches of 64 bucketed by source
length (pools of 50 batches sorted by length, batch order shuffled), mean cross-entropy per target token.
Validation BLEU (greedy) every 60 s of training keeps the best weights; then test BLEU greedy and beam 5 (length
normalised s / l). Prints one JSON line per evaluation and a final one with steps, target tokens/s and the BLEUs.
"""
import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from translation_reference import bleu100, group, most_common, read_pairs, split  # noqa: E402

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def vocabulary(sentences):
    counts = Counter(w for s in sentences for w in s.split())
    words = sorted((w for w, c in counts.items() if c >= 2 and w not in ("<pad>", "<unk>", "<bos>", "<eos>")), key=lambda w: (-counts[w], w))
    return {w: i + 4 for i, w in enumerate(words)}, ["<pad>", "<unk>", "<bos>", "<eos>"] + words


def encode(vocab, sentence):
    return [vocab.get(w, UNK) for w in sentence.split()]


class Seq2Seq(nn.Module):
    def __init__(self, attention, vs, vt, e=256, h=256, dropout=0.2):
        super().__init__()
        self.attention, self.h = attention, h
        m = 2 * h
        self.src_emb, self.tgt_emb = nn.Embedding(vs, e), nn.Embedding(vt, e)
        self.encoder = nn.GRU(e, h, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(m, h)
        if attention == "bahdanau":
            self.W_k, self.W_q, self.v = nn.Linear(m, h, bias=False), nn.Linear(h, h, bias=False), nn.Linear(h, 1, bias=False)
            self.cell = nn.GRUCell(e + m, h)
        else:
            self.W_a, self.W_c = nn.Linear(m, h, bias=False), nn.Linear(m + h, h, bias=False)
            self.rnn = nn.GRU(e, h, batch_first=True)
        self.out = nn.Linear(h, vt)
        self.drop = nn.Dropout(dropout)

    def encode(self, src, src_len):
        packed = nn.utils.rnn.pack_padded_sequence(self.drop(self.src_emb(src)), src_len, batch_first=True, enforce_sorted=False)
        out, final = self.encoder(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        s0 = torch.tanh(self.bridge(torch.cat([final[0], final[1]], 1)))            # (B, H)
        mask = torch.arange(src.shape[1])[None, :] < src_len[:, None]
        keys = self.W_k(memory) if self.attention == "bahdanau" else self.W_a(memory)
        return memory, keys, mask, s0

    def bahdanau_step(self, e_t, s, memory, keys, mask):
        scores = self.v(torch.tanh(keys + self.W_q(s)[:, None, :])).squeeze(-1).masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(scores, -1)
        c = torch.bmm(alpha[:, None, :], memory).squeeze(1)
        return self.cell(torch.cat([e_t, c], 1), s), alpha

    def features(self, src, src_len, dec_in):
        memory, keys, mask, s = self.encode(src, src_len)
        emb = self.drop(self.tgt_emb(dec_in))
        if self.attention == "bahdanau":
            ys = []
            for t in range(dec_in.shape[1]):
                s, _ = self.bahdanau_step(emb[:, t], s, memory, keys, mask)
                ys.append(s)
            return torch.stack(ys, 1)
        y, _ = self.rnn(emb, s[None])
        alpha = torch.softmax(torch.bmm(y, keys.transpose(1, 2)).masked_fill(~mask[:, None, :], float("-inf")), -1)
        return torch.tanh(self.W_c(torch.cat([torch.bmm(alpha, memory), y], 2)))

    def loss(self, src, src_len, dec_in, targets, label_smoothing=0.0):
        logits = self.out(self.drop(self.features(src, src_len, dec_in)))
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100,
                               label_smoothing=label_smoothing)

    def step(self, tokens, state, memory, keys, mask):
        """One decoding step for all rows: log-probabilities (R, V) and the next state."""
        e_t = self.tgt_emb(tokens)
        if self.attention == "bahdanau":
            s, _ = self.bahdanau_step(e_t, state, memory, keys, mask)
            return F.log_softmax(self.out(s), -1), s
        y, h = self.rnn(e_t[:, None], state[None])
        y = y[:, 0]
        alpha = torch.softmax(torch.bmm(y[:, None], keys.transpose(1, 2)).squeeze(1).masked_fill(~mask, float("-inf")), -1)
        h_tilde = torch.tanh(self.W_c(torch.cat([torch.bmm(alpha[:, None], memory).squeeze(1), y], 1)))
        return F.log_softmax(self.out(h_tilde), -1), h[0]


def pad(rows, value=PAD):
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def make_batch(pairs):
    src = [s for s, _ in pairs]
    dec_in = [[BOS] + t for _, t in pairs]
    targets = [t + [EOS] for _, t in pairs]
    return pad(src), torch.tensor([len(s) for s in src]), pad(dec_in), pad(targets, -100), sum(len(t) for t in targets)


def bucketed(lengths, batch, rng, pool_batches=50):
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = pool_batches * batch
    batches = []
    for start in range(0, len(order), pool):
        part = sorted(order[start:start + pool], key=lambda i: lengths[i])
        batches += [part[i:i + batch] for i in range(0, len(part), batch)]
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def greedy(model, sources, batch=64):
    model.eval()
    out = []
    for start in range(0, len(sources), batch):
        part = sources[start:start + batch]
        src, src_len = pad(part), torch.tensor([len(s) for s in part])
        memory, keys, mask, state = model.encode(src, src_len)
        tokens = torch.full((len(part),), BOS)
        limits = [int(2 * len(s) + 10) for s in part]                              # M = ⌊2n + 10⌋ tokens, <eos> counted
        hyps, done = [[] for _ in part], [False] * len(part)
        for t in range(max(limits)):
            logp, state = model.step(tokens, state, memory, keys, mask)
            tokens = logp.argmax(-1)
            for i, tok in enumerate(tokens.tolist()):
                if done[i]:
                    continue
                if tok == EOS:
                    done[i] = True
                else:
                    hyps[i].append(tok)
                    done[i] = t + 1 >= limits[i]
            if all(done):
                break
        out += hyps
    model.train()
    return out


@torch.no_grad()
def beam(model, source, k=5):
    """Beam search for one source, scores normalised by length (s / l); stops when no live hypothesis can beat the k-th finished one."""
    model.eval()
    limit = int(2 * len(source) + 10)
    src, src_len = pad([source]), torch.tensor([len(source)])
    memory, keys, mask, state = model.encode(src, src_len)
    live, finished = [(0.0, [], state[0])], []
    for t in range(1, limit + 1):
        rows = len(live)
        logp, states = model.step(torch.tensor([h[-1] if h else BOS for _, h, _ in live]), torch.stack([s for _, _, s in live]),
                                  memory.expand(rows, -1, -1), keys.expand(rows, -1, -1), mask.expand(rows, -1))
        total = torch.tensor([s for s, _, _ in live])[:, None] + logp
        flat = total.view(-1)
        best = torch.topk(flat, min(2 * k, flat.numel())).indices.tolist()
        nxt = []
        for rank, idx in enumerate(best):
            r, tok = divmod(idx, logp.shape[1])
            score = flat[idx].item()
            if t == limit:                                    # at the maximum length the best k all finish
                if rank < k:
                    finished.append((score / t, live[r][1] + ([] if tok == EOS else [tok])))
            elif tok == EOS:                                  # every <eos> among the best 2k joins the finished list
                finished.append((score / t, live[r][1]))
            elif len(nxt) < k:
                nxt.append((score, live[r][1] + [tok], states[r]))
        finished.sort(key=lambda f: -f[0])
        live = nxt
        if not live or (len(finished) >= k and max(s for s, _, _ in live) / limit <= finished[k - 1][0]):
            break
    model.train()
    return max(finished, key=lambda f: f[0])[1] if finished else []


def words(ids, itos, source_words):
    return " ".join(itos[i] for i in ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", required=True, help="fra-eng-30k.txt (shared/data/translation beside the repository)")
    ap.add_argument("--attention", default="bahdanau", choices=["bahdanau", "luong-general"])
    ap.add_argument("--budget", type=float, default=300)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--eval-seconds", type=float, default=60)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--label-smoothing", type=float, default=0.3, help="as seqlearn translate train's default")
    ap.add_argument("--gamma", type=float, default=0.8, help="learning rate x gamma per epoch from --first-decay-epoch on (1 = constant)")
    ap.add_argument("--first-decay-epoch", type=int, default=4, help="the first (0-based) epoch at a decayed rate")
    ap.add_argument("--no-test", action="store_true", help="skip the test BLEU (throughput runs)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    pairs = read_pairs(args.pairs)
    order, refs = group(pairs)
    train, valid, test = split(order, 1)
    train_set = set(train)
    train_pairs = [(en, fr) for en, fr in pairs if en in train_set]
    sv, _ = vocabulary(en for en, _ in train_pairs)
    tv, titos = vocabulary(fr for _, fr in train_pairs)
    data = [(encode(sv, en) + [EOS], encode(tv, fr)) for en, fr in train_pairs]
    valid_src = [encode(sv, en) + [EOS] for en in valid]
    model = Seq2Seq(args.attention, len(sv) + 4, len(titos))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    # seqlearn's --schedule step --step-size 1: epoch e runs at 2e-3 * gamma^max(0, e - first + 1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: args.gamma ** max(0, e - args.first_decay_epoch + 1))

    def bleu_of(sources, sentences, hyps):
        return bleu100([words(h, titos, s.split()) for h, s in zip(hyps, sentences)], [refs[s] for s in sentences])

    steps, tokens, train_time, since_eval, epoch = 0, 0, 0.0, 0.0, 0
    best, best_state = -1.0, None
    done = False
    while not done:
        for rows in bucketed([len(s) for s, _ in data], 64, rng):
            src, src_len, dec_in, targets, n = make_batch([data[i] for i in rows])
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = model.loss(src, src_len, dec_in, targets, args.label_smoothing)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            dt = time.perf_counter() - t0
            steps, tokens, train_time, since_eval = steps + 1, tokens + n, train_time + dt, since_eval + dt
            done = train_time >= args.budget or (args.max_steps and steps >= args.max_steps)
            if since_eval >= args.eval_seconds or done:
                since_eval = 0.0
                bleu = bleu_of(valid_src, valid, greedy(model, valid_src))
                if bleu > best:
                    best, best_state = bleu, {k: v.clone() for k, v in model.state_dict().items()}
                print(json.dumps({"step": steps, "train_s": round(train_time, 1), "loss": round(loss.item(), 4), "valid_bleu": round(bleu, 2),
                                  "tokens_per_s": round(tokens / train_time)}), flush=True)
            if done:
                break
        epoch += 1
        sched.step()
    result = {"attention": args.attention, "threads": args.threads, "steps": steps, "epochs": epoch, "train_s": round(train_time, 1),
              "tokens_per_s": round(tokens / train_time), "best_valid_bleu": round(best, 2)}
    if not args.no_test:
        model.load_state_dict(best_state)
        test_src = [encode(sv, en) + [EOS] for en in test]
        result["test_greedy"] = round(bleu_of(test_src, test, greedy(model, test_src)), 2)
        result["test_beam5"] = round(bleu_of(test_src, test, [beam(model, s) for s in test_src]), 2)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
