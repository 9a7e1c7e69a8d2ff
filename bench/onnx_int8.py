"""ONNX Runtime int8 on the CPU: dynamic and static quantisation against PyTorch float32.

The demo model's ONNX export (the engine's own, from the cache) is quantised four ways with
ONNX Runtime's quantisation tools, and each is run through the engine's file transcription on
the same speech as PyTorch float32:
- ``dynamic``: the weights of every MatMul in int8, one scale per tensor, activations quantised
  per run (what ``--dtype int8`` did before);
- ``dynamic_per_channel``: the same with one scale per output channel, the attention's
  activation-by-activation products left in float32 (what ``--dtype int8`` does);
- ``static_matmul``: QDQ format, per channel, activation ranges calibrated on speech (flite slt
  sentences that are not in the test speech), MatMul only;
- ``static_matmul_conv``: the same, the convolutional feature encoder quantised too.
Words are compared by sequence alignment with PyTorch float32's; speed is audio seconds per
compute second, best of three int8 runs each next to a PyTorch run (the machine's load
hits both).

    python -m bench.onnx_int8 [--seconds 60] [--threads 2]

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.backend_agreement import word_agreement
from bench.common import SAMPLE_RATE, speech
from engine import (
    ModelOptions,
    Recognizer,
    TranscribeOptions,
    load_recognizer,
    onnx_backend,
    transcribe_array,
)
from engine.model import MIN_RMS, normalise, resolve_model_dir

CALIBRATION = (  # not among bench.common's sentences
    "Please send the report to the office before noon on Friday.",
    "The weather today is cloudy with a chance of rain in the evening.",
    "Our meeting moved to the small room on the third floor.",
    "She bought three apples, a loaf of bread and some cheese.",
)


def calibration_windows(folder: Path) -> list[np.ndarray]:
    """3.5 s windows of flite slt speech, normalised as the engine normalises them."""
    from devkit.speech import read_wav

    size = int(3.5 * SAMPLE_RATE)
    windows = []
    for i, text in enumerate(CALIBRATION):
        raw, wav = folder / f"cal{i}.raw.wav", folder / f"cal{i}.wav"
        subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(raw)], check=True)
        subprocess.run(
            ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True
        )
        audio = read_wav(wav)
        audio = np.pad(audio, (0, max(0, size - audio.size)))[:size]
        windows.append(normalise(audio[None, :], MIN_RMS))
    return windows


def quantise(source: Path, folder: Path) -> dict[str, Path]:
    """The four int8 variants of the export at ``source``, written into ``folder``."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    activation_products = onnx_backend.activation_products(source)
    windows = calibration_windows(folder)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.rows = iter(windows)

        def get_next(self) -> dict[str, np.ndarray] | None:
            row = next(self.rows, None)
            return None if row is None else {"input_values": row}

    paths = {name: folder / f"{name}.onnx" for name in VARIANTS}
    quantize_dynamic(source, paths["dynamic"], op_types_to_quantize=["MatMul"])
    quantize_dynamic(
        source,
        paths["dynamic_per_channel"],
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        nodes_to_exclude=activation_products,
    )
    for name, ops in (("static_matmul", ["MatMul"]), ("static_matmul_conv", ["MatMul", "Conv"])):
        quantize_static(
            source,
            paths[name],
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
            op_types_to_quantize=ops,
            nodes_to_exclude=activation_products,
        )
    return paths


VARIANTS = ("dynamic", "dynamic_per_channel", "static_matmul", "static_matmul_conv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="speech length (default 60)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    def load(backend: str, dtype: str) -> Recognizer:
        options = ModelOptions(
            name="demo", device="cpu", dtype=dtype, backend=backend, threads=args.threads
        )
        return load_recognizer(options)

    reference = load("torch", "float32")
    load("onnx", "float32")  # exports the demo model into the cache when it is not there yet
    entry = onnx_backend.cached_export(resolve_model_dir(ModelOptions(name="demo")))
    assert entry is not None
    options = TranscribeOptions()

    def run(model: Recognizer) -> tuple[list[str], float]:
        start = time.perf_counter()
        words = transcribe_array(model, audio, options).text(cased=False).split()
        return words, time.perf_counter() - start

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-int8-") as tmp:
        audio = speech(args.seconds, Path(tmp))
        paths = quantise(entry / onnx_backend.MODEL_FILE, Path(tmp))
        expected, _ = run(reference)
        for name, path in paths.items():
            # The engine's int8 path loads the quantised file beside the export; point it here.
            onnx_backend.quantized = lambda entry, path=path: path  # type: ignore[misc]  # bench only
            model = load("onnx", "int8")
            run(model)  # warm-up
            seconds, torch_seconds = [], []
            for _ in range(3):  # interleaved: the machine's load hits both alike
                words, elapsed = run(model)
                seconds.append(elapsed)
                torch_seconds.append(run(reference)[1])
            results[name] = {
                "word_agreement": round(word_agreement(expected, words), 4),
                "speed_vs_torch_fp32": round(min(torch_seconds) / min(seconds), 2),
            }
            print(f"{name}: {results[name]}", flush=True)
    print(
        json.dumps(
            {
                "bench": "onnx_int8",
                "model": "demo",
                "seconds": args.seconds,
                "words": len(expected),
                "threads": args.threads,
                "load_avg_1min": round(os.getloadavg()[0], 2),
                "variants": results,
            }
        )
    )


if __name__ == "__main__":
    main()
