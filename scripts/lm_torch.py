#!/usr/bin/python3
"""PyTorch baselines for SeqLearn's language-model benchmarks (docs/benchmarks.md, "Language models").

    /usr/bin/python3 scripts/lm_torch.py charlm [--budget 300] [--save model.pt]
    /usr/bin/python3 scripts/lm_torch.py sample [--load model.pt] [--chars 2000]
    /usr/bin/python3 scripts/lm_torch.py ptb [--epochs 13] [--max-steps-per-epoch N]

Data is read from ../shared/data relative to the repository (override with --data). Output: one JSON
object per line on stdout, a human summary on stderr. torch.set_num_threads(1) for charlm and ptb, PyTorch's fastest
setting on the 2-core benchmark machine (OpenBLAS still uses its own threads, both cores); sample takes --threads.

charlm protocol (docs/lm-benchmarks-protocol.md has the same text; the C# side implements it identically):

  corpus      tinyshakespeare/input.txt read as UTF-8; vocabulary = the sorted distinct characters (65);
              a character's id is its index in that order.
  split       by characters: train = the first floor(0.9 * N) characters (computed as N * 9 // 10),
              valid = the rest.
  batching    a token stream of length N is cut into B contiguous streams of length L = N // B (the
              remainder dropped); stream b = tokens [b*L, (b+1)*L). Windows of T steps: window k has
              inputs streams[:, kT : kT+T] and targets streams[:, kT+1 : kT+T+1]; (L - 1) // T windows,
              the last partial window is dropped (training). The (h, c) state is carried across windows
              and detached (truncated BPTT); it is reset to zeros at the start of each epoch; epochs
              repeat in the same order (no shuffling) until the budget is spent.
  model       nn.Embedding(V, 64) -> nn.LSTM(64, 256, num_layers=2, batch_first=True, dropout=0)
              -> nn.Linear(256, V); PyTorch default initialisation after torch.manual_seed(--seed, 1).
  step        loss = mean cross-entropy per token over the (B, T) window; zero grads, backward,
              clip_grad_norm_(5.0) over all parameters, Adam(lr 2e-3, default betas and eps) step.
              B = 32, T = 64.
  budget      --budget seconds (300) of training wall time: a clock that runs from the first step and is
              paused during evaluation. Checked after every step; training stops at the first step
              boundary at or past the budget.
  evaluation  valid loss = mean cross-entropy (nats/char) over every predicted character of the valid
              split: batched the same way (B = 32 streams, T = 64 windows, state carried from a zero
              initial state) except that the final shorter window is included, so all B * (L - 1)
              positions with a successor are scored (111,488 for tinyshakespeare); the mean is over
              characters. eval mode, no_grad. Run when the training clock first passes each multiple of
              --eval-every seconds (60) and once at the end.
  output      progress lines {"step", "epoch", "train_loss" (mean over the steps since the previous
              line), "valid_loss" (on evaluation lines only), "train_seconds", "tokens_per_s" (B*T*steps
              / train_seconds)} every --log-every steps and at each evaluation; then the final line
              {"final": true, "valid_loss", "steps", "train_seconds", "train_tokens_per_s", "peak_rss_mb"}.

sample: the same model (random init or --load), prompt fed in one forward call, then --chars characters
generated one at a time (feed one char, carry (h, c), softmax(logits / temperature), torch.multinomial),
eval mode, no_grad, batch 1. chars_per_s = chars / wall time of one whole call (prompt included); the
median of --repeats calls is reported.

ptb: Zaremba et al. 2014 "small"; see scripts/lm_torch_ptb.py.
"""
import argparse
import os
import statistics
import time

import torch
from torch.nn import functional as F

import lm_torch_common as common
import lm_torch_ptb


def load_charlm_data(args):
    """Reads the corpus, builds the vocabulary and returns (vocab, train_ids, valid_ids)."""
    text, vocab = common.read_chars(args.data)
    ids = common.encode_chars(text, vocab)
    n_train = ids.numel() * 9 // 10
    return vocab, ids[:n_train], ids[n_train:]


def build_char_model(args, vocab_size):
    """Seeds torch and builds the Embedding -> LSTM -> Linear model with default initialisation."""
    common.setup_torch(args.seed)
    return common.LstmLM(vocab_size, args.embed, args.hidden, args.layers)


