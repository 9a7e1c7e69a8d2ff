"""Entry point of the frozen app, for both executables: ``LiveCaptions`` (windowed on Windows,
opens the desktop app) and ``live-captions`` (console: the command line and ``--self-test``).

Before handing over to ``live_captions.cli.main`` it gives a windowed executable somewhere to write, and
in the CUDA flavour checks that CUDA starts, so that a failure is a note and a CPU run, not a crash.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TextIO

CONSOLE_LOG = "console.log"
CONSOLE_LOG_MAX_BYTES = 1_000_000
# Arguments that never load a model, so need no CUDA check.
NO_MODEL_ARGS = frozenset({"--version", "-h", "--help"})
EXIT_CUDA_LOAD = 3
PAGE_FILE_TOO_SMALL = 1455  # ERROR_COMMITMENT_LIMIT: loading CUDA's DLLs needs a larger page file
PAGE_FILE_MESSAGE = (
    "Live Captions (CUDA version) cannot start: Windows' page file is too small to load "
    "PyTorch's CUDA libraries ({error}).\n\n"
    "Install the CPU version of Live Captions instead (LiveCaptionsSetup-<version>.exe, without "
    "'-cuda'): it needs no GPU and much less memory. Or let Windows manage the page file: "
    "Settings > System > About > Advanced system settings > Performance > Settings > Advanced "
    "> Virtual memory > 'Automatically manage paging file size', then restart Windows."
)

# Settings of the frozen app's own process. transformers' "hub kernels" (the `kernels` package)
# are left out of the bundle (freeze_rules.EXCLUDED_MODULES), but transformers >= 5.25 turns them
# on by default and then stops every model load ("Kernels are not available"): turned off.
FROZEN_ENVIRONMENT = {"USE_HUB_KERNELS": "NO"}


class CudaLoadError(Exception):
    """The CUDA flavour's torch cannot be imported; the message says what to do."""


def import_cuda_torch() -> ModuleType:
    """``import torch`` in the CUDA flavour, where Windows may refuse to map its multi-GB DLLs
    ("[WinError 1455] The paging file is too small for this operation to complete")."""
    try:
        import torch
    except OSError as exc:
        if getattr(exc, "winerror", None) == PAGE_FILE_TOO_SMALL or "[WinError 1455]" in str(exc):
            raise CudaLoadError(PAGE_FILE_MESSAGE.format(error=_first_line(exc))) from exc
        raise
    return torch


_windowed = False  # set by give_windowed_app_streams: this process started without a console


def show_fatal(message: str) -> None:
    """On stderr, and in a message box from the windowed app on Windows, which has no console.
    The console executable never shows one: nobody may be there to click it (CI, scripts)."""
    print(f"error: {message}", file=sys.stderr)
    if sys.platform == "win32" and _windowed:
        import ctypes

        MB_ICONERROR = 0x10
        user32 = ctypes.windll.user32  # type: ignore[attr-defined,unused-ignore]  # Windows only
        user32.MessageBoxW(None, message, "Live Captions", MB_ICONERROR)


def _console_log() -> TextIO:
    """The file where a windowed app's print() and tracebacks go, next to the desktop log."""
    from platformdirs import user_log_dir

    return _open_console_log(Path(user_log_dir("live-captions", appauthor=False)) / CONSOLE_LOG)


def _open_console_log(path: Path) -> TextIO:
    """Appended to; once too big, the old text moves to console.log.1 (never truncated: a
    second start, which hands over to the running app and exits, must not wipe what the
    running one writes; on Windows the move fails while that one has it open, and the file is
    appended to a while longer)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > CONSOLE_LOG_MAX_BYTES:
            with contextlib.suppress(OSError):
                os.replace(path, path.with_name(path.name + ".1"))
        return open(path, "a", encoding="utf-8", buffering=1)
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")


def give_windowed_app_streams() -> None:
    """A windowed Windows executable has no console: sys.stdout and sys.stderr are None, and
    whatever writes to them (a note on stderr, a progress bar, a traceback) would fail."""
    global _windowed
    if sys.stdout is None or sys.stderr is None:
        _windowed = True
        stream = _console_log()
        sys.stdout = sys.stdout or stream
        sys.stderr = sys.stderr or stream


def ships_cuda(bundle: Path) -> bool:
    """Whether this is the CUDA flavour: torch's CUDA library is in the bundle."""
    return any((bundle / "torch" / "lib").glob("*torch_cuda*"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def cuda_note(torch: ModuleType) -> str | None:
    """None when CUDA works; otherwise why not, for the user. When CUDA is present but cannot run
    (e.g. a GPU too old for this build), ``torch.cuda.is_available()`` is made to answer False
    so that device "auto" picks the CPU."""
    if not torch.cuda.is_available():
        try:
            torch.cuda.init()
            reason = "no CUDA device"
        except (RuntimeError, AssertionError) as exc:
            reason = _first_line(exc)
        return f"CUDA is not available ({reason}); running on the CPU"
    try:
        torch.ones(1, device="cuda").add_(1).item()
    except RuntimeError as exc:
        torch.cuda.is_available = lambda: False
        return f"CUDA cannot start on this GPU ({_first_line(exc)}); running on the CPU"
    return None


WINDOW_ARGS = frozenset({"-v", "--verbose"})  # the only arguments of a start that opens the app


def opens_the_window(argv: list[str]) -> bool:
    """No command: the desktop app starts."""
    return all(arg in WINDOW_ARGS for arg in argv)


def check_cuda_or_exit() -> None:
    """Import CUDA's torch and check that CUDA runs (a note when it cannot: the CPU is used);
    SystemExit(EXIT_CUDA_LOAD) after telling the user when torch cannot be loaded at all."""
    try:
        torch = import_cuda_torch()
    except CudaLoadError as exc:
        show_fatal(str(exc))
        raise SystemExit(EXIT_CUDA_LOAD) from None
    note = cuda_note(torch)
    if note:
        print(f"note: {note}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.update(FROZEN_ENVIRONMENT)
    give_windowed_app_streams()
    from live_captions.console import use_utf8_output

    use_utf8_output()  # the notes below and the CLI's output, in UTF-8 whatever the code page
    bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).parent))
    if ships_cuda(bundle) and not NO_MODEL_ARGS.intersection(argv):
        if opens_the_window(argv):
            # After the single-instance check (a second start hands over at once) and behind a
            # splash screen: importing CUDA's torch takes many seconds.
            from live_captions import gui

            gui.BEFORE_WINDOW.append(check_cuda_or_exit)
        else:
            try:
                check_cuda_or_exit()
            except SystemExit as exc:
                return int(exc.code or 0)

    from live_captions.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
