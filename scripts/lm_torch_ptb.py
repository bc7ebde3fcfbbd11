"""`lm_torch.py ptb`: the Zaremba, Sutskever & Vinyals (2014) "small" word-level LSTM on Penn Treebank.

  data        ptb/ptb.{train,valid,test}.txt; each line -> its whitespace tokens + one "<eos>".
              Vocabulary from train (10,000 words), ids in order of first occurrence in train
              (valid and test have no out-of-vocabulary words).
  batching    as charlm (scripts/lm_torch.py): B = 20 contiguous streams, windows of T = 20, last
              partial training window dropped, (h, c) carried and detached, reset to zeros at the start
              of every epoch.
  model       Embedding(10000, 200) -> LSTM(200, 200, 2 layers, no dropout) -> Linear(200, 10000),
              every parameter (biases too) uniform in [-0.1, 0.1].
  step        loss = (mean per-token cross-entropy over the (B, T) window) x T, i.e. summed over time and
              averaged over the batch as in the paper's code; clip_grad_norm_(5) on its gradient; plain
              SGD with lr 1. (Per-token mean loss with lr 20 is the same update only if the clip
              threshold is also divided by T, to 0.25; with clip 5 it is not, so it is not used.)
  schedule    13 epochs; lr in epoch e (1-based) = 1.0 * 0.5 ** max(0, e - 4): 1, 1, 1, 1, 0.5, 0.25, ...
  evaluation  perplexity = exp(mean cross-entropy per predicted word), state carried from zeros, eval mode,
              no_grad, every position with a successor scored (final shorter window included). Valid:
              after each epoch, B = 20 streams (as the paper's code). Test: after the last epoch, as one
              stream (B = 1), as the paper's code does.
"""
import math
import os
import time

import torch

import lm_torch_common as common


def read_words(path):
    """A PTB file as a list of tokens, with "<eos>" appended to every line."""
    words = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words.extend(line.split())
            words.append("<eos>")
    return words


def build_vocab(words):
    """word -> id in order of first occurrence."""
    index = {}
    for w in words:
        if w not in index:
            index[w] = len(index)
    return index


def load_ptb(data_dir):
    """Returns (vocab index, train ids, valid ids, test ids) as 1-D int64 tensors."""
    train = read_words(os.path.join(data_dir, "ptb.train.txt"))
    index = build_vocab(train)
    splits = [train]
    for name in ("ptb.valid.txt", "ptb.test.txt"):
        splits.append(read_words(os.path.join(data_dir, name)))
    missing = {w for split in splits for w in split if w not in index}
    if missing:
        raise SystemExit(f"ptb: {len(missing)} words outside the train vocabulary, e.g. {sorted(missing)[:5]}")
    ids = [torch.tensor([index[w] for w in split], dtype=torch.long) for split in splits]
    return index, ids[0], ids[1], ids[2]


def build_model(args, vocab_size):
    """The small configuration with every parameter uniform in [-init, init]."""
    common.setup_torch(args.seed)
    model = common.LstmLM(vocab_size, args.embed, args.hidden, args.layers)
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-args.init, args.init)
    return model


def epoch_lr(args, epoch):
    """Learning rate of a 1-based epoch: constant for --lr-epochs epochs, then times --decay each epoch."""
    return args.lr * args.decay ** max(0, epoch - args.lr_epochs)


def train_epoch(args, model, optimizer, streams):
    """One epoch of truncated BPTT from a zero state. Returns (mean per-token train loss, steps)."""
    model.train()
    state = model.zero_state(streams.size(0))
    total, steps = 0.0, 0
    for x, y in common.windows(streams, args.steps):
        logits, state = model(x, state)
        loss = common.window_loss(logits, y)
        optimizer.zero_grad(set_to_none=True)
        (loss * x.size(1)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        state = common.detach(state)
        total += loss.item()
        steps += 1
        if steps == args.max_steps_per_epoch:
            break
    return total / steps, steps


def run(args):
    """Trains for --epochs epochs, printing one JSON line per epoch and a final line with test perplexity."""
    wall0 = time.perf_counter()
    index, train_ids, valid_ids, test_ids = load_ptb(args.data)
    model = build_model(args, len(index))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    train_streams = common.batchify(train_ids, args.batch)
    valid_streams = common.batchify(valid_ids, args.batch)
    test_streams = common.batchify(test_ids, 1)
    common.note(f"ptb: V={len(index)} train/valid/test={train_ids.numel()}/{valid_ids.numel()}/"
                f"{test_ids.numel()} tokens, {common.count_windows(train_streams, args.steps)} steps/epoch, "
                f"torch {torch.__version__}, 1 thread")
    valid_loss = math.nan
    for epoch in range(1, args.epochs + 1):
        lr = epoch_lr(args, epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr
        t0 = time.perf_counter()
        train_loss, steps = train_epoch(args, model, optimizer, train_streams)
        epoch_seconds = time.perf_counter() - t0
        valid_loss = common.evaluate(model, valid_streams, args.steps)
        common.emit({"epoch": epoch, "lr": lr, "steps": steps, "train_ppl": round(common.ppl(train_loss), 2),
                     "valid_ppl": round(common.ppl(valid_loss), 2), "epoch_seconds": round(epoch_seconds, 2),
                     "tokens_per_s": round(steps * args.batch * args.steps / epoch_seconds, 1)})
        common.note(f"ptb: epoch {epoch} lr {lr:g} train ppl {common.ppl(train_loss):.2f} "
                    f"valid ppl {common.ppl(valid_loss):.2f} ({epoch_seconds:.1f} s)")
    test_loss = common.evaluate(model, test_streams, args.steps)
    wall = time.perf_counter() - wall0
    common.emit({"final": True, "epochs": args.epochs, "valid_ppl": round(common.ppl(valid_loss), 2),
                 "test_ppl": round(common.ppl(test_loss), 2), "total_seconds": round(wall, 1),
                 "peak_rss_mb": round(common.peak_rss_mb(), 1)})
    common.note(f"ptb: test ppl {common.ppl(test_loss):.2f} after {args.epochs} epochs, {wall:.0f} s wall in total")


def add_options(parser):
    """The ptb subcommand's options; defaults are the paper's small configuration."""
    parser.add_argument("--data", default=os.path.join(common.DATA_DIR, "ptb"), help="folder with ptb.*.txt")
    parser.add_argument("--embed", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=200)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--init", type=float, default=0.1, help="uniform init range")
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--steps", type=int, default=20, help="BPTT window T")
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--decay", type=float, default=0.5)
    parser.add_argument("--lr-epochs", type=int, default=4, help="epochs at the initial lr before decaying")
    parser.add_argument("--clip", type=float, default=5.0)
    parser.add_argument("--epochs", type=int, default=13)
    parser.add_argument("--max-steps-per-epoch", type=int, default=0, help="0 = the whole epoch (smoke runs)")
    parser.add_argument("--seed", type=int, default=1)
