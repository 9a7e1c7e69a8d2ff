"""Model options shared by the sub-commands that load a model."""

from __future__ import annotations

import argparse

from engine.config import CHINESE_SCRIPTS, DEFAULT_MODEL, DecodeOptions, ModelOptions


def add_model_options(parser: argparse.ArgumentParser, device_flag: str = "--device") -> None:
    parser.add_argument(
        "--model",
        default=None,
        help=f"Hugging Face hub id or local folder of a Wav2Vec2ForCTC model, or 'demo' (default: {DEFAULT_MODEL})",
    )
    parser.add_argument(
        device_flag,
        dest="device",
        choices=["auto", "cpu", "cuda"],
        default="auto",
        help="where the model runs (default: CUDA when available)",
    )
    parser.add_argument(
        "--dtype",
        choices=["auto", "float32", "float16", "bfloat16", "int8"],
        default="auto",
        help="auto: float16 on CUDA, the measured fastest accurate type on CPU",
    )
    parser.add_argument(
        "--backend",
        choices=["auto", "onnx", "torch"],
        default="auto",
        help="auto: ONNX Runtime on the CPU (exported once per model, about twice as fast, same "
        "words), PyTorch on CUDA; torch: PyTorch everywhere",
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for the model")
    parser.add_argument("--offline", action="store_true", help="never contact the Hugging Face hub")
    parser.add_argument(
        "--hub-endpoint",
        default=None,
        metavar="URL",
        help="download models from this hub or mirror, e.g. https://hf-mirror.com "
        "(default: HF_ENDPOINT, else https://huggingface.co)",
    )


def add_chinese_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chinese",
        choices=list(CHINESE_SCRIPTS),
        default=None,
        help="write Chinese in simplified or traditional characters (taiwan, hongkong: "
        "their standard forms), whatever the model writes",
    )


def decode_options(args: argparse.Namespace) -> DecodeOptions:
    return DecodeOptions(chinese=args.chinese or "")


def model_options(args: argparse.Namespace) -> ModelOptions:
    return ModelOptions(
        name=args.model or DEFAULT_MODEL,
        device=args.device,
        dtype=args.dtype,
        backend=args.backend,
        threads=args.threads,
        local_files_only=args.offline,
        hub_endpoint=args.hub_endpoint,
        # Without an explicit --model, fall back to the demo model rather than fail outright.
        fallback_to_demo=args.model is None,
    )
