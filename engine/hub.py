"""Models from the Hugging Face hub or a mirror of it: what a download will fetch, the download
itself with progress and cancel, and errors a user can act on.

``huggingface_hub`` does the work: its cache (a file appears there only once it is complete,
so a broken download never leaves a half-written model in use), its retries, and its resume
of a broken connection (a ranged GET for the rest of the file, up to five times per file).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import json
import logging
import os
import shutil
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

from .download_progress import DownloadProgress, DownloadStatus, Meter, format_bytes
from .errors import Cancelled, ModelLoadError

log = logging.getLogger("engine.hub")

DEFAULT_ENDPOINT = "https://huggingface.co"
MIRROR_EXAMPLE = "https://hf-mirror.com"  # a public mirror reachable from mainland China
CONFIG_FILES = ("*.json", "*.txt")  # config, processor and tokenizer files
# Wav2Vec2ProcessorWithLM's n-gram LM (attrs.json, unigrams.txt and an ARPA or KenLM binary
# file), fetched with the model where a repo has one: decoding uses it (engine.lm_files).
LANGUAGE_MODEL_FILES = ("language_model/*",)
# The weights, in the order transformers prefers them: the first kind a repo has is fetched.
# A sharded checkpoint is an index (which file holds each tensor) and its shards, named as
# transformers' save_pretrained names them.
WEIGHTS = ("model.safetensors", "pytorch_model.bin")
SHARDED = {
    "model.safetensors.index.json": "model-*-of-*.safetensors",
    "pytorch_model.bin.index.json": "pytorch_model-*-of-*.bin",
}
WEIGHT_KINDS = ("model.safetensors", *list(SHARDED)[:1], "pytorch_model.bin", *list(SHARDED)[1:])
SPEECH_ARCHITECTURE = "ForCTC"  # the class name of every CTC model transformers loads
# huggingface_hub reads a response in pieces of DOWNLOAD_CHUNK_SIZE (10 MiB) and reports
# progress (and checks for cancel) once per piece, and after a broken connection resumes from
# the last whole piece written: 1 MiB pieces give a live progress bar, a prompt cancel, and
# less to fetch again.
CHUNK_BYTES = 1 << 20


def hub_endpoint(option: str | None = None) -> str:
    """Where models come from: the option (Settings, ``--hub-endpoint``), else ``HF_ENDPOINT``,
    else the Hugging Face hub. Read on every call: huggingface_hub reads HF_ENDPOINT once, when
    it is imported, so the engine passes the endpoint to every call instead."""
    value = (option or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ModelLoadError(
            f"the hub address {value!r} is not a web address; use one like {DEFAULT_ENDPOINT} "
            f"or a mirror such as {MIRROR_EXAMPLE}"
        )
    return value


# what a download will fetch ------------------------------------------------------------------
@dataclass(frozen=True)
class RemoteModel:
    """A model repo as the hub lists it, before downloading."""

    repo_id: str
    endpoint: str
    files: dict[str, int]  # the files the app needs from it, with their sizes in bytes

    @property
    def size(self) -> int:
        return sum(self.files.values())

    @property
    def weights(self) -> tuple[str, ...]:
        """The weight files to fetch (one file, or a sharded checkpoint's shards); ()
        for a repo without weights."""
        return _weight_files(_weight_kind(list(self.files)), list(self.files))


def remote_model(
    repo_id: str, endpoint: str | None = None, extra_files: tuple[str, ...] = ()
) -> RemoteModel:
    """Ask the hub what downloading ``repo_id`` will fetch (one request, nothing downloaded);
    ``extra_files`` are patterns of files the model needs besides config and weights."""
    from huggingface_hub import HfApi

    where = hub_endpoint(endpoint)
    try:
        # The model's info rather than its tree: huggingface_hub retries tree listings for
        # about 25 s when the hub cannot be reached, this call fails at once.
        info = HfApi(endpoint=where).model_info(repo_id, files_metadata=True)
    except Exception as exc:  # every failure becomes one message (hub_error)
        raise hub_error(exc, repo_id, where) from None
    listed = {s.rfilename: int(s.size or 0) for s in info.siblings or []}
    wanted = _patterns(_weight_kind(list(listed))) + list(extra_files)
    return RemoteModel(
        repo_id,
        where,
        {name: size for name, size in listed.items() if any(fnmatch(name, p) for p in wanted)},
    )


def _weight_kind(names: list[str]) -> str | None:
    """The weights a repo (or folder) with these files offers: a weights file or an index."""
    return next((kind for kind in WEIGHT_KINDS if kind in names), None)


def _weight_files(kind: str | None, names: list[str]) -> tuple[str, ...]:
    if kind is None:
        return ()
    if kind not in SHARDED:
        return (kind,)
    return tuple(sorted(n for n in names if fnmatch(n, SHARDED[kind])))


def _patterns(kind: str | None) -> list[str]:
    weights = [] if kind is None else [kind] + ([SHARDED[kind]] if kind in SHARDED else [])
    return [*CONFIG_FILES, *LANGUAGE_MODEL_FILES, *weights]


def has_weights(folder: Path) -> bool:
    """The folder holds complete weights: a weights file, or an index with every shard it
    names (a sharded download that stopped halfway is not complete)."""
    if any((folder / w).is_file() for w in WEIGHTS):
        return True
    for index in SHARDED:
        if (folder / index).is_file():
            try:
                shards = set(json.loads((folder / index).read_text("utf-8"))["weight_map"].values())
            except (OSError, ValueError, KeyError, AttributeError, TypeError):
                return False
            return bool(shards) and all((folder / name).is_file() for name in shards)
    return False


# the cache and the download ------------------------------------------------------------------
def cache_dir() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def cached_model(repo_id: str, extra_files: tuple[str, ...] = ()) -> Path | None:
    """The complete model in the local cache, or None (never contacts the hub). A download
    that stopped halfway is not complete: huggingface_hub's tree listing says what is missing.
    ``extra_files`` names files that must be there too (a translation model's vocabularies)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = Path(
            snapshot_download(repo_id, allow_patterns=list(CONFIG_FILES), local_files_only=True)
        )
    except (LocalEntryNotFoundError, OSError, ValueError):
        return None
    # Weights appear in a snapshot only once completely downloaded (then moved into place).
    complete = (folder / "config.json").is_file() and has_weights(folder)
    complete = complete and all(any(folder.glob(p)) for p in extra_files)
    return folder if complete else None


def _cached_bytes(repo_id: str, files: dict[str, int]) -> int:
    from huggingface_hub import try_to_load_from_cache

    return sum(
        size
        for name, size in files.items()
        if isinstance(try_to_load_from_cache(repo_id, name), str)
    )


# Checks a downloaded config.json (path, model name) before the weights are fetched.
ConfigCheck = Callable[[Path, str], None]


def download_model(
    repo_id: str,
    endpoint: str | None = None,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
    *,
    extra_files: tuple[str, ...] = (),
    check: ConfigCheck | None = None,
) -> Path:
    """Download a model repo into the hub cache (what is there already is kept) and return its
    folder. ``check`` reads the repo's config.json before the weights are fetched and raises
    :class:`ModelLoadError` for a model of the wrong kind (default: a speech model). Raises :class:`ModelLoadError` with what went wrong and what to do, or
    :class:`Cancelled` when ``cancel`` is set (the download stops at its next piece; files
    not finished are removed by huggingface_hub, except the weights: their bytes stay for the
    next try). A speech model by default; ``extra_files`` and ``check`` fetch and check another
    kind (engine.translation's MarianMT models, engine.punctuation's models)."""
    from huggingface_hub import constants

    where = hub_endpoint(endpoint)
    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, CHUNK_BYTES)
    cancel = cancel or threading.Event()
    log.info("downloading %s from %s", repo_id, where)
    kind = (extra_files, check or check_speech_model)
    folder = _interruptible(lambda: _download(repo_id, where, progress, cancel, kind), cancel)
    remember_download(repo_id)
    return folder


