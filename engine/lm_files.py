"""Language-model files and custom words: where an LM comes from (a file, a folder in
``Wav2Vec2ProcessorWithLM``'s ``language_model/`` layout, a model's own folder, the demo's),
loading it once per process with KenLM, and lists of custom words from users and requests.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import LmOptions
from .errors import LanguageModelError

log = logging.getLogger("engine.lm")

LM_FOLDER = "language_model"  # Wav2Vec2ProcessorWithLM's layout inside a model folder
DEMO_LM = "demo"  # --lm demo: the demo model's own LM (tools/demo_model/ngram.py)
DEMO_LM_DIR = Path(__file__).parent / "models" / "demo_lm"
LM_SUFFIXES = (".arpa", ".bin", ".binary")  # ARPA text, KenLM binary


@dataclass(frozen=True)
class LanguageModelFile:
    path: Path  # the ARPA or binary file
    unigrams: frozenset[str]  # the words it knows (upper case, as the model spells)
    alpha: float | None  # from attrs.json when the folder has one
    beta: float | None
    unk_score: float | None


def find_lm(path: str | Path) -> LanguageModelFile:
    """The LM in ``path``: a file (.arpa or KenLM binary with unigrams.txt beside it) or a
    ``language_model/`` folder (attrs.json, unigrams.txt, one .arpa or .bin file)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LanguageModelError(f"language model {path} does not exist")
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in LM_SUFFIXES)
        if not files:
            raise LanguageModelError(f"language model folder {path} has no .arpa or .bin file")
        path = files[0]
    attrs: dict[str, float] = {}
    attrs_file = folder / "attrs.json"
    if attrs_file.is_file():
        try:
            attrs = json.loads(attrs_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LanguageModelError(f"{attrs_file} cannot be read: {exc}") from None
    unigrams = _read_unigrams(path, folder)
    return LanguageModelFile(
        path=path,
        unigrams=unigrams,
        alpha=_number(attrs.get("alpha")),
        beta=_number(attrs.get("beta")),
        unk_score=_number(attrs.get("unk_score_offset")),
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _read_unigrams(path: Path, folder: Path) -> frozenset[str]:
    listed = folder / "unigrams.txt"
    if listed.is_file():
        return frozenset(listed.read_text(encoding="utf-8").split())
    try:
        with open(path, encoding="utf-8") as lines:
            words: set[str] = set()
            section = ""
            for line in lines:
                line = line.strip()
                if line.startswith("\\"):
                    section = line
                    if section == "\\2-grams:":
                        break
                elif section == "\\1-grams:" and line:
                    parts = line.split()
                    if len(parts) >= 2:
                        words.add(parts[1])
    except UnicodeDecodeError:
        raise LanguageModelError(
            f"{path} is a binary language model: put a unigrams.txt (its words, one per line) "
            "beside it"
        ) from None
    except OSError as exc:
        raise LanguageModelError(f"language model {path} cannot be read: {exc}") from None
    return frozenset(w for w in words if not w.startswith("<"))


MAX_HOTWORDS = 200  # custom words a request may list
MAX_HOTWORD_CHARS = 64


def split_hotwords(text: str) -> tuple[str, ...]:
    """Custom words or phrases separated by commas or line breaks, each once, in order: the one
    reading of a list of custom words, wherever it comes from (the command line's
    ``--hotwords`` and its file, the app's setting, an upload's form field, a WebSocket query
    or config message). "Kubernetes\nTamsinet" is two words everywhere."""
    return tuple(dict.fromkeys(_hotword_items(text)))


def _hotword_items(text: str) -> list[str]:
    """Every item of a list of custom words, spaces tidied, repeats kept."""
    words = (" ".join(item.split()) for line in text.splitlines() for item in line.split(","))
    return [w for w in words if w]


def parse_hotwords(value: object) -> tuple[str, ...]:
    """Custom words of a request: a string as :func:`split_hotwords` reads it, or a list of
    such strings; at most ``MAX_HOTWORDS`` of at most ``MAX_HOTWORD_CHARS`` characters.
    ValueError (with a message for the client) for anything else."""
    if value is None:
        return ()
    if isinstance(value, str):
        texts: list[object] = [value]
    elif isinstance(value, list):
        texts = list(value)
    else:
        raise ValueError("hotwords must be a string of comma-separated words or a list of them")
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("hotwords must be strings")
    text = "\n".join(str(text) for text in texts)
    items = _hotword_items(text)
    if any(len(word) > MAX_HOTWORD_CHARS for word in items):
        raise ValueError(f"a hotword may have at most {MAX_HOTWORD_CHARS} characters")
    if len(items) > MAX_HOTWORDS:  # as listed: a request of 500 repeats is refused too
        raise ValueError(f"at most {MAX_HOTWORDS} hotwords")
    return split_hotwords(text)


def hub_lm(model_folder: str | Path | None) -> Path | None:
    """A model folder's ``language_model/`` (Wav2Vec2ProcessorWithLM layout), if it has one
    with an LM file in it (a folder without one is noted in the log and not used)."""
    if model_folder is None:
        return None
    folder = Path(model_folder) / LM_FOLDER
    if not folder.is_dir():
        return None
    if not any(p.suffix in LM_SUFFIXES for p in folder.iterdir()):
        log.warning("%s has no .arpa or .bin file; decoding without its language model", folder)
        return None
    return folder


# KenLM's progress while it reads an ARPA file (to the debug log; anything else stays on stderr)
_KENLM_PROGRESS = re.compile(
    r"^(Loading the LM will be faster if you build a binary file\.|Reading .*|"
    r"-+5-+10-.*|\*+)\s*$"
)


@contextlib.contextmanager
def _kenlm_progress_to_log() -> Iterator[None]:
    """KenLM writes its load progress to the process's stderr (C++ ``std::cerr``), and
    flashlight-text's ``KenLM`` takes no KenLM ``Config`` that could silence it. While an LM
    loads, file descriptor 2 goes to a temporary file; then KenLM's progress lines go to the
    debug log and everything else written meanwhile (its warnings, other threads' output) is
    written back to stderr, late but whole. Where descriptor 2 cannot be duplicated (a
    windowed app without a console), nothing is redirected."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", "replace")
            others = []
            for line in text.splitlines(keepends=True):
                if _KENLM_PROGRESS.match(line):
                    log.debug("KenLM: %s", line.rstrip())
                else:
                    others.append(line)
            if others:
                os.write(2, "".join(others).encode("utf-8", "replace"))


def kenlm_path(path: Path) -> str:
    """The path to give KenLM. On Windows it opens files with the C runtime's ANSI ``_open``,
    which cannot open a path with characters outside ASCII (``C:\\Users\\张三\\...``: the
    installed app and the Hugging Face cache live under the user's folder). There the file's
    8.3 short name stands in; where the drive has none, a copy under ProgramData does."""
    text = str(path)
    if sys.platform != "win32" or text.isascii():
        return text
    short = _short_path(text)
    if short.isascii():
        return short
    return _ascii_copy(path)


def _short_path(text: str) -> str:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]  # Windows only
    buffer = ctypes.create_unicode_buffer(32768)
    length = kernel32.GetShortPathNameW(text, buffer, len(buffer))
    return buffer.value if 0 < length < len(buffer) else text


def _ascii_copy(path: Path) -> str:
    import hashlib
    import shutil

    folder = Path(os.environ.get("PROGRAMDATA") or "C:\\ProgramData") / "LiveCaptions" / "lm"
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:16]
    copy = folder / f"{digest}{path.suffix}"
    try:
        source = path.stat()
        if not str(copy).isascii():
            raise OSError(f"{folder} is not an ASCII path either")
        if (
            not copy.is_file()
            or copy.stat().st_size != source.st_size
            or (copy.stat().st_mtime < source.st_mtime)
        ):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    except OSError as exc:
        raise LanguageModelError(
            f"language model {path}: KenLM cannot open a path with non-English characters, and "
            f"no copy could be made ({exc}). Move it to a folder such as C:\\LanguageModels."
        ) from None
    log.info("language model %s read from its copy %s (a path KenLM can open)", path, copy)
    return str(copy)


class LoadedLm:
    """A KenLM model loaded once and shared by every decoder (read-only)."""

    def __init__(self, lm_file: LanguageModelFile) -> None:
        from flashlight.lib.text.decoder.kenlm import KenLM
        from flashlight.lib.text.dictionary import Dictionary

        self.file = lm_file
        words = sorted(lm_file.unigrams)
        self.sorted_words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.unk_index = len(words)
        # KenLM maps our indices to its vocabulary; <unk> last, so an unknown word scores as it.
        self.dictionary = Dictionary()
        for word in [*words, "<unk>"]:
            self.dictionary.add_entry(word)
        try:
            with _kenlm_progress_to_log():
                self.kenlm = KenLM(kenlm_path(lm_file.path), self.dictionary)
        except RuntimeError as exc:
            raise LanguageModelError(
                f"language model {lm_file.path} cannot be read: {exc}"
            ) from None

    def is_prefix(self, partial: str) -> bool:
        """Some word the LM knows starts with ``partial``."""
        at = bisect.bisect_left(self.sorted_words, partial)
        return at < len(self.sorted_words) and self.sorted_words[at].startswith(partial)


_loaded: dict[Path, LoadedLm] = {}
_loading = threading.Lock()


def load_lm(path: str | Path) -> LoadedLm:
    """Load an LM file or folder once per process (later calls share it); raises
    LanguageModelError with a message for the user."""
    found = find_lm(DEMO_LM_DIR if str(path) == DEMO_LM else path)
    key = found.path.resolve()
    with _loading:
        if key not in _loaded:
            _loaded[key] = LoadedLm(found)
            log.info("language model %s: %d words", found.path, len(found.unigrams))
        return _loaded[key]


def lm_for(options: LmOptions, model: object) -> LoadedLm | None:
    """The LM a decoder uses: the one named, else the model folder's language_model/."""
    if options.lm:
        return load_lm(options.lm)
    if options.use_model_lm:
        model_folder = getattr(model, "folder", None)
        folder = hub_lm(model_folder)
        if folder is None and _is_demo(model_folder) and DEMO_LM_DIR.is_dir():
            folder = DEMO_LM_DIR  # the demo model's own LM lives beside it, not inside it
        if folder is not None:
            return load_lm(folder)
    return None


def _is_demo(model_folder: str | Path | None) -> bool:
    from .frames import DEMO_MODEL_DIR

    return model_folder is not None and Path(model_folder).resolve() == DEMO_MODEL_DIR.resolve()
