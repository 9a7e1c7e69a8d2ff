"""A loaded CTC model as the window grid sees it: windows of audio in, labelled frames out.

:class:`Recognizer` holds one backend's forward pass (PyTorch or ONNX Runtime) and the model's
features step (``engine.families``); it runs batches of windows and serialises passes. Loading
is ``engine.model``'s job, locating the files ``engine.model_dir``'s.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import SAMPLE_RATE
from .ctc import Vocab
from .windows import Window

MIN_RMS = 5e-3  # floor of a window's deviation in normalise()
DEMO_MODEL_DIR = Path(__file__).parent / "models" / "demo"


@dataclass(frozen=True)
class FrameOutput:
    ids: np.ndarray  # (batch, frames) most likely token per frame
    probs: np.ndarray  # (batch, frames) its probability
    # (batch, frames, vocab) natural-log probabilities of every token, when asked for (beam
    # search with a language model needs them; greedy decoding does not)
    log_probs: np.ndarray | None = None


class FrameModel(Protocol):
    """What the window grid needs from a model: audio windows in, labelled frames out."""

    vocab: Vocab
    frame_samples: int  # samples per output frame (320 for wav2vec2: 20 ms)

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        """Label the frames of a batch of equal-length raw 16 kHz windows. ``valid`` (rows of
        [a, b)) marks the samples that are audio rather than padding; None: all of them.
        A model that can also give every token's log-probability (beam search with a language
        model needs them) has ``frames_with_log_probs`` with the same arguments."""
        ...


class Features(Protocol):
    """A model's input from raw windows, as its feature extractor computes it (see
    ``engine.families``)."""

    @property
    def input_name(self) -> str:
        """The model's input: "input_values" (waveform) or "input_features" (mel)."""
        ...

    @property
    def unpadded(self) -> bool:
        """The model must never see padding (an attention-mask model, or one whose features
        are normalised over the utterance): windows run cut to their audio (run_unpadded)."""
        ...

    def __call__(self, windows: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        """The model's input for a batch of equal-length windows (``valid`` as in frames)."""
        ...


def normalise(windows: np.ndarray, min_rms: float, valid: np.ndarray | None = None) -> np.ndarray:
    """Zero mean, unit variance per window over its audio, padding left at zero (as
    Wav2Vec2FeatureExtractor normalises an utterance and then pads it), with a floor on the
    deviation so that a quiet window is not blown up into loud noise. Statistics over the
    padding too would scale a short utterance in a long window very differently from the way
    the model was trained: measured on the demo model, CER 0.25 instead of 0.16."""
    windows = np.asarray(windows, dtype=np.float32)
    out = np.zeros_like(windows)
    ranges: list[tuple[int, int]] = (
        [(0, windows.shape[1])] * len(windows)
        if valid is None
        else [(int(a), int(b)) for a, b in np.asarray(valid).reshape(-1, 2)]
    )
    for row, (a, b) in enumerate(ranges):
        audio = windows[row, a:b]
        if audio.size:
            std = np.sqrt(audio.var() + 1e-7)
            out[row, a:b] = (audio - audio.mean()) / max(float(std), min_rms)
    return out


def frames_for_samples(num_samples: int, frame_samples: int, receptive_field: int) -> int:
    """Frames a model outputs for an input of ``num_samples`` (the conv stack's count; a mel
    model's output may hold a frame more, which the grid never keeps)."""
    if num_samples < receptive_field:
        return 0
    return (num_samples - receptive_field) // frame_samples + 1


def conv_geometry(conv_kernel: list[int], conv_stride: list[int]) -> tuple[int, int]:
    """(samples per frame, receptive field in samples) of a stack of 1-D convolutions."""
    stride, field = 1, 1
    for kernel, step in zip(conv_kernel, conv_stride):
        field += (kernel - 1) * stride
        stride *= step
    return stride, field


def run_unpadded(
    forward: Callable[[np.ndarray], FrameOutput],
    windows: np.ndarray,
    valid: np.ndarray,
    frame_samples: int,
    receptive_field: int,
    blank_id: int,
    vocab_size: int = 0,
) -> FrameOutput:
    """Label windows without showing the model any padding, for models that expect an attention
    mask for padded input (feature extractors with ``return_attention_mask``: large-lv60, XLSR)
    or normalise features over the utterance (mel models).

    Hugging Face's wav2vec2 turns a mask into a frame mask from the mask's sum, as if padding
    were always on the right, so a window padded on the left (a stream's first windows) cannot
    be masked. Instead each window's audio ``[a, b)`` is cut out and windows of equal audio
    length run together, unpadded (``forward`` gets the raw rows); the output frames go back to
    their place in the window (``a`` is on the frame grid) and the frames of the padding are
    blank with certainty. A window's output then depends on its audio only, as the Hugging Face
    reference on the unpadded audio does.
    """
    windows = np.asarray(windows, dtype=np.float32)
    total = frames_for_samples(windows.shape[1], frame_samples, receptive_field)
    ids = np.full((len(windows), total), blank_id, dtype=np.int64)
    probs = np.ones((len(windows), total), dtype=np.float32)
    logp = blank_log_probs((len(windows), total), vocab_size, blank_id) if vocab_size else None
    ranges = np.asarray(valid).reshape(-1, 2)
    by_length: dict[int, list[int]] = {}
    for row, (a, b) in enumerate(ranges):
        by_length.setdefault(int(b - a), []).append(row)
    for length, rows in by_length.items():
        count = frames_for_samples(length, frame_samples, receptive_field)
        if count <= 0:
            continue  # too short for one frame: blank
        out = forward(np.stack([windows[r, ranges[r, 0] : ranges[r, 1]] for r in rows]))
        for i, row in enumerate(rows):
            first = int(ranges[row, 0]) // frame_samples
            # the model's own count (a mel model may give a frame more than the conv formula)
            n = max(0, min(total - first, out.ids.shape[1]))
            ids[row, first : first + n] = out.ids[i, :n]
            probs[row, first : first + n] = out.probs[i, :n]
            if logp is not None and out.log_probs is not None:
                logp[row, first : first + n] = out.log_probs[i, :n]
    return FrameOutput(ids=ids, probs=probs, log_probs=logp)


def blank_log_probs(shape: tuple[int, int], vocab_size: int, blank_id: int) -> np.ndarray:
    """Log-probabilities of frames that are blank with certainty (padding, silence)."""
    out = np.full((*shape, vocab_size), -1e4, dtype=np.float32)
    out[..., blank_id] = 0.0
    return out


# A window's frames: greedy labels, their probabilities, and every token's log-probability
# (None unless asked for: beam search needs them)
Frames = tuple[np.ndarray, np.ndarray, np.ndarray | None]


class WindowRunner(Protocol):
    """What runs a file's windows on a model: the model itself in the calling thread
    (:class:`Recognizer`), or the process's ``Scheduler`` as its lowest-priority work."""

    @property
    def model(self) -> FrameModel:
        """The model the windows run on."""
        ...

    def run_file_windows(
        self,
        windows: list[Window],
        silence_level: float = 0.0,
        cancel: threading.Event | None = None,
        log_probs: bool = False,
    ) -> list[Frames]:
        """(ids, probs, log-probs) per window; see :func:`run_windows`."""
        ...


def run_windows(
    model: FrameModel, windows: list[Window], silence_level: float = 0.0, log_probs: bool = False
) -> list[Frames]:
    """One forward pass over equal-length windows; (ids, probs, log-probs) per window.

    A window whose every sample is quieter than ``silence_level`` (digital silence, a muted
    microphone) is not run: its frames are blank with certainty. The decision depends on the
    window's samples only, so file and stream skip the same windows.
    """
    results: list[Frames | None] = [None] * len(windows)
    active = [i for i, w in enumerate(windows) if not is_silent(w.samples, silence_level)]
    # Windows run cut to their audio (window_cut), equal cuts together: a final window's labels
    # are its own whatever it is batched with. A partial window beside a whole one rides along
    # whole (one pass, where batching is cheap: CUDA).
    cuts = {i: window_cut(windows[i], model.frame_samples) for i in active}
    whole = any(cuts[i] == len(windows[i].samples) for i in active)
    by_cut: dict[int, list[int]] = {}
    for i in active:
        ride = whole and not windows[i].final
        by_cut.setdefault(len(windows[i].samples) if ride else cuts[i], []).append(i)
    for cut, rows in by_cut.items():
        batch = np.stack([windows[i].samples[:cut] for i in rows])
        valid = np.minimum(np.array([windows[i].valid for i in rows]), cut)
        out = (with_log_probs(model) if log_probs else model.frames)(batch, valid)
        for row, i in enumerate(rows):
            logp = out.log_probs[row] if log_probs and out.log_probs is not None else None
            results[i] = (out.ids[row], out.probs[row], logp)
    frames = model.frame_samples
    blank = model.vocab.blank_id

    def silent(count: int) -> Frames:
        logp = blank_log_probs((1, count), len(model.vocab.tokens), blank)[0] if log_probs else None
        return (np.full(count, blank), np.ones(count, dtype=np.float32), logp)

    def padded(window: Window, result: Frames) -> Frames:
        # A cut window gives fewer frames: the ones past its audio are blank, as many as a
        # silent window has.
        need = max(window.keep_from + window.keep, len(window.samples) // frames) - len(result[0])
        if need <= 0:
            return result
        tail = silent(need)
        return tuple(  # type: ignore[return-value]  # the same three fields, each extended
            None if r is None else np.concatenate([r, t]) for r, t in zip(result, tail)
        )

    return [
        padded(window, result) if result is not None else silent(len(window.samples) // frames)
        for window, result in zip(windows, results)
    ]


# A window that ends past its audio runs cut, rounded up to this many seconds (few shapes).
CUT_STEP_S = 0.25


def window_cut(window: Window, frame_samples: int) -> int:
    """Samples of a window that must run: all of them where its audio reaches its end (a
    final window inside the audio); otherwise only as far as its audio reaches (a partial
    window, the last window of a file or stream), plus two frames for the last frame's
    receptive field, in steps of ``CUT_STEP_S``. The rest is padding the model need not see:
    a partial pass over a window half there costs about half a full pass, and a 5 s file runs
    6.25 s instead of the file profile's 20 s window."""
    full = len(window.samples)
    if window.valid[1] >= full:
        return full
    step = max(frame_samples, round(CUT_STEP_S * SAMPLE_RATE / frame_samples) * frame_samples)
    end = window.valid[1] + 2 * frame_samples
    return min(full, -(-end // step) * step)


def with_log_probs(model: FrameModel) -> Callable[[np.ndarray, np.ndarray], FrameOutput]:
    """The model's ``frames_with_log_probs``; RuntimeError for a model without it."""
    method = getattr(model, "frames_with_log_probs", None)
    if method is None:
        raise RuntimeError(
            f"{type(model).__name__} gives no log-probabilities: beam search with a language "
            "model or custom words needs them"
        )
    return method


def is_silent(samples: np.ndarray, level: float) -> bool:
    """Every sample quieter than ``level`` (never true when ``level`` is 0)."""
    return level > 0 and float(np.max(np.abs(samples), initial=0.0)) < level


class RunsOwnWindows:
    """Mixin for a FrameModel that is its own WindowRunner: windows run in the calling thread."""

    @property
    def model(self) -> FrameModel:
        return self  # type: ignore[return-value]  # (the class it is mixed into is a FrameModel)

    def run_file_windows(
        self,
        windows: list[Window],
        silence_level: float = 0.0,
        cancel: threading.Event | None = None,
        log_probs: bool = False,
    ) -> list[Frames]:
        return run_windows(self.model, windows, silence_level, log_probs)


# A backend's forward pass: the model's input (batch, ...) in; per frame the most likely
# token and its probability, and every token's natural-log probability when the flag asks
# for them (None otherwise: greedy decoding does not need them).
Forward = Callable[[np.ndarray, bool], tuple[np.ndarray, np.ndarray, np.ndarray | None]]


class Recognizer(RunsOwnWindows):
    """A loaded CTC model on one device and backend (PyTorch or ONNX Runtime).
    Thread-safe: forward passes are serialised."""

    def __init__(
        self,
        forward: Forward,
        vocab: Vocab,
        *,
        name: str,
        device: str,
        dtype: str,
        backend: str,
        geometry: tuple[int, int],
        features: Features,
        family: str = "wav2vec2",
        notes: tuple[str, ...] = (),
        folder: Path | None = None,
    ) -> None:
        self._forward = forward
        self.vocab = vocab
        self.name = name
        self.device = device
        self.dtype = dtype
        self.backend = backend  # "torch" or "onnx"
        self.family = family  # the config's model_type: "wav2vec2", "hubert", "parakeet_ctc", ...
        self.notes = notes  # what the user should know about how the model was loaded
        self.folder = folder  # the checkpoint's folder (its language_model/ is used)
        self.is_demo = (
            Path(name).resolve() == DEMO_MODEL_DIR.resolve() if os.path.isdir(name) else False
        )
        self.features = features
        self.frame_samples, self.receptive_field = geometry
        self._lock = threading.Lock()

    @property
    def unpadded(self) -> bool:
        """The model never sees padding (see run_unpadded)."""
        return self.features.unpadded

    def describe(self) -> str:
        label = "demo model (understands synthetic voices only)" if self.is_demo else self.name
        backend = "ONNX Runtime" if self.backend == "onnx" else "PyTorch"
        return f"{label} on {self.device.upper()} ({self.dtype}, {backend})"

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        return self._frames(windows, valid, False)

    def frames_with_log_probs(
        self, windows: np.ndarray, valid: np.ndarray | None = None
    ) -> FrameOutput:
        """``frames`` with ``FrameOutput.log_probs`` filled in (both backends)."""
        return self._frames(windows, valid, True)

    def _frames(
        self, windows: np.ndarray, valid: np.ndarray | None, log_probs: bool
    ) -> FrameOutput:
        if self.unpadded and valid is not None:
            return run_unpadded(
                lambda rows: self._label(rows, None, log_probs),
                windows,
                valid,
                self.frame_samples,
                self.receptive_field,
                self.vocab.blank_id,
                len(self.vocab.tokens) if log_probs else 0,
            )
        return self._label(windows, valid, log_probs)

    def _label(
        self, windows: np.ndarray, valid: np.ndarray | None, log_probs: bool = False
    ) -> FrameOutput:
        batch = self.features(windows, valid)
        with self._lock:
            ids, probs, logp = self._forward(batch, log_probs)
        if logp is not None:
            # one column per token the decoder can spell (a checkpoint may have spare logits)
            logp = logp[..., : len(self.vocab.tokens)]
        return FrameOutput(ids=ids, probs=probs, log_probs=logp)

    def warm_up(self, seconds: float = 3.5) -> None:
        rng = np.random.default_rng(0)
        self.frames(rng.normal(0, 0.05, size=(1, int(seconds * SAMPLE_RATE))).astype(np.float32))