# In the hub cache: one line per model folder this app downloaded, which the Windows uninstaller
# offers to delete (installer/live_captions.iss); other programs' models are not listed.
DOWNLOADS_RECORD = "live-captions-downloads.txt"


def remember_download(repo_id: str) -> None:
    from huggingface_hub import constants

    cache = Path(constants.HF_HUB_CACHE)
    record = cache / DOWNLOADS_RECORD
    folder = str(cache / ("models--" + repo_id.replace("/", "--")))
    try:
        known = record.read_text(encoding="utf-8").splitlines() if record.is_file() else []
        if folder not in known:
            with record.open("a", encoding="utf-8") as out:
                out.write(folder + "\n")
    except OSError as exc:  # only the uninstaller's offer is lost
        log.warning("cannot note the download of %s in %s: %s", repo_id, record, exc)


def _interruptible(job: Callable[[], Path], cancel: threading.Event) -> Path:
    """Run ``job`` in a thread so that Ctrl-C in the calling thread cancels it cleanly:
    huggingface_hub's worker threads would otherwise finish their files first."""
    outcome: list[Path | BaseException] = []

    def run() -> None:
        try:
            outcome.append(job())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, name="hub-download", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        cancel.set()
        thread.join(30)
        raise
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _download(
    repo_id: str,
    where: str,
    progress: DownloadProgress | None,
    cancel: threading.Event,
    kind: tuple[tuple[str, ...], ConfigCheck],
) -> Path:
    from huggingface_hub import hf_hub_download, snapshot_download

    try:
        extra_files, check = kind
        info = remote_model(repo_id, where, extra_files)
        missing = "config.json" if "config.json" not in info.files else None
        missing = missing or (None if info.weights else " or ".join(WEIGHT_KINDS))
        if missing:
            raise ModelLoadError(
                f"{repo_id!r} on {where} has no {missing}: it is not a model the app can use. "
                + CHOICES
            )
        # The config first (a few kB): a repo that is not a model of the kind wanted is
        # refused before its weights are fetched.
        check(Path(hf_hub_download(repo_id, "config.json", endpoint=where)), repo_id)
        done = _cached_bytes(repo_id, info.files) + _partial_bytes(repo_id)
        meter = Meter(progress, cancel, info.size, done)
        _check_room(repo_id, info.size - meter.done)
        for name in info.weights:  # one after the other: at most one ".part" at a time
            _fetch_resumable(repo_id, name, where, meter)
        folder = snapshot_download(
            repo_id,
            allow_patterns=_patterns(_weight_kind(list(info.files))) + list(extra_files),
            endpoint=where,
            tqdm_class=meter.tqdm_class(),
            max_workers=4,
        )
    except (Cancelled, ModelLoadError):
        raise
    except Exception as exc:  # every failure becomes one message (hub_error)
        raise hub_error(exc, repo_id, where) from None
    log.info("downloaded %s to %s", repo_id, folder)
    return Path(folder)


