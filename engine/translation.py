"""Translation of caption sentences with a local MarianMT (OPUS-MT) model. No GUI, no web.

- :func:`load_translator` finds the model (a catalogue pair, a hub id or a folder; hub
  downloads go through :mod:`engine.hub`: progress, mirror, offline cache) and loads it on
  CTranslate2 (converted once to int8 and cached: the fast CPU path) or on PyTorch
  (transformers' ``generate``).
- :class:`TranslationWorker` translates sentences in its own thread from a bounded queue, so
  that captions never wait for it: a front end submits sentences and polls for results.

Sentences come from the caption pipeline (its SENTENCE updates); :mod:`engine.translation_stage`
is the pipeline stage.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .config import TranslationOptions
from .download_progress import DownloadProgress
from .errors import ModelLoadError, TranslationError
from .pipeline import CaptionUpdate, UpdateKind
from .transcript import Transcript

log = logging.getLogger("engine.translation")

MARIAN_ARCHITECTURE = "MarianMTModel"
# Files a MarianMT repo needs besides config.json and its weights: the sentencepiece models
# and the vocabulary (vocab.json, tokenizer_config.json are in the hub module's *.json).
MARIAN_FILES = ("*.spm",)
NEEDED_FILES = ("source.spm", "target.spm", "vocab.json")  # MarianTokenizer's
BACKENDS = ("auto", "ctranslate2", "torch")


# the catalogue ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Score:
    bleu: float  # as the card publishes it
    chrf: float  # chr-F, 0..1, as published
    test_set: str

    def __str__(self) -> str:
        return f"BLEU {self.bleu:g}, chr-F {self.chrf:g} ({self.test_set})"


@dataclass(frozen=True)
class TranslationPair:
    model: str  # hub id
    source: str  # language of the speech (ISO 639-1)
    target: str  # language of the translation
    parameters_m: float  # millions of parameters
    licence: str  # SPDX id, as the card states it
    scores: tuple[Score, ...]  # the card's figures
    # Put before every source sentence: multi-target OPUS-MT models need the target's token.
    prefix: str = ""
    note: str = ""

    @property
    def size(self) -> str:
        return f"{self.parameters_m:g} M parameters, about {self.parameters_m * 4:.0f} MB"

    def summary(self) -> str:
        parts = [f"{self.source} -> {self.target}", self.size, self.licence]
        parts += [str(s) for s in self.scores] or ["no published scores"]
        return " · ".join(parts + ([self.note] if self.note else []))


# Every figure is the model card's (huggingface.co/Helsinki-NLP/opus-mt-*); parameter counts
# are OPUS-MT's transformer (d_model 512, 6 + 6 layers) with the repo's vocabulary.
# NLLB-200 (facebook/nllb-200-*) covers more languages but is CC-BY-NC-4.0: not a default
# that can be distributed; it is not listed.
CATALOGUE: tuple[TranslationPair, ...] = (
    TranslationPair(
        "Helsinki-NLP/opus-mt-en-zh",
        "en",
        "zh",
        77.9,
        "Apache-2.0",
        (Score(31.4, 0.268, "Tatoeba-test.eng.zho"),),
        prefix=">>cmn_Hans<< ",
        note="simplified Chinese (the model also writes traditional with >>cmn_Hant<<)",
    ),
    TranslationPair(
        "Helsinki-NLP/opus-mt-zh-en",
        "zh",
        "en",
        77.9,
        "Apache-2.0",
        (Score(36.1, 0.548, "Tatoeba-test.zho.eng"),),
    ),
    TranslationPair(
        "Helsinki-NLP/opus-mt-en-de",
        "en",
        "de",
        73.9,
        "CC-BY-4.0",
        (Score(40.9, 0.654, "newstest2019-ende.en.de"), Score(47.3, 0.664, "Tatoeba.en.de")),
    ),
    TranslationPair(
        "Helsinki-NLP/opus-mt-de-en",
        "de",
        "en",
        73.9,
        "Apache-2.0",
        (Score(40.1, 0.642, "newstest2019-deen.de.en"), Score(55.4, 0.707, "Tatoeba.de.en")),
    ),
    TranslationPair(
        "Helsinki-NLP/opus-mt-ja-en",
        "ja",
        "en",
        73.0,
        "Apache-2.0",
        (Score(41.7, 0.589, "Tatoeba.ja.en"),),
    ),
)


def base_language(code: str) -> str:
    """ "zh-CN" -> "zh", "EN" -> "en"."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def find_pair(source: str, target: str) -> TranslationPair | None:
    source, target = base_language(source), base_language(target)
    return next((p for p in CATALOGUE if (p.source, p.target) == (source, target)), None)


