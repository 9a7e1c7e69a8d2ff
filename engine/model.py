"""Load a Wav2Vec2ForCTC checkpoint (hub id or folder) and run it on windows of audio."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
import types
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .config import DEFAULT_MODEL, DEMO_MODEL, SAMPLE_RATE, ModelOptions
from .ctc import Vocab
from .errors import ModelLoadError
from .hub import DownloadProgress, cached_model, check_speech_model, download_model
from .onnx_backend import ExportError, ExportProgress

if TYPE_CHECKING:  # torch and transformers are imported when a model is loaded
    import torch
    from transformers import Wav2Vec2ForCTC

log = logging.getLogger("engine.model")

# The default CPU dtype is the fastest that keeps at least 99 % of words identical to float32.
# Measured on the demo model (tools/demo_model/results.json): bfloat16 96.1 %, int8 86.5 %, so
# float32 stays the default; bfloat16 (about 2x faster on AVX512-BF16 CPUs) is an option.
DEFAULT_CPU_DTYPE = "float32"
# The CPU's default backend: ONNX Runtime, which labels frames as PyTorch float32 does (100 %
# of frame labels on the demo model and on the random base-960h model: bench/backend_agreement.py,
# the rule for the default being >= 99.9 %). PyTorch stays the CUDA backend (float16) and runs
# bfloat16. Speed: see the README (measured on a heavily shared machine).
DEFAULT_CPU_BACKEND = "onnx"
MIN_RMS = 5e-3  # floor of a window's deviation in normalise()
BACKENDS = ("auto", "onnx", "torch")
ONNX_DTYPES = ("float32", "int8")
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


def conv_geometry(conv_kernel: Sequence[int], conv_stride: Sequence[int]) -> tuple[int, int]:
    """(samples per frame, receptive field in samples) of wav2vec2's feature encoder."""
    stride, field = 1, 1
    for kernel, step in zip(conv_kernel, conv_stride):
        field += (kernel - 1) * stride
        stride *= step
    return stride, field


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
    mask for padded input (feature extractors with ``return_attention_mask``: large-lv60, XLSR).

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
            n = min(count, total - first, out.ids.shape[1])
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


# A backend's forward pass: normalised windows (batch, samples) in; per frame the most likely
# token and its probability, and every token's natural-log probability when the flag asks
# for them (None otherwise: greedy decoding does not need them).
Forward = Callable[[np.ndarray, bool], tuple[np.ndarray, np.ndarray, np.ndarray | None]]


