"""Training batches for the demo model: shards in memory, cheap augmentation on the fly.

Each example is one utterance or 2-3 joined with pauses, sped up or slowed down, padded with
silence, scaled, sometimes band-limited and mixed with white or pink noise, then normalised to
zero mean / unit variance like the engine's windows. Batches hold about `batch_seconds` of padded
audio, examples of similar length together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr
import torch

from tools.demo_model.common import SAMPLE_RATE, encode, normalise

MAX_SECONDS = 15.0  # longest example after joining


@dataclass(frozen=True)
class Corpus:
    audio: list[np.ndarray]  # int16 utterances (views into the shards)
    text: list[str]  # label per utterance
    voice: list[str]  # engine:voice per utterance


def load_corpus(data_dir: Path, prefix: str, limit: int | None = None) -> Corpus:
    """All shards NAME.npy/NAME.json in data_dir whose name starts with prefix."""
    audio, text, voice = [], [], []
    for npy in sorted(data_dir.glob(f"{prefix}*.npy")):
        if npy.name.endswith(".tmp.npy"):
            continue
        samples = np.load(npy, mmap_mode="r")  # shared page cache across processes
        for entry in json.loads(npy.with_suffix(".json").read_text()):
            audio.append(samples[entry["offset"] : entry["offset"] + entry["length"]])
            text.append(entry["text"])
            voice.append(entry["voice"])
            if limit is not None and len(audio) >= limit:
                return Corpus(audio, text, voice)
    return Corpus(audio, text, voice)


def _pink_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1.0))
    return np.fft.irfft(spectrum, n).astype(np.float32)


def _band_limit(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    if rng.random() < 0.6:
        spectrum[freqs > rng.uniform(2800, 7000)] = 0  # telephone-ish or muffled
    else:
        spectrum[freqs < rng.uniform(150, 400)] = 0  # thin little speaker
    return np.fft.irfft(spectrum, len(x)).astype(np.float32)


def augment(rng: np.random.Generator, clips: list[np.ndarray]) -> np.ndarray:
    """One augmented, normalised example from one or more int16 clips."""
    parts = []
    for i, clip in enumerate(clips):
        if i:
            parts.append(np.zeros(int(rng.uniform(0.1, 0.8) * SAMPLE_RATE), np.float32))
        parts.append(clip.astype(np.float32) / 32768.0)
    x = np.concatenate(parts)
    if rng.random() < 0.4:
        x = soxr.resample(x, SAMPLE_RATE, SAMPLE_RATE * rng.uniform(0.88, 1.12)).astype(np.float32)
    lead = int(rng.uniform(0, 0.8) * SAMPLE_RATE) if rng.random() < 0.6 else 0
    trail = int(rng.uniform(0, 0.8) * SAMPLE_RATE) if rng.random() < 0.6 else 0
    x = np.concatenate([np.zeros(lead, np.float32), x, np.zeros(trail, np.float32)])
    if rng.random() < 0.15:
        x = _band_limit(rng, x)
    x *= rng.uniform(0.05, 1.0)
    if rng.random() < 0.45:
        power = float(np.mean(x**2)) + 1e-10
        snr_db = rng.uniform(5, 30) if rng.random() < 0.6 else rng.uniform(30, 60)
        noise = (
            _pink_noise(rng, len(x))
            if rng.random() < 0.4
            else rng.standard_normal(len(x)).astype(np.float32)
        )
        x += noise * np.sqrt(power / 10 ** (snr_db / 10) / (float(np.mean(noise**2)) + 1e-10))
    return normalise(x)


class Batches:
    """Endless stream of (input_values, labels) batches; deterministic for a given seed."""

    def __init__(
        self,
        corpus: Corpus,
        seed: int,
        batch_seconds: float = 60.0,
        join_prob: float = 0.2,
        voice_repeats: dict[str, int] | None = None,
    ) -> None:
        self.corpus = corpus
        self.rng = np.random.default_rng(seed)
        self.batch_samples = int(batch_seconds * SAMPLE_RATE)
        self.join_prob = join_prob
        # a voice repeated k times appears k times per pass (fresh augmentation each time)
        repeats = voice_repeats or {}
        self.pool = np.array(
            [i for i, v in enumerate(corpus.voice) for _ in range(repeats.get(v, 1))]
        )

    def _examples(self) -> list[list[int]]:
        """One pass over the corpus as groups of utterance indices (most groups hold one)."""
        order = self.rng.permutation(self.pool).tolist()
        groups, i = [], 0
        while i < len(order):
            n = 1 if self.rng.random() >= self.join_prob else int(self.rng.integers(2, 4))
            group = [order[i]]
            total = len(self.corpus.audio[order[i]])
            for j in order[i + 1 : i + n]:
                total += len(self.corpus.audio[j]) + SAMPLE_RATE // 2
                if total > MAX_SECONDS * SAMPLE_RATE:
                    break
                group.append(j)
            groups.append(group)
            i += len(group)
        return groups

    def _plan(self) -> list[list[list[int]]]:
        """Batches for one pass: chunks of 256 examples sorted by length, then cut by size."""
        groups = self._examples()
        length = [
            sum(len(self.corpus.audio[j]) for j in g) * 1.15 + 0.5 * SAMPLE_RATE for g in groups
        ]
        batches: list[list[list[int]]] = []
        for start in range(0, len(groups), 256):
            chunk = sorted(range(start, min(start + 256, len(groups))), key=lambda k: length[k])
            current: list[list[int]] = []
            longest = 0.0
            for k in chunk:
                longest_if = max(longest, length[k])
                if current and longest_if * (len(current) + 1) > self.batch_samples:
                    batches.append(current)
                    current, longest_if = [], length[k]
                current.append(groups[k])
                longest = longest_if
            if current:
                batches.append(current)
        self.rng.shuffle(batches)
        return batches

    def make_batch(self, groups: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        waves = [augment(self.rng, [self.corpus.audio[j] for j in g]) for g in groups]
        labels = [encode(" ".join(self.corpus.text[j] for j in g)) for g in groups]
        x = torch.zeros(len(waves), max(len(w) for w in waves))
        for row, w in enumerate(waves):
            x[row, : len(w)] = torch.from_numpy(w)  # zero padding looks like silence
        y = torch.full((len(labels), max(len(t) for t in labels)), -100, dtype=torch.long)
        for row, t in enumerate(labels):
            y[row, : len(t)] = torch.tensor(t)
        return x, y

    def __iter__(self):
        while True:
            for groups in self._plan():
                yield self.make_batch(groups)