def pair_for_model(model: str) -> TranslationPair | None:
    return next((p for p in CATALOGUE if p.model == model), None)


def parse_target(value: object) -> str | None:
    """A ``translate_to`` as a request gives it (an upload's form field, a WebSocket query or
    config, a Realtime session's ``audio.output.language``): the language as given, without
    spaces; None for none (absent, "" or "none" in any case)."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in ("", "none") else text


def check_language(code: str) -> str:
    """A target language code as given (``zh``, ``de``, ``zh-CN``), or TranslationError."""
    value = code.strip()
    base = base_language(value)
    if not (2 <= len(base) <= 3 and base.isalpha()):
        known = ", ".join(sorted({p.target for p in CATALOGUE}))
        raise TranslationError(
            f"{code!r} is not a language code; give one such as {known} (ISO 639-1)"
        )
    return value


def speech_language(model: str) -> str:
    """The language a speech model hears, by the speech catalogue; English otherwise (the
    default and demo models, and any model the catalogue does not know)."""
    from .catalogue import find

    known = find(model)
    return base_language(known.language) if known else "en"


def choose_model(options: TranslationOptions, source: str) -> tuple[str, str]:
    """The model to load and the prefix its sentences take, for ``source`` speech."""
    if options.model:
        known = pair_for_model(options.model)
        return options.model, known.prefix if known else ""
    pair = find_pair(source, options.target)
    if pair is None:
        pairs = ", ".join(f"{p.source}->{p.target}" for p in CATALOGUE)
        raise TranslationError(
            f"no catalogue model translates {base_language(source)!r} into "
            f"{base_language(options.target)!r} (known pairs: {pairs}); choose one with "
            "--translation-model (a Hugging Face id or a folder of a MarianMT model)"
        )
    return pair.model, pair.prefix


# finding and checking the model -------------------------------------------------------------
def check_marian(config_file: Path, name: str) -> None:
    """Refuse a model whose config.json says it is not a MarianMT translation model."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TranslationError(f"{name}: its config.json cannot be read ({exc})") from None
    if (
        MARIAN_ARCHITECTURE in (config.get("architectures") or [])
        or config.get("model_type") == "marian"
    ):
        return
    what = ", ".join(config.get("architectures") or []) or config.get("model_type") or "unknown"
    raise TranslationError(
        f"{name} is a {what} model, not a {MARIAN_ARCHITECTURE} translation model. Choose an "
        "OPUS-MT model (Helsinki-NLP/opus-mt-SRC-TGT) or a folder holding one."
    )