class Recognizer:
    """A loaded wav2vec2 CTC model on one device and backend (PyTorch or ONNX Runtime).
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
        do_normalize: bool = True,
        min_rms: float = MIN_RMS,
        unpadded: bool = False,
        notes: tuple[str, ...] = (),
        folder: Path | None = None,
    ) -> None:
        self._forward = forward
        self.vocab = vocab
        self.name = name
        self.device = device
        self.dtype = dtype
        self.backend = backend  # "torch" or "onnx"
        self.notes = notes  # what the user should know about how the model was loaded
        self.folder = folder  # the checkpoint's folder (its language_model/ is used)
        self.is_demo = (
            Path(name).resolve() == DEMO_MODEL_DIR.resolve() if os.path.isdir(name) else False
        )
        self.do_normalize = do_normalize
        self.min_rms = min_rms
        # The feature extractor asks for an attention mask (layer-norm models): never pad.
        self.unpadded = unpadded
        self.frame_samples, self.receptive_field = geometry
        self._lock = threading.Lock()

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
        batch = (
            normalise(windows, self.min_rms, valid)
            if self.do_normalize
            else np.asarray(windows, np.float32)
        )
        with self._lock:
            ids, probs, logp = self._forward(batch, log_probs)
        if logp is not None:
            # one column per token the decoder can spell (a checkpoint may have spare logits)
            logp = logp[..., : len(self.vocab.tokens)]
        return FrameOutput(ids=ids, probs=probs, log_probs=logp)

    def warm_up(self, seconds: float = 3.5) -> None:
        rng = np.random.default_rng(0)
        self.frames(rng.normal(0, 0.05, size=(1, int(seconds * SAMPLE_RATE))).astype(np.float32))


def torch_forward(model: Wav2Vec2ForCTC, device: str, dtype: str) -> Forward:
    """PyTorch's forward pass for a loaded Wav2Vec2ForCTC."""
    import torch

    input_dtype = _torch_dtype(dtype)

    def forward(
        batch: np.ndarray, log_probs: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        inputs = torch.from_numpy(batch).to(device, input_dtype)
        with torch.inference_mode():
            logits = model(inputs).logits.float()
            probs, ids = torch.softmax(logits, dim=-1).max(dim=-1)
            logp = torch.log_softmax(logits, dim=-1).cpu().numpy() if log_probs else None
        return ids.cpu().numpy(), probs.cpu().numpy(), logp

    return forward


def _torch_dtype(dtype: str) -> torch.dtype:
    """The torch dtype weights and inputs use for a dtype name (int8 keeps float32 inputs)."""
    import torch

    return {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(dtype, torch.float32)


def _resolve_dtype(options: ModelOptions, device: str) -> str:
    if options.dtype != "auto":
        if options.dtype == "int8" and device != "cpu":
            raise ModelLoadError("int8 quantisation runs on the CPU only; use --device cpu")
        if options.dtype not in ("float32", "float16", "bfloat16", "int8"):
            raise ModelLoadError(f"unknown dtype {options.dtype!r}")
        return options.dtype
    return "float16" if device == "cuda" else _cpu_default_dtype()


def _resolve_backend(requested: str, device: str, dtype: str) -> str:
    if requested not in BACKENDS:
        raise ModelLoadError(f"unknown backend {requested!r}; use {', '.join(BACKENDS)}")
    onnx_fits = device == "cpu" and dtype in ONNX_DTYPES
    if requested == "onnx" and not onnx_fits:
        raise ModelLoadError(
            f"the ONNX Runtime backend runs on the CPU in {' or '.join(ONNX_DTYPES)}, not "
            f"{dtype} on {device}; use the torch backend for that"
        )
    if requested == "auto":
        return DEFAULT_CPU_BACKEND if onnx_fits else "torch"
    return requested


def _cpu_default_dtype() -> str:
    import torch

    if DEFAULT_CPU_DTYPE == "bfloat16":
        try:
            if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
                return "float32"
        except (AttributeError, RuntimeError):
            return "float32"
    return DEFAULT_CPU_DTYPE


def _resolve_device(requested: str) -> str:
    import torch

    if requested not in ("auto", "cpu", "cuda"):
        raise ModelLoadError(f"unknown device {requested!r}; use auto, cpu or cuda")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(
            "CUDA was requested but is not available (no NVIDIA GPU, driver, or a CPU-only "
            "PyTorch build). Use --device cpu or --device auto."
        )
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


SHIPPED_INFO = "bundled.json"  # in a shipped model's folder: {"id": the hub id it came from}


def shipped_model_dir() -> Path | None:
    """The model a frozen installation ships with (``installer/build.py --bundle-model``): its
    ``models/default`` folder beside the executable; None when there is none."""
    import sys

    if getattr(sys, "frozen", False):
        shipped = Path(sys.executable).parent / "models" / "default"
        if (shipped / "config.json").is_file():
            return shipped
    return None


def shipped_model(name: str) -> Path | None:
    """The shipped model's folder when ``name`` asks for it: the default model, or the hub id
    it was bundled from. It comes before the cache and the hub, so a fresh installation
    captions without network."""
    folder = shipped_model_dir()
    if folder is None:
        return None
    try:
        shipped_id = json.loads((folder / SHIPPED_INFO).read_text(encoding="utf-8")).get("id")
    except (OSError, ValueError, AttributeError):
        shipped_id = None
    return folder if name in (DEFAULT_MODEL, shipped_id) else None


def bundled_model_dir() -> Path:
    """The model an installation ships with, else the demo model inside the package."""
    return shipped_model_dir() or DEMO_MODEL_DIR


def _help_text(name: str) -> str:
    return (
        f"Download it once on a machine with internet access (it goes to the Hugging Face cache), "
        f"or choose a local folder that holds a Wav2Vec2ForCTC checkpoint (config.json, weights and "
        f"processor files), or the bundled demo model ('{DEMO_MODEL}')."
    )


def hub_repo_id(name: str) -> str | None:
    """The hub id ``name`` stands for, or None when it is the demo or a path on this disk."""
    path = Path(name).expanduser()
    looks_like_path = (
        path.is_absolute()
        or name.startswith((".", "~"))
        or name.count("/") > 1
        or os.sep in name.replace("/", "")
    )
    if name == DEMO_MODEL or path.exists() or looks_like_path:
        return None
    return name


def resolve_model_dir(
    options: ModelOptions,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Find the model's folder: the demo, a local folder, or the hub (cache first). A hub
    download reports to ``progress`` and stops with :class:`Cancelled` once ``cancel`` is set."""
    name = options.name
    shipped = shipped_model(name)
    if shipped is not None:
        return shipped
    if name == DEMO_MODEL:
        if not (DEMO_MODEL_DIR / "config.json").is_file():
            raise ModelLoadError("the bundled demo model is missing from this installation")
        return DEMO_MODEL_DIR
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"model folder {path} is not a model: it has no config.json. {_help_text(name)}"
            )
        check_speech_model(path / "config.json", str(path))
        return path
    if hub_repo_id(name) is None:
        reason = "is a file, not a folder" if path.exists() else "does not exist"
        raise ModelLoadError(f"model folder {path} {reason}. {_help_text(name)}")
    return _hub_snapshot(options, progress, cancel)


def _hub_snapshot(
    options: ModelOptions, progress: DownloadProgress | None, cancel: threading.Event | None
) -> Path:
    repo_id = options.name
    folder = cached_model(repo_id)
    if folder is not None:
        return folder
    if options.local_files_only:
        raise ModelLoadError(
            f"model {repo_id!r} is not in the local Hugging Face cache and downloads are off. "
            + _help_text(repo_id)
        )
    return download_model(repo_id, options.hub_endpoint, progress, cancel)


def _read_vocab(folder: Path) -> tuple[Vocab, bool, int, bool]:
    from transformers import Wav2Vec2Processor

    try:
        processor = Wav2Vec2Processor.from_pretrained(str(folder))
    except (OSError, ValueError, TypeError) as exc:
        raise ModelLoadError(
            f"{folder}: the processor (tokenizer and feature extractor) cannot be read: {exc}"
        ) from None
    tokenizer = processor.tokenizer
    size = len(tokenizer)
    tokens = tuple(tokenizer.convert_ids_to_tokens(list(range(size))))
    delimiter = getattr(tokenizer, "word_delimiter_token", "|")
    vocab = Vocab(
        tokens=tokens,
        blank_id=int(tokenizer.pad_token_id),
        delimiter_id=tokens.index(delimiter) if delimiter in tokens else None,
        special_ids=frozenset(int(i) for i in tokenizer.all_special_ids if 0 <= i < size),
    )
    fe = processor.feature_extractor
    return (
        vocab,
        bool(fe.do_normalize),
        int(fe.sampling_rate),
        bool(getattr(fe, "return_attention_mask", False)),
    )


def load_recognizer(
    options: ModelOptions = ModelOptions(),
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
    export_progress: ExportProgress | None = None,
) -> Recognizer:
    """Load a model as configured, or raise :class:`ModelLoadError` with a message for the user
    (:class:`Cancelled` when ``cancel`` is set during a download). ``progress`` follows a hub
    download, ``export_progress`` the one-off ONNX export."""
    try:
        return _load(options, progress, cancel, export_progress)
    except ModelLoadError as exc:
        if not options.fallback_to_demo or options.name == DEMO_MODEL:
            raise
        log.warning(
            "%s Using the bundled demo model instead: it understands synthetic voices only.", exc
        )
        return _load(
            dataclasses.replace(options, name=DEMO_MODEL), progress, cancel, export_progress
        )


def _load(
    options: ModelOptions,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
    export_progress: ExportProgress | None,
) -> Recognizer:
    import torch

    device = _resolve_device(options.device)
    dtype = _resolve_dtype(options, device)
    backend = _resolve_backend(options.backend, device, dtype)
    if options.threads:
        torch.set_num_threads(options.threads)
    folder = resolve_model_dir(options, progress, cancel)
    vocab, do_normalize, rate, wants_mask = _read_vocab(folder)
    if rate != SAMPLE_RATE:
        raise ModelLoadError(
            f"{options.name}: expects {rate} Hz audio; only {SAMPLE_RATE} Hz models are supported"
        )
    geometry = _geometry(folder, options.name)
    notes: list[str] = []
    forward: Forward | None = None
    if backend == "onnx":
        try:
            forward = _onnx_forward(folder, options, dtype, export_progress)
        except ExportError as exc:
            note = f"ONNX Runtime cannot be used ({exc}); running PyTorch instead (slower)"
            log.warning("%s: %s", options.name, note)
            notes.append(note)
            backend = "torch"
    if forward is None:
        forward = torch_forward(_torch_model(folder, options.name, dtype, device), device, dtype)
    name = str(folder) if options.name == DEMO_MODEL else options.name
    recognizer = Recognizer(
        forward,
        vocab,
        name=name,
        device=device,
        dtype=dtype,
        backend=backend,
        geometry=geometry,
        do_normalize=do_normalize,
        unpadded=wants_mask,
        notes=tuple(notes),
        folder=folder,
    )
    if recognizer.frame_samples * 1000 // SAMPLE_RATE != 20:
        log.warning("%s: frames are %d samples, not 20 ms", options.name, recognizer.frame_samples)
    if options.warmup:
        recognizer.warm_up()
    log.info("loaded %s", recognizer.describe())
    return recognizer


def _geometry(folder: Path, name: str) -> tuple[int, int]:
    from transformers import Wav2Vec2Config

    try:
        config = Wav2Vec2Config.from_pretrained(str(folder))
    except (OSError, ValueError, TypeError) as exc:
        raise ModelLoadError(f"{name}: config.json cannot be read: {exc}") from None
    return conv_geometry(list(config.conv_kernel), list(config.conv_stride))


def _torch_model(folder: Path, name: str, dtype: str, device: str) -> Wav2Vec2ForCTC:
    import torch
    from safetensors import SafetensorError
    from transformers import Wav2Vec2ForCTC

    try:
        model = Wav2Vec2ForCTC.from_pretrained(
            str(folder), dtype=_torch_dtype(dtype), attn_implementation="sdpa"
        )
    except (OSError, ValueError, SafetensorError) as exc:
        raise ModelLoadError(f"{name}: the model weights cannot be loaded: {exc}") from None
    model.eval().to(device)
    if dtype == "int8":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
    return model


def _onnx_forward(
    folder: Path, options: ModelOptions, dtype: str, progress: ExportProgress | None
) -> Forward:
    """ONNX Runtime's forward pass, exporting the model first if it is not in the cache.
    Raises ExportError when that cannot be done."""
    try:
        from . import onnx_backend as ob

        entry = ob.cached_export(folder)
        if entry is not None:
            try:
                return _onnx_runner(ob, entry, dtype, options.threads)
            except ob.QuantisationError:
                raise  # the float32 export is good: keep it (PyTorch runs int8 instead)
            except ExportError as exc:  # a damaged cache entry: export again, once
                log.warning(
                    "%s: the cached ONNX export is unusable (%s); exporting again", folder, exc
                )
                ob.discard(entry)
        model = _torch_model(folder, options.name, "float32", "cpu")
        entry = ob.export(model, folder, _normaliser(folder), progress, options.threads)
        del model
        return _onnx_runner(ob, entry, dtype, options.threads)
    except ImportError as exc:
        raise ExportError(f"the package {exc.name!r} is not installed") from None
    except ModelLoadError as exc:
        raise ExportError(str(exc)) from None


def _normaliser(folder: Path) -> Callable[[np.ndarray], np.ndarray]:
    """How Recognizer prepares windows for this model (the export is checked on the same)."""
    do_normalize = _read_vocab(folder)[1]
    return lambda windows: (
        normalise(windows, MIN_RMS) if do_normalize else np.asarray(windows, np.float32)
    )


def _onnx_runner(ob: types.ModuleType, entry: Path, dtype: str, threads: int | None) -> Forward:
    path = ob.quantized(entry) if dtype == "int8" else entry / ob.MODEL_FILE
    return ob.OnnxRunner(path, threads)


def frames_for_samples(num_samples: int, frame_samples: int, receptive_field: int) -> int:
    """Frames wav2vec2 outputs for an input of ``num_samples``."""
    if num_samples < receptive_field:
        return 0
    return (num_samples - receptive_field) // frame_samples + 1


__all__ = ["Recognizer", "FrameModel", "FrameOutput", "load_recognizer", "resolve_model_dir"]