def train_step(model, optimizer, x, y, state, clip):
    """One truncated-BPTT step on a window. Returns (loss value, detached new state)."""
    logits, state = model(x, state)
    loss = common.window_loss(logits, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return loss.item(), common.detach(state)


class TrainClock:
    """Training wall time: perf_counter since construction, minus the time spent inside exclude() calls."""

    def __init__(self):
        self.start = time.perf_counter()
        self.excluded = 0.0

    def seconds(self):
        return time.perf_counter() - self.start - self.excluded

    def exclude(self, fn, *fn_args):
        """Runs fn(*fn_args) without counting its time; returns its result."""
        t0 = time.perf_counter()
        result = fn(*fn_args)
        self.excluded += time.perf_counter() - t0
        return result


def run_charlm(args):
    """The quality-per-time benchmark: train for --budget seconds, report the valid loss."""
    vocab, train_ids, valid_ids = load_charlm_data(args)
    model = build_char_model(args, len(vocab))
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    train_streams = common.batchify(train_ids, args.batch)
    valid_streams = common.batchify(valid_ids, args.batch)
    per_epoch = common.count_windows(train_streams, args.steps)
    tokens_per_step = args.batch * args.steps
    common.note(f"charlm: V={len(vocab)} train={train_ids.numel()} valid={valid_ids.numel()} chars, "
                f"{per_epoch} steps/epoch, budget {args.budget:g} s, torch {torch.__version__}, 1 thread")

    clock = TrainClock()
    step, epoch, next_eval = 0, 0, args.eval_every
    losses, valid_loss, done = [], None, False
    while not done:
        epoch += 1
        state = model.zero_state(args.batch)
        for x, y in common.windows(train_streams, args.steps):
            loss, state = train_step(model, optimizer, x, y, state, args.clip)
            step += 1
            losses.append(loss)
            elapsed = clock.seconds()
            done = elapsed >= args.budget
            evaluate_now = done or elapsed >= next_eval
            if evaluate_now:
                valid_loss = clock.exclude(common.evaluate, model, valid_streams, args.steps)
                while next_eval <= elapsed:
                    next_eval += args.eval_every
            if evaluate_now or step % args.log_every == 0:
                record = {"step": step, "epoch": round(step / per_epoch, 3),
                          "train_loss": round(sum(losses) / len(losses), 4)}
                if evaluate_now:
                    record["valid_loss"] = round(valid_loss, 4)
                record.update(train_seconds=round(elapsed, 2),
                              tokens_per_s=round(step * tokens_per_step / elapsed, 1))
                common.emit(record)
                losses = []
            if done:
                break

    train_seconds = clock.seconds()
    if args.save:
        torch.save(model.state_dict(), args.save)
    final = {"final": True, "valid_loss": round(valid_loss, 4), "steps": step,
             "train_seconds": round(train_seconds, 2),
             "train_tokens_per_s": round(step * tokens_per_step / train_seconds, 1),
             "peak_rss_mb": round(common.peak_rss_mb(), 1)}
    common.emit(final)
    common.note(f"charlm: valid loss {valid_loss:.4f} nats/char after {step} steps "
                f"({step / per_epoch:.2f} epochs) in {train_seconds:.1f} s of training, "
                f"{final['train_tokens_per_s']:.0f} tokens/s, peak RSS {final['peak_rss_mb']:.0f} MB")


def sample_chars(model, prompt_ids, count, temperature):
    """char-rnn sampling at batch 1: prime with the prompt in one call, then generate `count` ids
    one at a time, carrying (h, c). Returns the list of generated ids."""
    state = model.zero_state(1)
    logits, state = model(torch.tensor([prompt_ids], dtype=torch.long), state)
    last = logits[0, -1]
    out = []
    for _ in range(count):
        probs = F.softmax(last / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1)
        out.append(nxt.item())
        logits, state = model(nxt.view(1, 1), state)
        last = logits[0, -1]
    return out


def run_sample(args):
    """Sampling throughput at batch 1: median chars/s over --repeats generations of --chars characters."""
    _, vocab = common.read_chars(args.data)
    model = build_char_model(args, len(vocab))
    torch.set_num_threads(args.threads)
    if args.load:
        model.load_state_dict(torch.load(args.load))
    model.eval()
    index = {ch: i for i, ch in enumerate(vocab)}
    prompt_ids = [index[ch] for ch in args.prompt]
    rates, text = [], None
    with torch.no_grad():
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            ids = sample_chars(model, prompt_ids, args.chars, args.temperature)
            rates.append(args.chars / (time.perf_counter() - t0))
            if text is None:
                text = "".join(vocab[i] for i in ids)
    rate = statistics.median(rates)
    common.emit({"chars": args.chars, "repeats": args.repeats, "chars_per_s": round(rate, 1),
                 "all_chars_per_s": [round(r, 1) for r in rates], "loaded": bool(args.load),
                 "prompt": args.prompt, "threads": args.threads, "text": text[:200]})
    common.note(f"sample: {rate:.0f} chars/s (median of {args.repeats} x {args.chars} chars, batch 1, "
                f"{'trained' if args.load else 'random-init'} model, {args.threads} intra-op thread(s))")


def char_options(parser):
    """Options shared by charlm and sample: corpus, model shape, seed."""
    parser.add_argument("--data", default=os.path.join(common.DATA_DIR, "tinyshakespeare", "input.txt"))
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)


def parse_args(argv=None):
    """The command line: one subcommand per benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    charlm = sub.add_parser("charlm", help="char-level LSTM LM, quality per training time")
    char_options(charlm)
    charlm.add_argument("--batch", type=int, default=32)
    charlm.add_argument("--steps", type=int, default=64, help="BPTT window T")
    charlm.add_argument("--lr", type=float, default=2e-3)
    charlm.add_argument("--clip", type=float, default=5.0)
    charlm.add_argument("--budget", type=float, default=300.0, help="training seconds")
    charlm.add_argument("--eval-every", type=float, default=60.0, help="training seconds between evaluations")
    charlm.add_argument("--log-every", type=int, default=50, help="steps between progress lines")
    charlm.add_argument("--save", help="write the trained state_dict here (torch.save)")
    charlm.set_defaults(run=run_charlm)

    sample = sub.add_parser("sample", help="batch-1 sampling throughput")
    char_options(sample)
    sample.add_argument("--load", help="state_dict written by charlm --save (default: random init)")
    sample.add_argument("--chars", type=int, default=2000)
    sample.add_argument("--repeats", type=int, default=5)
    sample.add_argument("--temperature", type=float, default=1.0)
    sample.add_argument("--prompt", default="ROMEO:\n")
    sample.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 is fastest here; 2 to check)")
    sample.set_defaults(run=run_sample)

    ptb = sub.add_parser("ptb", help="Zaremba et al. 2014 small word-level LSTM on PTB")
    lm_torch_ptb.add_options(ptb)
    ptb.set_defaults(run=lm_torch_ptb.run)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    arguments.run(arguments)