def resolve_model_dir(
    name: str,
    options: TranslationOptions,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """The model's folder: a local folder, or the hub's cache, downloading it once."""
    from .hub import cached_model, download_model
    from .model import hub_repo_id

    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise TranslationError(f"translation model folder {path} has no config.json")
        check_marian(path / "config.json", str(path))
        missing = [f for f in NEEDED_FILES if not (path / f).is_file()]
        if not any((path / w).is_file() for w in ("model.safetensors", "pytorch_model.bin")):
            missing.append("model.safetensors or pytorch_model.bin")
        if missing:
            raise TranslationError(
                f"translation model folder {path} has no {', '.join(missing)}: a MarianMT "
                "model folder holds its weights, source.spm, target.spm and vocab.json"
            )
        return path
    if hub_repo_id(name) is None:
        raise TranslationError(f"translation model folder {path} does not exist")
    folder = cached_model(name, MARIAN_FILES)
    if folder is not None:
        return folder
    if options.local_files_only:
        raise TranslationError(
            f"translation model {name!r} is not in the local Hugging Face cache and downloads "
            "are off",
            code="not_cached",
            repo=name,
        )
    try:
        return download_model(
            name,
            options.hub_endpoint,
            progress,
            cancel,
            extra_files=MARIAN_FILES,
            check=check_marian,
        )
    except TranslationError:
        raise
    except ModelLoadError as exc:  # the hub's message (and code), as a translation error
        raise TranslationError(str(exc), code=exc.code, **exc.params) from None


# translators ---------------------------------------------------------------------------------
class Translator(Protocol):
    """Translates a batch of sentences. A model's translator has one caller, its worker's
    thread: everyone else translates through the worker (:class:`TranslationWorker` is a
    Translator too)."""

    @property
    def description(self) -> str:
        """The model and how it runs, for the user."""
        ...

    def translate(self, texts: Sequence[str]) -> list[str]: ...


def max_length(source_tokens: int) -> int:
    """Tokens a translation may have, the decoder's start token included (transformers'
    ``max_length``), for a batch whose longest source has ``source_tokens``: room for a longer
    target (German takes more pieces than English), bounded, so a runaway decode ends."""
    return min(512, 2 * source_tokens + 10)


def by_limit(
    lengths: Sequence[int], limit: Callable[[int], int], run: Callable[[list[int], int], list[str]]
) -> list[str]:
    """Translate in groups that share one length limit, so a sentence's translation does not
    depend on what it is batched with: ``run(indices, limit)`` translates those sentences."""
    groups: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        groups.setdefault(limit(n), []).append(i)
    out = [""] * len(lengths)
    for cap, indices in groups.items():
        for i, text in zip(indices, run(indices, cap), strict=True):
            out[i] = text
    return out


class TorchTranslator:
    """transformers' MarianMTModel and its generate: greedy, float32."""

    def __init__(self, folder: Path, prefix: str = "", threads: int | None = None) -> None:
        from transformers import MarianMTModel, MarianTokenizer

        self.prefix = prefix
        self.limit: Callable[[int], int] = max_length  # of each source's length
        self.tokenizer = MarianTokenizer.from_pretrained(str(folder))
        self.model = MarianMTModel.from_pretrained(str(folder)).eval()
        self.description = f"{folder.name} (PyTorch, float32)"

    def translate(self, texts: Sequence[str]) -> list[str]:
        import torch

        ids = self.tokenizer([self.prefix + t for t in texts])["input_ids"] if texts else []

        def run(indices: list[int], cap: int) -> list[str]:
            batch = self.tokenizer.pad(
                {"input_ids": [ids[i] for i in indices]}, return_tensors="pt"
            )
            with torch.inference_mode():
                out = self.model.generate(**batch, num_beams=1, do_sample=False, max_length=cap)
            return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]

        return by_limit([len(i) for i in ids], self.limit, run)


class Ct2Translator:
    """CTranslate2's Translator on a converted copy of the model (int8 weights by default)."""

    def __init__(
        self,
        folder: Path,
        prefix: str = "",
        threads: int | None = None,
        compute_type: str = "int8",
    ) -> None:
        import ctranslate2
        from transformers import MarianTokenizer

        self.prefix = prefix
        self.limit: Callable[[int], int] = max_length  # of each source's length
        self.tokenizer = MarianTokenizer.from_pretrained(str(folder))
        converted = ct2_model(folder, compute_type)
        self.translator = ctranslate2.Translator(
            str(converted), device="cpu", compute_type=compute_type, intra_threads=threads or 1
        )
        self.description = f"{folder.name} (CTranslate2, {compute_type})"

    def tokens(self, text: str) -> list[str]:
        return list(self.tokenizer.convert_ids_to_tokens(self.tokenizer.encode(self.prefix + text)))

    def translate(self, texts: Sequence[str]) -> list[str]:
        sources = [self.tokens(t) for t in texts]

        def run(indices: list[int], cap: int) -> list[str]:
            results = self.translator.translate_batch(
                [sources[i] for i in indices],
                beam_size=1,
                # words only: generate's max_length counts the decoder's start token and the end
                # token it forces at the limit (OPUS-MT configs set forced_eos_token_id)
                max_decoding_length=cap - 2,
                return_scores=False,
            )
            out = []
            for result in results:
                ids = self.tokenizer.convert_tokens_to_ids(result.hypotheses[0])
                out.append(self.tokenizer.decode(ids, skip_special_tokens=True).strip())
            return out

        return by_limit([len(s) for s in sources], self.limit, run)


