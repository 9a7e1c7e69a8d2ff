"""Model and decoding options shared by the sub-commands that load a model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.config import (
    CHINESE_SCRIPTS,
    DEFAULT_MODEL,
    DecodeOptions,
    LmOptions,
    ModelOptions,
    TranslationOptions,
    parse_script,
)
from engine.errors import LanguageModelError, TranslationError
from engine.punctuation import PunctuationOptions

if TYPE_CHECKING:
    from engine.translation import Translator


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


def add_power_saver_option(parser: argparse.ArgumentParser) -> None:
    """--power-saver, for the commands that load a model (transcribe, listen, serve)."""
    parser.add_argument(
        "--power-saver",
        action="store_true",
        help="use less CPU: bfloat16 where the CPU computes it natively, else int8 weights, and "
        "one thread on the CPU (unless --dtype or --threads say otherwise), and windows that "
        "decide twice the audio each (live finals up to a second later); live captions show "
        "partial text only once per window (slower to show)",
    )


def _script(value: str) -> str:
    """--chinese, read as every other entry reads a script (engine.config.parse_script)."""
    try:
        return parse_script(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_chinese_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chinese",
        type=_script,
        metavar="{" + ",".join([*CHINESE_SCRIPTS, "none"]) + "}",
        default=None,
        help="write Chinese in simplified or traditional characters (taiwan, hongkong: "
        "their standard forms), whatever the model writes",
    )


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
        power_saver=getattr(args, "power_saver", False),
    )


def add_decoding_options(parser: argparse.ArgumentParser) -> None:
    """Beam search with a language model and custom words (engine.lm)."""
    group = parser.add_argument_group("language model and custom words")
    group.add_argument(
        "--lm",
        default=None,
        metavar="PATH",
        help="word n-gram language model: an ARPA or KenLM binary file, a language_model/ "
        "folder, or 'demo' (the demo model's own). Default: the model's language_model/ if any",
    )
    group.add_argument(
        "--no-lm", action="store_true", help="greedy decoding even if the model ships an LM"
    )
    group.add_argument("--lm-alpha", type=float, default=None, help="LM weight")
    group.add_argument("--lm-beta", type=float, default=None, help="word insertion bonus")
    group.add_argument(
        "--beam-size",
        type=int,
        default=None,
        help=f"hypotheses the beam search keeps (default {LmOptions.beam_size})",
    )
    group.add_argument(
        "--hotwords",
        default=None,
        metavar="WORDS",
        help="custom words or phrases to favour, separated by commas, or a text file with one "
        "per line (with or without an LM)",
    )
    group.add_argument(
        "--hotword-boost",
        type=float,
        default=None,
        help=f"log-score a listed word gains (default {LmOptions.hotword_boost})",
    )


def read_text_file(path: Path) -> str:
    """A text file as Windows editors save it: UTF-8 with or without a byte-order mark
    (Notepad's "UTF-8 with BOM"), or UTF-16 with one (Notepad's "Unicode")."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def read_hotwords(value: str | None) -> tuple[str, ...]:
    """Custom words or phrases separated by commas, or a text file of them (one per line)."""
    from engine.lm_files import split_hotwords

    if not value:
        return ()
    path = Path(value).expanduser()
    try:
        is_file = path.is_file()
    except OSError:  # not a possible file name (too long, say): the words themselves
        is_file = False
    if is_file:
        try:
            return split_hotwords(read_text_file(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise LanguageModelError(f"custom words file {path} cannot be read: {exc}") from None
    return split_hotwords(value)


def decode_options(args: argparse.Namespace) -> DecodeOptions:
    """Decoding as the command line asks: Chinese script, language model and custom words."""
    if args.lm and args.no_lm:
        raise LanguageModelError("--lm and --no-lm contradict each other; give one of them")
    defaults = LmOptions()
    lm = LmOptions(
        lm=args.lm,
        use_model_lm=not args.no_lm,
        alpha=args.lm_alpha,
        beta=args.lm_beta,
        beam_size=args.beam_size or defaults.beam_size,
        hotwords=read_hotwords(args.hotwords),
        hotword_boost=defaults.hotword_boost if args.hotword_boost is None else args.hotword_boost,
    )
    if lm.beam_size < 1:
        raise LanguageModelError("--beam-size must be at least 1")
    return DecodeOptions(chinese=getattr(args, "chinese", None) or "", lm=lm)


def check_lm(decode: DecodeOptions, recognizer: object) -> None:
    """Load the LM before any audio (LanguageModelError for one that cannot be read) and say
    which one decodes."""
    from engine.lm_files import lm_for
    from engine.stitch import NO_WORDS

    vocab = getattr(recognizer, "vocab", None)
    if vocab is not None and vocab.delimiter_id is None:
        if decode.lm.lm or decode.lm.hotwords:
            print(f"note: {NO_WORDS}", file=sys.stderr)
        return
    lm = lm_for(decode.lm, recognizer)
    if lm is not None:
        print(f"language model: {lm.file.path}", file=sys.stderr)


def add_punctuation_options(parser: argparse.ArgumentParser) -> None:
    """Punctuation and true casing of the captions (engine.punctuation)."""
    group = parser.add_argument_group("punctuation")
    group.add_argument(
        "--no-punctuation",
        action="store_true",
        help="no punctuation or true casing (default: on where a model exists for the "
        "caption language)",
    )
    group.add_argument(
        "--punctuation-model",
        default=None,
        metavar="NAME",
        help="hub id or folder of a token-classification punctuation model, or 'demo' "
        "(default: the catalogue's model for the speech model's language)",
    )


def punctuation_options(args: argparse.Namespace) -> PunctuationOptions:
    """The punctuation options the command line asks for (``--no-punctuation``; ``--raw-case``
    keeps the model's own text, so it turns punctuation off too)."""
    off = getattr(args, "no_punctuation", False) or getattr(args, "raw_case", False)
    return PunctuationOptions(enabled=not off, model=getattr(args, "punctuation_model", None) or "")


def add_translation_options(parser: argparse.ArgumentParser) -> None:
    """Translation of the captions (engine.translation)."""
    group = parser.add_argument_group("translation")
    group.add_argument(
        "--translate-to",
        default=None,
        metavar="LANG",
        help="translate each sentence into this language (zh, en, de, ...) with a local OPUS-MT "
        "model, downloaded once; files get both texts, bilingual subtitles",
    )
    group.add_argument(
        "--translation-model",
        default=None,
        metavar="ID_OR_DIR",
        help="the MarianMT translation model: a Hugging Face id (Helsinki-NLP/opus-mt-en-zh) or "
        "a folder (default: the catalogue's model for the speech and target languages)",
    )


def translation_options(args: argparse.Namespace) -> TranslationOptions:
    """Translation as the command line asks (off without --translate-to); downloads follow the
    speech model's --offline and --hub-endpoint."""
    from engine.translation import check_language

    target = args.translate_to
    if target is None:
        if args.translation_model:
            raise TranslationError("--translation-model needs --translate-to LANG")
        return TranslationOptions()
    try:
        check_language(target)
    except TranslationError as exc:
        raise TranslationError(f"--translate-to: {exc}") from None
    return TranslationOptions(
        target=target,
        model=args.translation_model,
        local_files_only=args.offline,
        hub_endpoint=args.hub_endpoint,
    )


def load_translation(options: TranslationOptions, speech_model: str) -> Translator | None:
    """The translator (None when translation is off), announced on stderr."""
    if not options.enabled:
        return None
    from engine.translation import load_translator, speech_language

    from .download import ProgressLine

    line = ProgressLine(sys.stderr)
    try:
        translator = load_translator(options, speech_language(speech_model), line)
    finally:
        line.close()
    print(f"translation: {translator.description} into {options.target}", file=sys.stderr)
    return translator
