"""A small word n-gram language model writer: interpolated Kneser-Ney, written as an ARPA file.

KenLM's ``lmplz`` is the usual tool, but it is a C++ build that is not to be had everywhere;
the demo model's LM is small (about 55,000 sentences), so a plain Python estimator is enough.
Lower orders use continuation counts (how many different words precede an n-gram), the highest
order raw counts; one absolute discount per order from the counts of counts (Ney's estimate
n1 / (n1 + 2 n2)). N-grams of the highest order seen fewer than ``min_count`` times are left
out, and every backoff weight is computed from the entries that are kept, so that each
context's probabilities still sum to one (what SRILM and KenLM do when they prune).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

BOS, EOS, UNK = "<s>", "</s>", "<unk>"

Gram = tuple[str, ...]


def _discount(counts: Iterable[int]) -> float:
    of = Counter(c for c in counts if c <= 2)
    n1, n2 = of[1], of[2]
    if n1 == 0:
        return 0.5
    return min(0.9, max(0.1, n1 / (n1 + 2 * n2)))


class KneserNey:
    """Estimates an interpolated Kneser-Ney model of ``order`` over sentences of words."""

    def __init__(self, sentences: Iterable[list[str]], order: int = 3, min_count: int = 1):
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        raw: list[Counter[Gram]] = [Counter() for _ in range(order + 1)]
        for words in sentences:
            tokens = [BOS, *words, EOS]
            for n in range(1, order + 1):
                for i in range(len(tokens) - n + 1):
                    gram = tuple(tokens[i : i + n])
                    if gram != (BOS,):
                        raw[n][gram] += 1
        # Counts used at each order: raw for the highest order and for n-grams that start with
        # <s> (nothing can precede them); else how many different words come before.
        counts: list[Counter[Gram]] = [Counter() for _ in range(order + 1)]
        counts[order] = raw[order]
        for n in range(1, order):
            cont: Counter[Gram] = Counter()
            for gram in raw[n + 1]:
                cont[gram[1:]] += 1
            for gram, c in raw[n].items():
                counts[n][gram] = c if gram[0] == BOS else cont[gram]
        self.counts = counts
        self.discounts = [0.0] + [_discount(counts[n].values()) for n in range(1, order + 1)]
        kept = [dict(c) for c in counts]
        if min_count > 1 and order > 1:
            kept[order] = {g: c for g, c in counts[order].items() if c >= min_count}
        self.probs: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
        self.backoffs: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
        self._estimate(kept)

    def _estimate(self, kept: list[dict[Gram, int]]) -> None:
        # Unigrams: discounted continuation counts, the freed mass spread evenly (<unk> too).
        uni = self.counts[1]
        total = sum(uni.values())
        d = self.discounts[1]
        vocab = len(uni) + 1  # + <unk>
        floor = d * len(uni) / total / vocab
        self.probs[1] = {g: max(c - d, 0) / total + floor for g, c in uni.items()}
        self.probs[1][(UNK,)] = floor
        for n in range(2, self.order + 1):
            d = self.discounts[n]
            context_total: dict[Gram, int] = defaultdict(int)
            context_types: dict[Gram, int] = defaultdict(int)
            for gram, c in self.counts[n].items():
                context_total[gram[:-1]] += c
                context_types[gram[:-1]] += 1
            probs: dict[Gram, float] = {}
            for gram, c in kept[n].items():
                h = gram[:-1]
                gamma = d * context_types[h] / context_total[h]
                probs[gram] = max(c - d, 0) / context_total[h] + gamma * self.prob(gram[1:])
            self.probs[n] = probs
            # Backoff weights from the kept entries: each context's distribution sums to one.
            kept_sum: dict[Gram, float] = defaultdict(float)
            lower_sum: dict[Gram, float] = defaultdict(float)
            for gram, p in probs.items():
                kept_sum[gram[:-1]] += p
                lower_sum[gram[:-1]] += self.prob(gram[1:])
            for h in context_total:
                if h in self.probs[n - 1] or n - 1 == 1:
                    self.backoffs[n - 1][h] = (1.0 - kept_sum[h]) / max(1e-12, 1.0 - lower_sum[h])

    def prob(self, gram: Gram) -> float:
        """p(last word | the words before), with ARPA backoff."""
        n = len(gram)
        if n == 1:
            return self.probs[1].get(gram, self.probs[1][(UNK,)])
        if n > self.order:
            return self.prob(gram[-self.order :])
        if gram in self.probs[n]:
            return self.probs[n][gram]
        return self.backoffs[n - 1].get(gram[:-1], 1.0) * self.prob(gram[1:])

    def write_arpa(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write("\\data\\\n")
            sizes = [len(self.probs[1]) + 1] + [
                len(self.probs[n]) for n in range(2, self.order + 1)
            ]
            for n, size in enumerate(sizes, 1):
                out.write(f"ngram {n}={size}\n")
            for n in range(1, self.order + 1):
                out.write(f"\n\\{n}-grams:\n")
                entries = sorted(self.probs[n].items())
                if n == 1:
                    entries.insert(0, ((BOS,), 0.0))
                for gram, p in entries:
                    logp = -99.0 if gram == (BOS,) else math.log10(p)
                    line = f"{logp:.5g}\t{' '.join(gram)}"
                    if n < self.order and gram in self.backoffs[n]:
                        line += f"\t{math.log10(max(self.backoffs[n][gram], 1e-99)):.5g}"
                    out.write(line + "\n")
            out.write("\n\\end\\\n")


def build_demo_lm(path: Path, order: int = 3, min_count: int = 1) -> int:
    """The demo model's LM from its training sentences (held-out sentences stay out); returns
    the number of sentences it was estimated from."""
    from tools.demo_model.texts import split_sentences, to_label

    train, _ = split_sentences()
    model = KneserNey((to_label(s).split() for s in train), order=order, min_count=min_count)
    model.write_arpa(path)
    return len(train)


def build_text_lm(text: Path, path: Path, order: int = 3, min_count: int = 1) -> int:
    """An LM of any text file (one sentence or line per line), spelled as English wav2vec2
    models spell (upper case, letters and apostrophes); returns the number of lines used."""
    from tools.demo_model.texts import to_label

    with open(text, encoding="utf-8") as lines:
        sentences = [words for line in lines if (words := to_label(line).split())]
    KneserNey(sentences, order=order, min_count=min_count).write_arpa(path)
    return len(sentences)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="ARPA file to write")
    parser.add_argument("--order", type=int, default=3)
    parser.add_argument("--min-count", type=int, default=1, help="prune rarer top n-grams")
    parser.add_argument(
        "--text", type=Path, default=None, help="estimate from this text file, not the demo's"
    )
    args = parser.parse_args()
    if args.text is not None:
        count = build_text_lm(args.text, args.out, args.order, args.min_count)
    else:
        count = build_demo_lm(args.out, args.order, args.min_count)
    print(f"{args.out}: {args.order}-gram LM from {count} sentences")
