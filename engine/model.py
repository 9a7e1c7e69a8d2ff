"""Load any CTC checkpoint transformers loads (``AutoModelForCTC``: wav2vec2, HuBERT, WavLM,
Parakeet, OmniASR, ...; see ``engine.families``) by hub id or folder, on the device, dtype and
backend asked for, as a :class:`~engine.frames.Recognizer`.

Running a loaded model on windows is ``engine.frames``' job, finding its files
``engine.model_dir``'s; their names are re-exported here for the front ends.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import types
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import DEMO_MODEL, ModelOptions
from .errors import ModelLoadError
from .families import Checkpoint, geometry_of, read_checkpoint, read_config
from .frames import (
    DEMO_MODEL_DIR,
    MIN_RMS,
    Features,
    Forward,
    FrameModel,
    FrameOutput,
    Recognizer,
    conv_geometry,
    frames_for_samples,
    normalise,
    run_unpadded,
)
from .hub import DownloadProgress
from .model_dir import (
    SHIPPED_INFO,
    bundled_model_dir,
    hub_repo_id,
    resolve_model_dir,
    shipped_model,
    shipped_model_dir,
)
from .onnx_backend import ExportError, ExportProgress

if TYPE_CHECKING:  # torch and transformers are imported when a model is loaded
    import torch
    from transformers import PreTrainedModel

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
BACKENDS = ("auto", "onnx", "torch")
ONNX_DTYPES = ("float32", "int8")


def torch_forward(model: PreTrainedModel, device: str, dtype: str, input_name: str) -> Forward:
    """PyTorch's forward pass for a loaded CTC model, fed its ``input_name``."""
    import torch

    input_dtype = _torch_dtype(dtype)

    def forward(
        batch: np.ndarray, log_probs: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        inputs = torch.from_numpy(batch).to(device, input_dtype)
        with torch.inference_mode():
            logits = model(**{input_name: inputs}).logits.float()
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
            raise ModelLoadError(
                "int8 quantisation runs on the CPU only; use --device cpu", code="int8_needs_cpu"
            )
        if options.dtype not in ("float32", "float16", "bfloat16", "int8"):
            raise ModelLoadError(f"unknown dtype {options.dtype!r}")
        return options.dtype
    return "float16" if device == "cuda" else _cpu_default_dtype()


def power_saving(options: ModelOptions, device: str) -> ModelOptions:
    """The options power-saving mode runs with on ``device``: on the CPU, the cheaper of the
    reduced-precision dtypes (:func:`power_saver_dtype`) and one thread where the dtype and the
    threads are left to the engine (a live stream's CPU time: docs/performance.md); on CUDA,
    the options unchanged."""
    if not options.power_saver or device != "cpu":
        return options
    dtype = power_saver_dtype() if options.dtype == "auto" else options.dtype
    return dataclasses.replace(options, dtype=dtype, threads=options.threads or 1)


def power_saver_dtype() -> str:
    """bfloat16 (PyTorch) on a CPU that multiplies it natively (AVX512-BF16 or AMX), else int8
    (ONNX Runtime's int8 weights; VNNI where the CPU has it). On an AMD EPYC with both AVX512-BF16
    and VNNI, bfloat16 cost the same CPU time as int8 per live window and 16 % less per 20 s
    file window, and keeps more of float32's words on the demo model (97-99 % against 95-98 %):
    docs/performance.md. Without native support bfloat16 is emulated, slower than float32."""
    import torch

    try:
        native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    except AttributeError:  # a PyTorch without these probes
        native = False
    return "bfloat16" if native else "int8"


def _resolve_backend(requested: str, device: str, dtype: str) -> str:
    if requested not in BACKENDS:
        raise ModelLoadError(f"unknown backend {requested!r}; use {', '.join(BACKENDS)}")
    onnx_fits = device == "cpu" and dtype in ONNX_DTYPES
    if requested == "onnx" and not onnx_fits:
        raise ModelLoadError(
            f"the ONNX Runtime backend runs on the CPU in {' or '.join(ONNX_DTYPES)}, not "
            f"{dtype} on {device}; use the torch backend for that",
            code="onnx_needs_cpu",
            dtypes=" / ".join(ONNX_DTYPES),
            dtype=dtype,
            device=device,
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
            "PyTorch build). Use --device cpu or --device auto.",
            code="cuda_unavailable",
        )
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


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
    options = power_saving(options, device)
    dtype = _resolve_dtype(options, device)
    backend = _resolve_backend(options.backend, device, dtype)
    if options.threads:
        torch.set_num_threads(options.threads)
    folder = resolve_model_dir(options, progress, cancel)
    checkpoint = read_checkpoint(folder, options.name)
    geometry = _geometry(folder, options.name, checkpoint.features)
    notes: list[str] = []
    forward: Forward | None = None
    if backend == "onnx":
        try:
            forward = _onnx_forward(folder, options, dtype, checkpoint, export_progress)
        except ExportError as exc:
            note = f"ONNX Runtime cannot be used ({exc}); running PyTorch instead (slower)"
            log.warning("%s: %s", options.name, note)
            notes.append(note)
            backend = "torch"
    if forward is None:
        model = _torch_model(folder, options.name, dtype, device)
        forward = torch_forward(model, device, dtype, checkpoint.features.input_name)
    name = str(folder) if options.name == DEMO_MODEL else options.name
    recognizer = Recognizer(
        forward,
        checkpoint.vocab,
        name=name,
        device=device,
        dtype=dtype,
        backend=backend,
        geometry=geometry,
        features=checkpoint.features,
        family=checkpoint.family,
        notes=tuple(notes),
        folder=folder,
    )
    if options.warmup:
        recognizer.warm_up()
    log.info("loaded %s", recognizer.describe())
    return recognizer


def _geometry(folder: Path, name: str, features: Features) -> tuple[int, int]:
    """The model's frame geometry, from a skeleton of it on the meta device (no weights)."""
    import torch
    from transformers import AutoModelForCTC

    config = read_config(folder, name)
    try:
        with torch.device("meta"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            skeleton = AutoModelForCTC.from_config(config)
    except (OSError, ValueError, TypeError) as exc:
        raise ModelLoadError(
            f"{name}: the model cannot be built: {exc}",
            code="model_build_failed",
            repo=name,
            reason=exc,
        ) from None
    return geometry_of(skeleton, features)


def _torch_model(folder: Path, name: str, dtype: str, device: str) -> PreTrainedModel:
    import torch
    from safetensors import SafetensorError
    from transformers import AutoModelForCTC

    try:
        model = AutoModelForCTC.from_pretrained(
            str(folder), dtype=_torch_dtype(dtype), attn_implementation="sdpa"
        )
    except (ValueError, TypeError):  # an architecture without SDPA attention
        try:
            model = AutoModelForCTC.from_pretrained(str(folder), dtype=_torch_dtype(dtype))
        except (OSError, ValueError, TypeError, SafetensorError) as exc:
            raise _weights_error(name, exc) from None
    except (OSError, SafetensorError) as exc:
        raise _weights_error(name, exc) from None
    model.eval().to(device)
    if dtype in ("bfloat16", "float16") and device == "cpu":
        _float32_where_wrong(model)
    if dtype == "int8":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
    return model


# A convolution in reduced precision is trusted when its output is this close to float32's
# (relative L2 error; rounding to bfloat16 gives about 0.003).
CONV_TOLERANCE = 0.05


def _float32_where_wrong(model: torch.nn.Module) -> list[str]:
    """Convolutions that the CPU gets wrong in the model's reduced precision run in float32.

    oneDNN's bfloat16 kernels for some grouped 1-D convolutions give garbage on CPUs with AMX
    (PyTorch 2.13: 192 channels in 16 groups, the demo model's positional convolution, has a
    relative error of 1.17; base-960h's 768 in 16 is right). Each convolution is tried once on
    random input against float32; those that miss keep float32 weights and cast around their
    call. Returns their names (logged)."""
    import torch

    wrong = []
    generator = torch.Generator().manual_seed(0)
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Conv1d):
            continue
        dtype = next(module.parameters()).dtype
        if dtype == torch.float32:
            continue
        length = max(64, 2 * module.kernel_size[0])
        x = torch.randn(1, module.in_channels, length, generator=generator)
        with torch.no_grad():
            got = module(x.to(dtype)).float()
            module.float()
            want = module(x)
        error = float((got - want).norm() / (want.norm() + 1e-12))
        if error <= CONV_TOLERANCE:
            module.to(dtype)
            continue
        wrong.append(name)
        module.register_forward_pre_hook(lambda _, args: tuple(a.float() for a in args))
        module.register_forward_hook(lambda _, __, out, dtype=dtype: out.to(dtype))
    if wrong:
        log.info("float32 for %s: this CPU's reduced-precision kernel is wrong", ", ".join(wrong))
    return wrong


def _weights_error(name: str, exc: BaseException) -> ModelLoadError:
    return ModelLoadError(
        f"{name}: the model weights cannot be loaded: {exc}",
        code="weights_unreadable",
        repo=name,
        reason=exc,
    )


def _onnx_forward(
    folder: Path,
    options: ModelOptions,
    dtype: str,
    checkpoint: Checkpoint,
    progress: ExportProgress | None,
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
        features = checkpoint.features
        entry = ob.export(model, folder, _prepare(features), progress, options.threads)
        del model
        return _onnx_runner(ob, entry, dtype, options.threads)
    except ImportError as exc:
        raise ExportError(f"the package {exc.name!r} is not installed") from None
    except ModelLoadError as exc:
        raise ExportError(str(exc)) from None


def _prepare(features: Features) -> Any:
    """How Recognizer prepares whole windows for this model (the export is checked on the same)."""
    return lambda windows: features(windows, None)


def _onnx_runner(ob: types.ModuleType, entry: Path, dtype: str, threads: int | None) -> Forward:
    path = ob.quantized(entry) if dtype == "int8" else entry / ob.MODEL_FILE
    return ob.OnnxRunner(path, threads)


__all__ = [
    "BACKENDS",
    "DEFAULT_CPU_BACKEND",
    "DEFAULT_CPU_DTYPE",
    "DEMO_MODEL",
    "DEMO_MODEL_DIR",
    "MIN_RMS",
    "SHIPPED_INFO",
    "FrameModel",
    "FrameOutput",
    "ModelOptions",
    "Recognizer",
    "bundled_model_dir",
    "conv_geometry",
    "frames_for_samples",
    "hub_repo_id",
    "load_recognizer",
    "normalise",
    "power_saver_dtype",
    "power_saving",
    "resolve_model_dir",
    "run_unpadded",
    "shipped_model",
    "shipped_model_dir",
]
