"""ONNX Runtime on the CPU: a checkpoint exported once with ``torch.onnx``, cached, then run.

The export (PyTorch's own exporter, ``torch.export`` based, dynamic batch and length axes) is
cached under :func:`cache_root`, one folder per key. The key is made of what determines the
graph: the model files' contents (hashed), the exporter's and ONNX Runtime's versions, the
opset and this module's export format. A folder appears only complete: the export is written
into a hidden ``*.partial`` folder beside it and renamed into place at the end, so a process
killed halfway leaves no cache entry, only a partial folder that a later export removes.
A model whose weights are over :data:`SINGLE_FILE_MAX_BYTES` (protobuf, which holds an ONNX
graph, stops at 2 GB: a float32 Parakeet-CTC 0.6b is 2.4 GB) is saved with its weights in a side
file beside the graph, ``model.onnx.data``; the folder's rename publishes both at once.
Before it is kept, the exported graph is checked against PyTorch on speech: it must label at
least :data:`MIN_FRAME_AGREEMENT` of the frames identically, or the export counts as failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import types
import warnings
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import LiveCaptionsError

if TYPE_CHECKING:  # torch is imported when a model is exported
    import torch
    from transformers import PreTrainedModel

log = logging.getLogger("engine.onnx")

# ONNX Runtime 1.29 and later send usage telemetry to Microsoft from Linux and macOS as well as
# Windows: at import it writes a session file into the temporary folder and a device identifier
# and event cache under ~/.cache/Microsoft. A local captioning app sends nothing anywhere, so the
# engine opts out before ONNX Runtime is first imported (the variable is read once, when it
# initialises; a user who sets ORT_DISABLE_TELEMETRY=0 keeps it on), and again through its API
# (:func:`_onnxruntime`) in case something imported it earlier.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

EXPORT_FORMAT = 3  # bump when the exported graph's inputs, outputs, wrapper or opset change
OPSET = 20  # the first with a Gelu operator: below it, Gelu exports as a chain of Erf, Mul and Add
# The exported graph's outputs, in order: the most likely token per frame, its probability,
# and every token's natural-log probability (beam search with a language model reads them).
OUTPUTS = ("ids", "probs", "log_probs")
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
INFO_FILE = "export.json"
# A graph's side file of weights (ONNX "external data"): the graph's name and this suffix, the
# name torch's exporter and ONNX Runtime's quantiser give it; the graph refers to it by that name.
DATA_SUFFIX = ".data"
# Weights over this size are exported into a side file. protobuf's limit is 2 GB for the whole
# graph; the exporter adds constants of its own, and moves weights out by itself from 1.5 GB.
SINGLE_FILE_MAX_BYTES = 1 << 30
MIN_FRAME_AGREEMENT = 0.999  # frame labels identical to PyTorch float32 on the check speech
STALE_PARTIAL_S = 3600.0  # a partial export folder this old belongs to a dead process
_WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin", "config.json")
_SAMPLE = Path(__file__).parent / "samples" / "sample.wav"

# (stage number, number of stages, what happens now) while an export runs.
ExportProgress = Callable[[int, int, str], None]


class ExportError(LiveCaptionsError):
    """The model could not be exported to ONNX, or the export does not match PyTorch."""


def cache_root() -> Path:
    """Where exports are kept: ``$LIVE_CAPTIONS_ONNX_CACHE``, else beside the Hugging Face
    model cache (``$HF_HOME/live-captions-onnx``)."""
    override = os.environ.get("LIVE_CAPTIONS_ONNX_CACHE")
    if override:
        return Path(override).expanduser()
    from huggingface_hub import constants

    return Path(constants.HF_HOME) / "live-captions-onnx"


def _onnxruntime() -> types.ModuleType:
    """ONNX Runtime, with its telemetry events off unless the user asked for them."""
    import onnxruntime

    if os.environ.get("ORT_DISABLE_TELEMETRY") != "0":
        onnxruntime.disable_telemetry_events()
    return onnxruntime


def versions() -> dict[str, str]:
    """The versions that shape an export (part of its cache key)."""
    import torch

    onnxruntime = _onnxruntime()
    return {
        "torch": torch.__version__,
        "onnxscript": _exporter_version(),
        "onnxruntime": onnxruntime.__version__,
        "opset": str(OPSET),
        "format": str(EXPORT_FORMAT),
    }


def _exporter_version() -> str:
    """onnxscript's version from its installed metadata: importing it takes 1.1-1.2 CPU seconds
    (1.4-2.8 s of wall time on a 2-core AMD EPYC) and only an export needs the module. Where
    the metadata is missing (a frozen app that did not copy it) the module says."""
    from importlib import metadata

    try:
        return metadata.version("onnxscript")
    except metadata.PackageNotFoundError:
        pass
    try:
        import onnxscript
    except ImportError:
        return "missing"
    return str(onnxscript.__version__)


# Digests of folders without blob links (a local folder, a bundled model, the Hugging Face
# cache where Windows gives no symlinks), remembered by each file's size and modification time
# as git's index does, so that a load does not read the whole weights again.
DIGESTS_FILE = ".folder-digests.json"  # hidden: cache entries are the visible folders
FRESH_S = 2.0  # a file modified this recently may change again within the clock's tick


def model_digest(folder: Path) -> str:
    """SHA-256 over the model's config and weight files (names and contents). Runs at every
    model load, so a file of the Hugging Face cache is not read: it links to a blob named by
    its content's hash (SHA-256 for weights), and that name stands for the content. Other
    files (a local folder, a bundled model, a cache without links) are hashed once, and the
    digest is remembered for as long as their sizes and modification times stay the same."""
    files = sorted({p for pattern in _WEIGHT_PATTERNS for p in folder.glob(pattern)})
    stats = [p.stat() for p in files]
    stamps = [[p.name, st.st_size, st.st_mtime_ns] for p, st in zip(files, stats)]
    memo_file = cache_root() / DIGESTS_FILE
    memo = _read_json(memo_file)
    key = str(folder.resolve())
    known = memo.get(key)
    if isinstance(known, dict) and known.get("files") == stamps:
        return str(known["digest"])
    digest = _hash_files(files)
    newest = max((st.st_mtime_ns for st in stats), default=0) / 1e9
    if time.time() - newest > FRESH_S:
        memo[key] = {"files": stamps, "digest": digest}
        _write_json(memo_file, memo)
    return digest


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, object]) -> None:
    """Atomically; a failure only costs a later load the hashing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".digests.", suffix=".partial", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("the folder digests cannot be saved in %s: %s", path, exc)


