#!/usr/bin/python3
"""Independent reference numbers for Engine/Translation (run: /usr/bin/python3 scripts/translation_reference.py [PAIRS]).

Re-implements, without SeqLearn code: the d2l fra-eng preprocessing, SeededRng (xoshiro256** seeded by SplitMix64,
NextInt by multiply-shift rejection), the split by distinct English sentence, and the translation-memory baseline;
BLEU is built from NLTK's pieces (modified_precision for the clipped matches, closest_ref_length, brevity_penalty)
with sacreBLEU's denominator: a hypothesis of length L has max(0, L - n + 1) n-grams. NLTK's own corpus_bleu counts
max(1, ...) instead (modified_precision's denominator), which lowers the score on corpora of short sentences such
as this one, so its number is printed too but is not the one to compare. No smoothing is needed: every order
has matches on these corpora, where sacreBLEU's 'exp' smoothing changes nothing.
Prints the numbers that Engine.Tests/Translation hard-codes.
"""
import hashlib
import sys
from collections import Counter, defaultdict

import math

from nltk.translate.bleu_score import brevity_penalty, closest_ref_length, corpus_bleu, modified_precision

MASK = (1 << 64) - 1


class SeededRng:
    def __init__(self, seed):
        x = seed & MASK
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            s.append(z ^ (z >> 31))
        self.s = s

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & MASK
        result = (rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_int(self, bound):
        threshold = ((1 << 64) - bound) % bound
        while True:
            m = self.next_u64() * bound
            if (m & MASK) >= threshold:
                return m >> 64


def preprocess(text):
    for a, b in (('\u00a0', ' '), ('\u202f', ' '), ('\u2009', ' '), ('\u2019', "'"), ('\u2018', "'")):
        text = text.replace(a, b)
    text = text.lower()
    out = [' ' + c if i > 0 and c in ',.!?' and text[i - 1] != ' ' else c for i, c in enumerate(text)]
    return ' '.join(''.join(out).split())


def read_pairs(path):
    pairs = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').rstrip('\r').split('\t')
            pairs.append((preprocess(cols[0]), preprocess(cols[1])))
    return pairs


def group(pairs):
    refs = defaultdict(list)
    order = []
    for en, fr in pairs:
        if en not in refs:
            order.append(en)
        refs[en].append(fr)
    return order, refs


def split(order, seed):
    a = list(order)
    rng = SeededRng(seed)
    for i in range(len(a) - 1, 0, -1):
        j = rng.next_int(i + 1)
        a[i], a[j] = a[j], a[i]
    n = len(a)
    n_train, n_valid = 8 * n // 10, n // 10
    return a[:n_train], a[n_train:n_train + n_valid], a[n_train + n_valid:]


def grams(tokens):
    g = Counter(tokens)
    g.update(zip(tokens, tokens[1:]))
    return g


def most_common(targets):
    c = Counter(targets)
    best = targets[0]
    for t in targets:
        if c[t] > c[best]:
            best = t
    return best


def memory_baseline(train, refs, queries):
    index = defaultdict(list)
    sizes = []
    for i, s in enumerate(train):
        toks = s.split()
        sizes.append(len(toks) + max(len(toks) - 1, 0))
        for g, c in grams(toks).items():
            index[g].append((i, c))
    outputs = []
    for q in queries:
        toks = q.split()
        qsize = len(toks) + max(len(toks) - 1, 0)
        overlap = defaultdict(int)
        for g, c in grams(toks).items():
            for i, ci in index.get(g, ()):
                overlap[i] += min(c, ci)
        # maximise F1 = 2m/(|Gq|+|Gs|); ties -> lowest training index
        best = min(overlap.items(), key=lambda kv: (-kv[1] / (qsize + sizes[kv[0]]), kv[0]), default=(0, 0))[0]
        outputs.append(most_common(refs[train[best]]))
    return outputs


def nltk_bleu100(hyps, refs_lists):
    return 100 * corpus_bleu([[r.split() for r in rs] for rs in refs_lists], [h.split() for h in hyps])


def bleu100(hyps, refs_lists):
    matches, totals, c, r = [0] * 4, [0] * 4, 0, 0
    for h, rs in zip(hyps, refs_lists):
        h, rs = h.split(), [x.split() for x in rs]
        for n in range(1, 5):
            matches[n - 1] += modified_precision(rs, h, n).numerator  # unnormalised Fraction: the clipped count
            totals[n - 1] += max(0, len(h) - n + 1)
        c += len(h)
        r += closest_ref_length(rs, len(h))
    if any(t == 0 for t in totals) or not any(matches):   # as sacreBLEU: no n-gram of some order, or no match at all
        return 0.0
    # sacreBLEU's 'exp' smoothing (the default of its corpus BLEU, and SeqLearn's): the k-th order with no match counts
    # as precision 1 / (2^k * total); with every order matched it is the plain formula.
    precisions, smooth = [], 1
    for m, t in zip(matches, totals):
        if m == 0:
            smooth *= 2
            precisions.append(1 / (smooth * t))
        else:
            precisions.append(m / t)
    return 100 * brevity_penalty(r, c) * math.exp(sum(math.log(p) for p in precisions) / 4)


def perturbed_pairs(pairs, refs, seed, count):
    """Random hypotheses: a pair's French with one random edit (delete, swap neighbours, replace by 'xyz')."""
    rng = SeededRng(seed)
    hyps, ref_lists = [], []
    for _ in range(count):
        en, fr = pairs[rng.next_int(len(pairs))]
        t = fr.split()
        kind = rng.next_int(3)
        if kind == 0 and len(t) > 1:
            del t[rng.next_int(len(t))]
        elif kind == 1 and len(t) > 1:
            k = rng.next_int(len(t) - 1)
            t[k], t[k + 1] = t[k + 1], t[k]
        elif kind == 2:
            t[rng.next_int(len(t))] = 'xyz'
        hyps.append(' '.join(t))
        ref_lists.append(refs[en])
    return hyps, ref_lists


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/translation/fra-eng-30k.txt'
    pairs = read_pairs(path)
    order, refs = group(pairs)
    train, valid, test = split(order, 1)
    print(f'pairs {len(pairs)} distinct {len(order)} train {len(train)} valid {len(valid)} test {len(test)}')
    print('sha256(test sources joined by \\n) =', hashlib.sha256('\n'.join(test).encode('utf-8')).hexdigest())
    for name, part in (('valid', valid), ('test', test)):
        hyps = memory_baseline(train, refs, part)
        refs_part = [refs[s] for s in part]
        print(f'memory baseline {name} BLEU = {bleu100(hyps, refs_part):.6f} (nltk corpus_bleu x100: {nltk_bleu100(hyps, refs_part):.6f})')
    hyps, ref_lists = perturbed_pairs(pairs, refs, 7, 300)
    print(f'perturbed 300 pairs, seed 7: BLEU = {bleu100(hyps, ref_lists):.6f} (nltk corpus_bleu x100: {nltk_bleu100(hyps, ref_lists):.6f})')


if __name__ == '__main__':
    main()