# huggingface_hub writes each file to a temporary file of its own and deletes it when the download
# stops (a cancel, a lost connection): a second try would fetch the weights from the start. The
# weights (nearly all of a model's bytes) are fetched here instead, into "<blob>.part" beside the
# cache's blobs, which a later try continues with a ranged GET; once complete the file becomes
# the blob, and snapshot_download only links it into the snapshot.
PART_SUFFIX = ".part"


def _blobs(repo_id: str) -> Path:
    from huggingface_hub.file_download import repo_folder_name

    return cache_dir() / repo_folder_name(repo_id=repo_id, repo_type="model") / "blobs"


def _partial_bytes(repo_id: str) -> int:
    """Bytes of the repo's files fetched by an earlier, unfinished try."""
    blobs = _blobs(repo_id)
    if not blobs.is_dir():
        return 0
    return sum(p.stat().st_size for p in blobs.glob("*" + PART_SUFFIX))


def _fetch_resumable(repo_id: str, name: str, where: str, meter: Meter) -> None:
    """Put file ``name`` into the cache's blobs, going on from what an earlier try left."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url, try_to_load_from_cache
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    meta = get_hf_file_metadata(hf_hub_url(repo_id, name, endpoint=where), endpoint=where)
    if not meta.etag:
        return  # nothing to name the blob by: snapshot_download fetches it
    blobs = _blobs(repo_id)
    blob = blobs / meta.etag
    if blob.exists():
        if not isinstance(try_to_load_from_cache(repo_id, name), str):
            meter.done += meta.size or 0  # finished by an earlier try, not yet in a snapshot
        return
    blobs.mkdir(parents=True, exist_ok=True)
    part = blob.with_name(blob.name + PART_SUFFIX)
    for stale in blobs.glob("*" + PART_SUFFIX):
        if stale != part:  # the file changed on the hub since: its old bytes are of no use
            meter.done -= stale.stat().st_size
            stale.unlink()
    with part.open("ab") as f:
        kept = f.tell()
        if meta.size is not None and kept > meta.size:
            f.truncate(0)
            meter.done, kept = meter.done - kept, 0
        log.info("fetching %s of %s from byte %d", name, repo_id, kept)
        http_get(
            meta.location,
            f,
            resume_size=kept,
            headers=build_hf_headers(),
            expected_size=meta.size,
            tqdm_class=meter.tqdm_class("huggingface_hub.http_get"),
        )
    got = part.stat().st_size
    if meta.size is not None and got != meta.size:
        part.unlink()
        raise ModelLoadError(
            f"{name} of {repo_id!r} arrived with {got} bytes instead of {meta.size}; try again"
        )
    if _is_sha256(meta.etag) and _sha256(part) != meta.etag:
        part.unlink()
        raise ModelLoadError(
            f"{name} of {repo_id!r} arrived damaged (its checksum differs); try again"
        )
    os.replace(part, blob)


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for piece in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(piece)
    return digest.hexdigest()


def _check_room(repo_id: str, needed: int) -> None:
    """Refuse up front when the cache's disk cannot hold the download."""
    folder = cache_dir()
    probe = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if probe is None:
        return
    free = shutil.disk_usage(probe).free
    if free < needed:
        raise ModelLoadError(
            f"the disk is full: model {repo_id!r} needs {format_bytes(needed)} in {folder}, "
            f"which has {format_bytes(free)} free. {_ROOM}"
        )