def _hash_files(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        blob = path.resolve()
        if path.is_symlink() and blob.parent.name == "blobs":
            digest.update(b"blob:" + blob.name.encode())
            continue
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def cache_key(folder: Path) -> str:
    parts = {"model": model_digest(folder), **versions()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def bundled_cache() -> Path | None:
    """Exports shipped with a frozen app (``models/onnx`` beside the executable, made by
    installer/build.py for the bundled model), read-only; None when not frozen."""
    import sys

    if getattr(sys, "frozen", False):
        return Path(sys.executable).parent / "models" / "onnx"
    return None


def cached_export(folder: Path) -> Path | None:
    """The cache folder of this model's export, or None when it has not been exported yet."""
    key = cache_key(folder)
    for root in (cache_root(), bundled_cache()):
        if root is not None and (root / key / MODEL_FILE).is_file():
            return root / key
    return None


def export(
    model: PreTrainedModel,
    folder: Path,
    prepare: Callable[[np.ndarray], np.ndarray],
    progress: ExportProgress | None = None,
    threads: int | None = None,
    single_file_max_bytes: int = SINGLE_FILE_MAX_BYTES,
) -> Path:
    """Export ``model`` (a loaded float32 CTC model from ``folder``) into the cache, check it
    against PyTorch on speech that ``prepare`` prepares as the engine does, and return its cache
    folder. Weights over ``single_file_max_bytes`` go into a side file (see
    :data:`DATA_SUFFIX`). Raises :class:`ExportError`."""
    report = progress or (lambda stage, total, what: None)
    root = cache_root()
    entry = root / cache_key(folder)
    if (entry / MODEL_FILE).is_file():
        return entry
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(root)
        partial = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", suffix=".partial", dir=root))
    except OSError as exc:
        raise ExportError(f"the ONNX cache folder {root} cannot be written: {exc}") from None
    try:
        started = time.perf_counter()
        report(1, 3, "exporting the model to ONNX (once per model; a minute or more)")
        _torch_export(model, partial / MODEL_FILE, prepare, single_file_max_bytes)
        report(2, 3, "checking the exported model against PyTorch")
        agreement = check_against_torch(model, partial / MODEL_FILE, prepare, threads)
        info = {
            "source": str(folder),
            "frame_agreement": agreement,
            "files_mb": {p.name: round(p.stat().st_size / 1e6, 1) for p in partial.iterdir()},
            "export_s": round(time.perf_counter() - started, 1),
            **versions(),
        }
        (partial / INFO_FILE).write_text(json.dumps(info, indent=1))
        report(3, 3, "saving the exported model")
        _publish(partial, entry)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    log.info("exported %s to ONNX in %.0f s: %s", folder, time.perf_counter() - started, entry)
    return entry


# Windows: a virus scanner (or the search indexer) opens new files for a moment, and a rename
# of a folder holding one fails with "access is denied" meanwhile: try again after these pauses.
RENAME_WAITS_S = (0.1, 0.25, 0.5, 1.0, 2.0)


def rename_patiently(source: Path | str, target: Path | str, replace: bool = False) -> None:
    """``os.rename`` (``os.replace`` with ``replace``), tried again while Windows refuses it
    with PermissionError; other errors, and the last refusal, are raised."""
    move = os.replace if replace else os.rename
    waits = list(RENAME_WAITS_S)
    pause = threading.Event()
    while True:
        try:
            move(source, target)
            return
        except PermissionError:
            if not waits:
                raise
            pause.wait(waits.pop(0))


class QuantisationError(ExportError):
    """The int8 version could not be made; the float32 export it came from is still good."""


def _publish(partial: Path, entry: Path) -> None:
    """Rename the finished export into place; another process may have won the race."""
    try:
        rename_patiently(partial, entry)
    except OSError:
        if not (entry / MODEL_FILE).is_file():
            raise ExportError(f"the export could not be saved as {entry}") from None


def remove_stale_partials(root: Path, older_than_s: float = STALE_PARTIAL_S) -> list[Path]:
    """Delete partial exports (folders, and files of earlier versions) left in ``root`` by
    killed processes (by age: an export in progress elsewhere keeps touching its folder for a
    few minutes at most)."""
    removed = []
    now = time.time()
    for path in root.glob(".*.partial"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > older_than_s:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
    return removed


class _Labels:
    """The exported function: raw windows in, per frame (ids, probs, log_probs) out (see
    :data:`OUTPUTS`), as Recognizer needs them."""

    @staticmethod
    def wrap(model: PreTrainedModel) -> torch.nn.Module:
        import torch

        input_name = model.main_input_name  # "input_values" (waveform) or "input_features"

        class Labels(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(
                self, inputs: torch.Tensor
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
                logits = self.model(**{input_name: inputs}).logits.float()
                probs, ids = torch.softmax(logits, dim=-1).max(dim=-1)
                return ids, probs, torch.log_softmax(logits, dim=-1)

        return Labels().eval()


def side_file(graph: Path) -> Path:
    """Where a graph's weights are when they are not inside it (see :data:`DATA_SUFFIX`)."""
    return graph.with_name(graph.name + DATA_SUFFIX)


def weight_bytes(model: torch.nn.Module) -> int:
    """The size of a model's parameters and buffers, as stored."""
    tensors = [*model.parameters(), *model.buffers()]
    return sum(t.numel() * t.element_size() for t in tensors)


def _torch_export(
    model: PreTrainedModel,
    path: Path,
    prepare: Callable[[np.ndarray], np.ndarray],
    single_file_max_bytes: int = SINGLE_FILE_MAX_BYTES,
) -> None:
    import torch

    try:
        import onnxscript  # noqa: F401  (the exporter needs it; say so rather than fail deep inside)
    except ImportError:
        raise ExportError("the ONNX exporter needs the 'onnxscript' package") from None
    # Eager attention exports as plain matrix products and a softmax; the SDPA path exports with
    # mask handling (Where/IsNaN in every layer): about 8 % of a pass in ONNX Runtime's profile
    # (4 x 20 s). Both compute the same function: the export is checked against PyTorch
    # afterwards.
    model.set_attn_implementation("eager")
    # The model's input for 3 s of audio: the waveform, or mel features (batch, frames, bins).
    audio = np.random.default_rng(0).normal(0, 0.1, (2, 3 * 16000)).astype(np.float32)
    example = torch.from_numpy(prepare(audio))
    # time: the last axis of a waveform ((batch, samples) or (batch, 1, samples)), the second
    # of features (batch, frames, bins)
    axis = example.ndim - 1 if model.main_input_name == "input_values" else 1
    per_second = example.shape[axis] / 3
    external = weight_bytes(model) > single_file_max_bytes
    batch = torch.export.Dim("batch", min=1, max=1024)
    time = torch.export.Dim("time", min=max(2, int(per_second / 10)), max=int(per_second * 3600))
    try:
        # The exporter's internals warn about their own deprecations: nothing a user can act on.
        with torch.no_grad(), warnings.catch_warnings(), _quiet("torch.onnx"):
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(
                _Labels.wrap(model),
                (example,),
                str(path),
                input_names=[model.main_input_name],
                output_names=["ids", "probs"],
                dynamic_shapes={"inputs": {0: batch, axis: time}},
                opset_version=OPSET,
                dynamo=True,
                external_data=external,
                verbose=False,
            )
    except Exception as exc:  # the exporter raises many kinds; all mean "no ONNX graph"
        raise ExportError(f"torch.onnx.export failed: {type(exc).__name__}: {exc}") from None
    if not path.is_file() or (external and not side_file(path).is_file()):
        raise ExportError("torch.onnx.export wrote no model file")


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Hold these libraries' loggers at ERROR while an export runs: their warnings concern their
    own internals (torchvision operators it could not register), nothing a user can act on.
    Levels are restored afterwards; no handler is touched."""
    saved = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def check_speech() -> np.ndarray:
    """Windows to compare backends on: the bundled spoken sample, alone, quieter, and with noise
    (two equal-length rows: the batch axis is exercised too)."""
    with wave.open(str(_SAMPLE)) as f:
        audio = np.frombuffer(f.readframes(f.getnframes()), np.int16).astype(np.float32) / 32768
    noise = np.random.default_rng(0).normal(0, 0.02, audio.size).astype(np.float32)
    return np.stack([audio, 0.3 * audio + noise])


def check_against_torch(
    model: PreTrainedModel,
    path: Path,
    prepare: Callable[[np.ndarray], np.ndarray],
    threads: int | None,
) -> float:
    """Share of frames whose label the ONNX graph and PyTorch agree on, for :func:`check_speech`
    prepared as the engine prepares windows. Raises :class:`ExportError` below
    MIN_FRAME_AGREEMENT."""
    import torch

    windows = prepare(check_speech())
    with torch.inference_mode():
        logits = model(**{model.main_input_name: torch.from_numpy(windows)}).logits
        expected = logits.argmax(dim=-1).numpy()
    try:
        ids = OnnxRunner(path, threads)(windows, False)[0]
    except Exception as exc:  # onnxruntime's errors have no common base class
        raise ExportError(f"ONNX Runtime cannot run the export: {exc}") from None
    agreement = float(np.mean(ids == expected))
    if ids.shape != expected.shape or agreement < MIN_FRAME_AGREEMENT:
        raise ExportError(
            f"the export labels {agreement:.2%} of frames like PyTorch (needs "
            f"{MIN_FRAME_AGREEMENT:.1%})"
        )
    return agreement


def quantized(entry: Path) -> Path:
    """The int8 version of an export (ONNX Runtime's dynamic quantisation of its weights),
    made once beside it, atomically: in a hidden partial folder, then moved into place, its
    side file (when the export has one) before the graph, whose presence marks it complete."""
    target = entry / INT8_FILE
    if target.is_file():
        return target
    _onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = entry / MODEL_FILE
    external = side_file(source).is_file()
    try:
        remove_stale_partials(entry)
        work = Path(tempfile.mkdtemp(prefix=".int8.", suffix=".partial", dir=entry))
    except OSError as exc:
        raise QuantisationError(f"int8 quantisation failed: {exc}") from None
    try:
        # The linear layers' matrix products only (the layers PyTorch's dynamic quantisation
        # takes), one scale per output channel; the attention's products of two activations
        # stay float32.
        # The convolutions' weights are computed in the graph (weight norm), not stored.
        # On the demo model this keeps 95.8 % of words against 92.9 % for per-tensor scales on
        # every MatMul (bench/onnx_int8.py), at the same speed.
        quantize_dynamic(
            str(source),  # read where it is: onnx refuses a side file with a second link
            str(work / INT8_FILE),  # the side file's name comes from this one's
            op_types_to_quantize=["MatMul"],
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=activation_products(source),
            use_external_data_format=external,
        )
        if side_file(work / INT8_FILE).is_file():  # none where every tensor is small
            rename_patiently(side_file(work / INT8_FILE), side_file(target), replace=True)
        rename_patiently(work / INT8_FILE, target, replace=True)
    except Exception as exc:  # onnx and onnxruntime raise many kinds here
        raise QuantisationError(f"int8 quantisation failed: {exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def activation_products(path: Path) -> list[str]:
    """Names of the graph's MatMul nodes whose inputs are both computed (attention scores and
    their weighted sum), as opposed to a product with stored weights."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    constants = {i.name for i in graph.initializer}
    constants |= {o for n in graph.node if n.op_type == "Constant" for o in n.output}
    return [n.name for n in graph.node if n.op_type == "MatMul" and not set(n.input) & constants]


class OnnxRunner:
    """An ONNX Runtime session on the CPU: normalised windows in, (ids, probs, log-probs or
    None) out, as model.Forward."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        ort = _onnxruntime()

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Worker threads sleep between runs instead of spin-waiting for the next one: a live
        # stream runs a window every few hundred ms, and spinning would burn that idle time.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # No memory arena: the arena keeps the largest batch's buffers for the process's life
        # (peak RSS 3.75 GB against 2.1 GB after three 4 x 20 s passes of base-960h); without
        # it buffers are freed after each run, as PyTorch frees them, at no speed difference
        # that stood out of this machine's noise.
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3  # errors only: its warnings are about graph internals
        self.path = path
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's errors have no common base class
            raise ExportError(f"ONNX Runtime cannot load {path.name}: {exc}") from None
        # By position: the exporter names the first outputs as told and numbers the rest.
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.input = self.session.get_inputs()[0].name  # input_values or input_features
        if len(self.outputs) != len(OUTPUTS):
            raise ExportError(
                f"{path.name} has {len(self.outputs)} outputs, not {len(OUTPUTS)} "
                f"({', '.join(OUTPUTS)}): an export of an older format"
            )

    def __call__(
        self, batch: np.ndarray, log_probs: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        names = self.outputs if log_probs else self.outputs[:2]
        out = self.session.run(names, {self.input: np.ascontiguousarray(batch)})
        return out[0], out[1], out[2] if log_probs else None


def discard(entry: Path) -> None:
    """Remove a cache entry (a damaged one): rename it away first, so no reader sees it half gone."""
    doomed = entry.with_name(f".{entry.name}.{os.getpid()}.partial")
    with contextlib.suppress(OSError):
        os.rename(entry, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
