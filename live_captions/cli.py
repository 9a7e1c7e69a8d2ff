"""The ``live-captions`` command line."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__
from engine.config import DEFAULT_FILE_PROFILE, PROFILES, ModelOptions, TranscribeOptions
from engine.errors import (
    LanguageModelError,
    LiveCaptionsError,
    ModelLoadError,
    TranslationError,
)
from engine.formats import FORMATS, render
from engine.punctuation import Punctuation

from .console import use_utf8_output
from .listen import add_listen_command
from .models import add_models_command
from .options import (
    add_chinese_option,
    add_decoding_options,
    add_model_options,
    add_power_saver_option,
    add_punctuation_options,
    add_translation_options,
    check_lm,
    decode_options,
    load_translation,
    model_options,
    punctuation_options,
    translation_options,
)
from .serve import add_serve_command

if TYPE_CHECKING:
    from engine.scheduler import Scheduler
    from engine.translation import Translator


# What to do next, by the kind of error (the most specific kind that has a hint).
HINTS: dict[type[LiveCaptionsError], str] = {
    ModelLoadError: "Choose the model with --model (a Hugging Face id, a folder, or 'demo').",
    LanguageModelError: (
        "Choose the language model with --lm (an ARPA file, a KenLM binary, a language_model "
        "folder, or 'demo'), or turn it off with --no-lm; custom words go in --hotwords."
    ),
    TranslationError: (
        "Choose the translation model with --translation-model (a Hugging Face id such as "
        "Helsinki-NLP/opus-mt-en-zh, or a folder of a MarianMT model), or leave out "
        "--translate-to."
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="live-captions",
        description="Live captions and transcription with wav2vec2. Without a sub-command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"live-captions {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="transcribe the bundled sample with the bundled model, print the text, exit 0 if it is right",
    )
    sub = parser.add_subparsers(dest="command")

    tr = sub.add_parser("transcribe", help="transcribe audio or video files")
    tr.add_argument("files", nargs="+", type=Path, metavar="FILE")
    tr.add_argument("-o", "--output", type=Path, help="output file (one input) or folder (several)")
    tr.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default=None,
        help="default: from -o's extension, else txt",
    )
    tr.add_argument(
        "--profile", choices=list(PROFILES), default=DEFAULT_FILE_PROFILE, help="window grid"
    )
    tr.add_argument("--raw-case", action="store_true", help="keep the model's upper-case text")
    tr.add_argument("--no-progress", action="store_true")
    add_chinese_option(tr)
    add_model_options(tr)
    add_power_saver_option(tr)
    add_decoding_options(tr)
    add_punctuation_options(tr)
    add_translation_options(tr)
    tr.set_defaults(handler=cmd_transcribe)

    add_listen_command(sub, add_model_options)
    add_serve_command(sub, add_model_options)
    add_models_command(sub)
    return parser


def _output_path(args: argparse.Namespace, source: Path, fmt: str, used: set[Path]) -> Path | None:
    if args.output is None:
        return None
    if len(args.files) == 1 and not args.output.is_dir():
        args.output.parent.mkdir(parents=True, exist_ok=True)
        return args.output
    args.output.mkdir(parents=True, exist_ok=True)
    target = args.output / f"{source.stem}.{fmt}"
    n = 2
    while target in used:  # inputs with the same name from different folders
        target = args.output / f"{source.stem}-{n}.{fmt}"
        n += 1
    used.add(target)
    return target


def cmd_transcribe(args: argparse.Namespace) -> int:
    from engine.scheduler import Scheduler

    from .download import load_model, load_punctuation

    fmt = args.format
    if fmt is None:
        suffix = (
            args.output.suffix.lstrip(".").lower() if args.output and len(args.files) == 1 else ""
        )
        fmt = suffix if suffix in FORMATS else "txt"
    decode = decode_options(args)
    translate = translation_options(args)
    options = model_options(args)
    # The translation model first: one that cannot be had fails before the speech model loads.
    translator = load_translation(translate, options.name)
    recognizer = load_model(options)
    if recognizer.is_demo:
        print(
            "note: using the demo model, which understands synthetic voices only", file=sys.stderr
        )
    check_lm(decode, recognizer)
    transcribe = TranscribeOptions(
        profile=args.profile, power_saver=args.power_saver, decode=decode
    )
    punctuation = load_punctuation(
        punctuation_options(args), model_options(args), recognizer, decode.lm.hotwords
    )
    with Scheduler(recognizer) as scheduler:  # every forward pass goes through it
        return _transcribe_files(args, scheduler, fmt, transcribe, translator, punctuation)


def _transcribe_files(
    args: argparse.Namespace,
    scheduler: Scheduler,
    fmt: str,
    options: TranscribeOptions,
    translator: Translator | None = None,
    punctuation: Punctuation | None = None,
) -> int:
    from tqdm import tqdm

    from engine.transcribe import TranscriptionCancelled, transcribe_file
    from engine.translation import translate_transcript

    failures = 0
    interrupted = False
    used: set[Path] = set()
    for source in args.files:
        bar = tqdm(
            total=0,
            unit="s",
            desc=source.name,
            disable=args.no_progress,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s",
        )

        def progress(done: float, total: float, bar: tqdm = bar) -> None:
            bar.total = max(total, done)
            bar.n = done
            bar.refresh()

        cancel = threading.Event()
        try:
            with _ctrl_c_cancels(cancel):
                transcript = transcribe_file(
                    scheduler, source, options, progress=progress, cancel=cancel
                )
        except TranscriptionCancelled as stop:  # Ctrl-C: the part done is written
            transcript, interrupted = stop.partial, True
        except LiveCaptionsError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        finally:
            bar.close()
        for note in transcript.notes:
            print(f"{source.name}: note: {note}", file=sys.stderr)
        if punctuation is not None:  # first: translation reads its sentences
            transcript = punctuation.transcript(transcript, options.segments)
        if translator is not None:
            transcript = translate_transcript(
                transcript, translator, args.translate_to, cased=not args.raw_case
            )
        text = render(transcript, fmt, cased=not args.raw_case)
        try:
            target = _output_path(args, source, fmt, used)
            if target is None:
                sys.stdout.write(text)
            else:
                target.write_text(text, encoding="utf-8")
                print(f"{source.name} -> {target}", file=sys.stderr)
        except OSError as exc:
            failures += 1
            print(f"error: {source.name}: cannot write the transcript: {exc}", file=sys.stderr)
        if interrupted:
            print(
                "interrupted: the part done is kept, the other files are skipped", file=sys.stderr
            )
            return 130
    return 1 if failures else 0


@contextlib.contextmanager
def _ctrl_c_cancels(cancel: threading.Event) -> Iterator[None]:
    """While a file is transcribed, a first Ctrl-C sets ``cancel`` (the part done is kept), a
    second one interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def cmd_self_test(args: argparse.Namespace) -> int:
    """Check an installation end to end: model, decoding, windows, CTC; then the parts a frozen
    build can lose (self_test.py)."""
    import engine
    from engine.model import bundled_model_dir
    from engine.scheduler import Scheduler
    from engine.transcribe import transcribe_file

    from .download import load_model

    sample = Path(engine.__file__).parent / "samples" / "sample.wav"
    expected = sample.with_suffix(".txt").read_text(encoding="utf-8").strip()
    recognizer = load_model(ModelOptions(name=str(bundled_model_dir())))
    with Scheduler(recognizer) as scheduler:
        text = transcribe_file(scheduler, sample).text(cased=False).lower()
    cer = _edit_distance(text, expected) / len(expected)
    print(f"model: {recognizer.describe()}")
    print(f"expected: {expected}")
    print(f"heard:    {text}")
    print(f"character error rate: {cer:.2f}")
    from .self_test import run_checks

    parts_work = run_checks()
    return 0 if cer <= 0.5 and parts_work else 1


def cmd_gui(args: argparse.Namespace) -> int:
    from .gui import main as gui_main

    return gui_main(args)


def main(argv: list[str] | None = None) -> int:
    use_utf8_output()  # redirected output in UTF-8 whatever the code page
    from engine.hub import use_system_certificates

    use_system_certificates()  # downloads trust what the system trusts (company TLS inspection)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    handler = getattr(args, "handler", cmd_self_test if args.self_test else cmd_gui)
    try:
        return handler(args)
    except LiveCaptionsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        hint = next((HINTS[kind] for kind in type(exc).__mro__ if kind in HINTS), None)
        if hint:
            print(hint, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