def ct2_cache_root() -> Path:
    """Converted models: ``$LIVE_CAPTIONS_CT2_CACHE``, else beside the hub cache."""
    override = os.environ.get("LIVE_CAPTIONS_CT2_CACHE")
    if override:
        return Path(override).expanduser()
    from huggingface_hub import constants

    return Path(constants.HF_HOME) / "live-captions-ct2"


def ct2_model(folder: Path, quantization: str) -> Path:
    """The CTranslate2 conversion of ``folder`` (made once, kept in the cache)."""
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    from .onnx_backend import model_digest

    key = hashlib.sha256(
        f"{model_digest(folder)}:{quantization}:{ctranslate2.__version__}".encode()
    ).hexdigest()[:32]
    entry = ct2_cache_root() / key
    if (entry / "model.bin").is_file():
        return entry
    partial = entry.with_name(f"{key}.partial-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(partial, ignore_errors=True)
    log.info("converting %s for CTranslate2 (%s) into %s", folder, quantization, entry)
    try:
        TransformersConverter(str(folder)).convert(str(partial), quantization=quantization)
        if not (entry / "model.bin").is_file():
            os.replace(partial, entry)
    except OSError as exc:
        raise TranslationError(f"the converted model cannot be written to {entry}: {exc}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return entry


_LOADED: dict[tuple[object, ...], Translator] = {}  # one copy of a model per process
_LOADING = threading.Lock()


def load_translator(
    options: TranslationOptions,
    source: str = "en",
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> Translator:
    """The translator for ``options`` (speech in ``source``), loaded once per process and
    shared. Raises TranslationError."""
    check_language(options.target)
    name, prefix = choose_model(options, source)
    key = (name, prefix, options.backend, options.compute_type, options.threads)
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = _load(name, prefix, options, progress, cancel)
        return _LOADED[key]


def _load(
    name: str,
    prefix: str,
    options: TranslationOptions,
    progress: DownloadProgress | None,
    cancel: threading.Event | None,
) -> Translator:
    folder = resolve_model_dir(name, options, progress, cancel)
    from safetensors import SafetensorError

    backend = options.backend
    if backend == "auto":
        backend = "ctranslate2" if _have("ctranslate2") else "torch"
    try:
        if backend == "ctranslate2":
            return Ct2Translator(folder, prefix, options.threads, options.compute_type)
        return TorchTranslator(folder, prefix, options.threads)
    except TranslationError:
        raise
    except (
        OSError,
        ValueError,
        RuntimeError,
        KeyError,
        TypeError,
        ImportError,
        SafetensorError,
    ) as exc:
        raise TranslationError(
            f"translation model {name} cannot be loaded: {str(exc).strip().splitlines()[0]}"
        ) from None


def _have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# the worker ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    key: Any  # the caller's handle (a pipeline's SENTENCE update)
    text: str  # the translation; "" when it failed or was skipped
    source_text: str
    error: str = ""  # why there is no translation
    seconds: float = 0.0  # from submit to result


Outbox = queue.SimpleQueue  # where a submitter's results go


class ResultSink(Protocol):
    """Where a sentence's result goes: a queue, or anything with ``put`` (called in the
    worker's thread)."""

    def put(self, item: Result, /) -> None: ...


@dataclass(frozen=True)
class _Job:
    key: Any
    text: str
    outbox: ResultSink
    submitted: float  # time.monotonic() at submit


class TranslationWorker:
    """Translates submitted sentences in one thread, in order, a batch of whatever waits at a
    time; one worker per loaded model serves every stream, and is its translator's only caller.
    ``submit`` never blocks: when ``max_pending`` sentences wait already, the sentence gets an
    empty result saying that translation fell behind. Each submitter collects its results from
    its own outbox (or the worker's, with :meth:`poll`). Files call :meth:`translate`, which
    waits: the worker is a :class:`Translator` too."""

    def __init__(self, translator: Translator, max_pending: int = 16, max_batch: int = 8) -> None:
        self.translator = translator
        self.max_batch = max_batch
        self._jobs: queue.Queue[_Job | None] = queue.Queue(max_pending)
        self._results: Outbox[Result] = queue.SimpleQueue()
        self._ready = threading.Condition()
        self._closing = threading.Lock()  # held to queue a job and to close (none after)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="translation", daemon=True)
        self._thread.start()

    @property
    def description(self) -> str:
        return self.translator.description

    def submit(self, key: Any, text: str, outbox: ResultSink | None = None) -> None:
        outbox = self._results if outbox is None else outbox
        with self._closing:
            if self._closed:
                outbox.put(Result(key, "", text, error="translation has stopped"))
                return
            try:
                self._jobs.put_nowait(_Job(key, text, outbox, time.monotonic()))
            except queue.Full:
                outbox.put(Result(key, "", text, error="translation fell behind"))

    def translate(self, texts: Sequence[str]) -> list[str]:
        """``texts`` translated in the worker's thread, waiting for them (files): ``max_batch``
        at a time, so the sentences of live streams wait for one batch at most, and a file
        never fills the queue they need. TranslationError when a batch fails."""
        out: list[str] = []
        for first in range(0, len(texts), self.max_batch):
            batch = texts[first : first + self.max_batch]
            outbox: Outbox[Result] = queue.SimpleQueue()
            for n, text in enumerate(batch):
                self._queue(_Job(n, text, outbox, time.monotonic()))
            results = sorted((outbox.get() for _ in batch), key=lambda r: int(r.key))
            failed = next((r.error for r in results if r.error), "")
            if failed:
                raise TranslationError(failed)
            out += [r.text for r in results]
        return out

    def _queue(self, job: _Job) -> None:
        """Queue a file's job, waiting for room (never dropped; streams' submits never wait for
        it); TranslationError once the worker is closed."""
        while True:
            with self._closing:
                if self._closed:
                    raise TranslationError("translation has stopped")
                try:
                    self._jobs.put_nowait(job)
                    return
                except queue.Full:
                    pass
            with self._ready:
                self._ready.wait(0.1)  # a batch done makes room

    def poll(self) -> list[Result]:
        """Results of sentences submitted without an outbox, ready since the last call."""
        return drain(self._results)

    def wait(self, timeout: float = 30.0) -> bool:
        """Until every submitted sentence has its result (files, tests, end of a stream)."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while self._jobs.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._ready.wait(left)
        return True

    def close(self) -> None:
        """Translate what waits, then stop (later sentences get an empty result)."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._done(1)
                return
            batch, stop = [job], False
            while len(batch) < self.max_batch and not stop:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                else:
                    batch.append(more)
            self._translate(batch)
            self._done(len(batch) + stop)
            if stop:
                return

    def _done(self, count: int) -> None:
        with self._ready:
            for _ in range(count):
                self._jobs.task_done()
            self._ready.notify_all()

    def _translate(self, batch: list[_Job]) -> None:
        """Results in the order submitted (an empty sentence gets an empty translation)."""
        try:
            wanted = [job.text for job in batch if job.text.strip()]
            done = iter(self.translator.translate(wanted) if wanted else [])
            texts = [next(done) if job.text.strip() else "" for job in batch]
            errors = [""] * len(batch)
        except Exception as exc:  # a failed batch loses its translations, not the captions
            log.exception("translation failed")
            texts = [""] * len(batch)
            errors = [f"translation failed: {exc}"] * len(batch)
        now = time.monotonic()
        for job, text, error in zip(batch, texts, errors):
            job.outbox.put(Result(job.key, text, job.text, error, now - job.submitted))


def drain(outbox: Outbox[Result]) -> list[Result]:
    out = []
    while True:
        try:
            out.append(outbox.get_nowait())
        except queue.Empty:
            return out


class _Notify:
    """A result queue that calls ``on_ready`` after each result is put (in the worker's
    thread)."""

    def __init__(self, outbox: Outbox[Result], on_ready: Callable[[], None]) -> None:
        self.queue = outbox
        self.on_ready = on_ready

    def put(self, item: Result, /) -> None:
        self.queue.put(item)
        self.on_ready()


class TranslationStage:
    """The caption pipeline's translation stage (:class:`engine.pipeline.CaptionStage`): each
    SENTENCE update goes to the worker as it passes; :meth:`poll` hands out a TRANSLATION update
    per sentence (its words, units, time; ``translation`` and ``language`` set, and ``message``
    saying why when there is no translation). Every other update passes on unchanged. No thread
    of its own: the worker translates, the pipeline's owner polls."""

    def __init__(
        self,
        worker: TranslationWorker,
        language: str,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self.worker = worker
        self.language = language
        # on_ready: called in the worker's thread after each result, so that an owner that
        # waits on something else (a server's event loop) knows when to poll
        self._outbox: Outbox[Result] = queue.SimpleQueue()
        self._sink: ResultSink = _Notify(self._outbox, on_ready) if on_ready else self._outbox
        self.pending = 0  # sentences submitted, translation not handed out yet

    def push(self, update: CaptionUpdate) -> list[CaptionUpdate]:
        if update.kind is UpdateKind.SENTENCE:
            self.pending += 1
            self.worker.submit(update, update.source_text, self._sink)
        return [update]

    def flush(self) -> list[CaptionUpdate]:
        return []  # a pause closes the sentence before this stage; translations come by poll

    def poll(self) -> list[CaptionUpdate]:
        out = []
        for result in drain(self._outbox):
            self.pending -= 1
            out.append(
                dataclasses.replace(
                    result.key,
                    kind=UpdateKind.TRANSLATION,
                    translation=result.text,
                    language=self.language,
                    message=result.error,
                )
            )
        return out


def translate_texts(translator: Translator, texts: Sequence[str], batch: int = 8) -> list[str]:
    """Files: every text's translation, in batches, in this thread."""
    out: list[str] = []
    for i in range(0, len(texts), batch):
        out += translator.translate(texts[i : i + batch])
    return out


class TranslatorPool:
    """A process's translation (server, app): a worker per target language, its model loaded
    when first asked for and kept. ``options.model`` serves ``options.target``; other targets
    take the catalogue's pair for the speech language."""

    def __init__(self, options: TranslationOptions, source: str) -> None:
        self.options = options
        self.source = source
        self._workers: dict[str, TranslationWorker] = {}
        self._lock = threading.Lock()

    def _options(self, target: str) -> TranslationOptions:
        check_language(target)
        same = base_language(target) == base_language(self.options.target)
        return dataclasses.replace(
            self.options, target=target, model=self.options.model if same else None
        )

    def check(self, target: str) -> None:
        """TranslationError at once when no model could serve ``target`` (a bad code, no
        catalogue pair); loading may still fail later (download, files)."""
        choose_model(self._options(target), self.source)

    def loaded(self, target: str) -> TranslationWorker | None:
        """The worker for ``target`` if its model is loaded already (never waits)."""
        return self._workers.get(target)

    def worker(self, target: str) -> TranslationWorker:
        """The worker for ``target`` (loading its model; TranslationError when it cannot)."""
        options = self._options(target)
        with self._lock:
            if target not in self._workers:
                self._workers[target] = TranslationWorker(load_translator(options, self.source))
            return self._workers[target]

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.close()


def translate_transcript(
    transcript: Transcript, translator: Translator, language: str, cased: bool = True
) -> Transcript:
    """The transcript with each caption segment's translation (bilingual files)."""
    texts = [s.text(cased) for s in transcript.segments]
    translations = translate_texts(translator, texts)
    segments = tuple(
        dataclasses.replace(s, translation=t) for s, t in zip(transcript.segments, translations)
    )
    return dataclasses.replace(transcript, segments=segments, translation_language=language)