def check_speech_model(config_file: Path, name: str) -> None:
    """Refuse a model whose config.json says it is not a CTC speech recogniser (any
    ``...ForCTC`` architecture that transformers' AutoModelForCTC loads)."""
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{name}: its config.json cannot be read ({exc}). {CHOICES}") from None
    architectures = config.get("architectures") or []
    if any(str(a).endswith(SPEECH_ARCHITECTURE) for a in architectures):
        return
    if not architectures and config.get("model_type") == "wav2vec2":
        return  # an older config without the field
    what = ", ".join(architectures) or config.get("model_type") or "an unknown model type"
    raise ModelLoadError(
        f"{name} is a {what} model, not a CTC speech recogniser. {CHOICES}",
        code="not_speech_model",
        repo=name,
        what=what,
    )


# errors --------------------------------------------------------------------------------------
CHOICES = (
    "Choose a CTC speech model (a Hugging Face id such as facebook/wav2vec2-base-960h or "
    "nvidia/parakeet-ctc-0.6b), a local folder that holds one (config.json, weights and "
    "processor files), or the bundled demo model ('demo')."
)


class HubUnreachable(ModelLoadError):
    """The hub (or the mirror) could not be reached: a mirror may help."""


def hub_error(exc: BaseException, repo_id: str, endpoint: str) -> ModelLoadError:
    """A message that names the problem and what to do, for anything a download raises."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    cause = exc.__cause__ or exc.__context__
    chain = [exc] + ([cause] if cause is not None else [])
    if any(isinstance(e, GatedRepoError) for e in chain):
        return ModelLoadError(
            f"model {repo_id!r} on {endpoint} is gated: it needs a Hugging Face login and its "
            f"licence accepted. Download it once with `hf download {repo_id}`, or {_OTHERWISE}",
            code="gated",
            repo=repo_id,
            endpoint=endpoint,
        )
    if any(isinstance(e, (RepositoryNotFoundError, RevisionNotFoundError)) for e in chain):
        return ModelLoadError(
            f"model {repo_id!r} was not found on {endpoint}. Check its name (as "
            f"huggingface.co/{repo_id} would show it), or {_OTHERWISE}",
            code="model_not_found",
            repo=repo_id,
            endpoint=endpoint,
        )
    disk = next((e for e in chain if isinstance(e, OSError) and e.errno == errno.ENOSPC), None)
    if disk is not None:
        return ModelLoadError(
            f"the disk is full: model {repo_id!r} cannot be saved in {cache_dir()}. {_ROOM}",
            code="disk_full",
            repo=repo_id,
            folder=str(cache_dir()),
        )
    if any(isinstance(e, OfflineModeIsEnabled) for e in chain):
        return ModelLoadError(
            f"model {repo_id!r} is not in the local cache and downloads are switched off "
            f"(HF_HUB_OFFLINE is set). Unset it to download, or {_OTHERWISE}",
            code="offline",
            repo=repo_id,
        )
    status = next(
        (
            e.response.status_code
            for e in chain
            if isinstance(e, HfHubHTTPError) and e.response is not None
        ),
        None,
    )
    if status is not None and status >= 500:
        return HubUnreachable(
            f"the hub at {endpoint} answered with an error ({status}) for {repo_id!r}: it may be "
            f"down for a while. Try again later, use a mirror ({MIRROR_EXAMPLE} is one: "
            f"--hub-endpoint, HF_ENDPOINT or Settings), or {_OTHERWISE}",
            code="hub_error",
            repo=repo_id,
            endpoint=endpoint,
            status=status,
        )
    if _certificate_rejected(exc):
        return HubUnreachable(
            f"the connection to {endpoint} was refused because its certificate is not trusted "
            "here. A company network that inspects encrypted traffic does this: Live Captions "
            "trusts the certificates installed in the system's store (Windows: certmgr.msc), so "
            "ask your IT department to install theirs there. Or use a mirror "
            f"({MIRROR_EXAMPLE} is one: --hub-endpoint, HF_ENDPOINT or Settings), or {_OTHERWISE}"
        )
    if _is_network(chain):
        return HubUnreachable(
            f"model {repo_id!r} is not downloaded yet and the hub at {endpoint} cannot be reached "
            f"(no network, or it is blocked here). Connect and try again (files downloaded "
            f"completely are kept), use a mirror ({MIRROR_EXAMPLE} is one: --hub-endpoint, HF_ENDPOINT or "
            f"Settings), or {_OTHERWISE}",
            code="hub_unreachable",
            repo=repo_id,
            endpoint=endpoint,
        )
    return ModelLoadError(
        f"model {repo_id!r} could not be downloaded from {endpoint}: {_first_line(exc)}. "
        f"Try again (what was downloaded completely is kept), or {_OTHERWISE}",
        code="download_failed",
        repo=repo_id,
        endpoint=endpoint,
        reason=_first_line(exc),
    )


_ROOM = (
    "Free some space there, or set HF_HOME to a folder on a disk with room, and try again; "
    "files downloaded completely are kept."
)
_OTHERWISE = "choose a local folder that holds the model, or the bundled demo model ('demo')."


def _certificate_rejected(exc: BaseException) -> bool:
    """Somewhere in the exception's causes, TLS verification failed."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ssl.SSLCertVerificationError) or (
            "CERTIFICATE_VERIFY_FAILED" in str(error)
        ):
            return True
        todo += [error.__cause__, error.__context__]
    return False


def use_system_certificates() -> bool:
    """Verify HTTPS with the operating system's certificate store (truststore) instead of
    certifi's list, for the whole process: a company network whose TLS-inspection certificate
    Windows (or macOS, or the Linux distribution) trusts then works. Entry points call it once;
    False when truststore is missing."""
    try:
        import truststore
    except ImportError:
        return False
    truststore.inject_into_ssl()
    return True


def _is_network(chain: list[BaseException]) -> bool:
    from huggingface_hub.errors import LocalEntryNotFoundError

    kinds: list[type[BaseException]] = [ConnectionError, TimeoutError, LocalEntryNotFoundError]
    for module in ("httpx2", "httpx"):  # huggingface_hub 2.x uses httpx2, 1.x httpx
        with contextlib.suppress(ImportError, AttributeError):
            kinds.append(importlib.import_module(module).TransportError)
    return any(isinstance(e, tuple(kinds)) for e in chain)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


__all__ = [
    "DEFAULT_ENDPOINT",
    "MIRROR_EXAMPLE",
    "DownloadProgress",
    "DownloadStatus",
    "HubUnreachable",
    "RemoteModel",
    "cached_model",
    "download_model",
    "hub_endpoint",
    "remote_model",
]
