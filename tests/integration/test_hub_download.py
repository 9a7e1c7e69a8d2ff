"""Model downloads through huggingface_hub against a fake hub on loopback: progress, resume
after a cut connection, cancel, the mirror setting, and a message for every failure."""

from __future__ import annotations

import errno
import filecmp
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from helpers import DEMO_DIR
from helpers.fakehub import FakeHub, closed_port_url

from engine import Cancelled, ModelLoadError, ModelOptions, load_recognizer
from engine.hub import (
    DOWNLOADS_RECORD,
    MIRROR_EXAMPLE,
    DownloadStatus,
    HubUnreachable,
    cached_model,
    download_model,
    hub_endpoint,
    remote_model,
)

REPO = "acme/demo-w2v"
NEEDED = ("*.json", "*.txt", "model.safetensors")

pytestmark = pytest.mark.skipif(
    not (DEMO_DIR / "model.safetensors").is_file(), reason="the demo model is the served repo"
)


def leftovers(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.name.endswith(".incomplete")]


def test_download_reports_bytes_and_time_left_then_loads(
    fake_hub: FakeHub, hub_cache: Path
) -> None:
    fake_hub.rate = 8e6  # about a second for the demo model's 8.3 MB
    seen: list[DownloadStatus] = []
    folder = download_model(REPO, fake_hub.url, seen.append)
    total = fake_hub.size(REPO, NEEDED)
    assert seen[-1].done == seen[-1].total == total
    assert [s.done for s in seen] == sorted(s.done for s in seen)
    assert len(seen) >= 8  # one report per MiB at least: a live bar, not a jump at the end
    middle = next(s for s in seen if 0.3 * total < s.done < 0.9 * total)
    assert middle.rate > 0 and middle.seconds_left is not None and middle.seconds_left > 0
    assert "MB of 8.3 MB" in middle.describe() and "left" in middle.describe()
    assert filecmp.cmp(folder / "model.safetensors", DEMO_DIR / "model.safetensors", False)
    assert not (folder / "README.md").exists()  # only what the app needs
    assert cached_model(REPO) == folder
    # Noted once for the Windows uninstaller, which offers to delete what the app downloaded.
    download_model(REPO, fake_hub.url)
    record = (hub_cache / DOWNLOADS_RECORD).read_text(encoding="utf-8")
    assert record.splitlines() == [str(hub_cache / "models--acme--demo-w2v")]
    assert folder.is_relative_to(hub_cache / "models--acme--demo-w2v")
    recognizer = load_recognizer(
        ModelOptions(name=REPO, device="cpu", dtype="float32", warmup=False)
    )
    assert (
        recognizer.vocab.tokens
        == load_recognizer(
            ModelOptions(name="demo", device="cpu", dtype="float32", warmup=False)
        ).vocab.tokens
    )
    gets = len(fake_hub.requests("GET", "/resolve/"))
    download_model(REPO, fake_hub.url)  # everything cached: nothing fetched again
    assert len(fake_hub.requests("GET", "/resolve/")) == gets


def test_a_cut_connection_resumes_with_a_range_request(fake_hub: FakeHub, hub_cache: Path) -> None:
    fake_hub.cut = {"model.safetensors": 3_500_000}
    seen: list[DownloadStatus] = []
    folder = download_model(REPO, fake_hub.url, seen.append)
    gets = fake_hub.requests("GET", "model.safetensors")
    assert len(gets) == 2 and gets[0].range is None
    assert gets[1].range is not None and gets[1].range.startswith("bytes=")
    resumed_from = int(gets[1].range.removeprefix("bytes=").rstrip("-"))
    assert 2_000_000 <= resumed_from <= 3_500_000  # the whole MiB pieces written before the cut
    assert filecmp.cmp(folder / "model.safetensors", DEMO_DIR / "model.safetensors", False)
    assert seen[-1].done == seen[-1].total  # the resumed bytes are not counted twice
    assert not leftovers(hub_cache)


def test_cancel_stops_the_download_and_leaves_no_model(fake_hub: FakeHub, hub_cache: Path) -> None:
    fake_hub.rate = 1e6
    cancel = threading.Event()

    def progress(status: DownloadStatus) -> None:
        if status.done > 2_000_000:
            cancel.set()

    with pytest.raises(Cancelled):
        download_model(REPO, fake_hub.url, progress, cancel)
    assert cached_model(REPO) is None  # a half-downloaded model is never used
    assert not leftovers(hub_cache)
    fake_hub.rate = None
    assert download_model(REPO, fake_hub.url) == cached_model(REPO)


def test_a_download_tried_again_after_cancel_fetches_only_the_rest(
    fake_hub: FakeHub, hub_cache: Path
) -> None:
    """Cancel keeps the weights' bytes: the second try asks for the rest with a ranged GET, its
    progress starts where the first stopped, and the model it gives is intact."""
    fake_hub.rate = 2e6
    cancel = threading.Event()
    first: list[DownloadStatus] = []

    def progress(status: DownloadStatus) -> None:
        first.append(status)
        if status.done > 4_000_000:
            cancel.set()

    with pytest.raises(Cancelled):
        download_model(REPO, fake_hub.url, progress, cancel)
    assert cached_model(REPO) is None  # a half-downloaded model is never used
    fake_hub.rate = None
    second: list[DownloadStatus] = []
    folder = download_model(REPO, fake_hub.url, second.append)
    gets = fake_hub.requests("GET", "model.safetensors")
    assert len(gets) == 2 and gets[0].range is None and gets[1].range is not None
    kept = int(gets[1].range.removeprefix("bytes=").rstrip("-"))
    weights = (DEMO_DIR / "model.safetensors").stat().st_size
    assert 3_000_000 <= kept < weights  # the whole pieces written before the cancel
    assert second[0].done >= kept and second[-1].done == second[-1].total
    assert filecmp.cmp(folder / "model.safetensors", DEMO_DIR / "model.safetensors", False)
    assert not [p for p in hub_cache.rglob("*.part")]


def test_offline_use_of_a_half_downloaded_model_is_refused(
    fake_hub: FakeHub, hub_cache: Path
) -> None:
    fake_hub.status = None
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        download_model(REPO, fake_hub.url, lambda s: cancel.set(), cancel)
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache"):
        load_recognizer(ModelOptions(name=REPO, local_files_only=True, warmup=False))


def test_a_missing_repo_is_named(fake_hub: FakeHub, hub_cache: Path) -> None:
    with pytest.raises(ModelLoadError, match="was not found on") as exc:
        download_model("acme/no-such-model", fake_hub.url)
    assert "acme/no-such-model" in str(exc.value) and "demo" in str(exc.value)
    assert not isinstance(exc.value, HubUnreachable)


def test_a_repo_that_is_not_a_speech_model_is_refused_before_its_weights(
    fake_hub: FakeHub, hub_cache: Path
) -> None:
    with pytest.raises(ModelLoadError, match="BertModel model, not a CTC speech recogniser"):
        download_model("acme/bert", fake_hub.url)
    assert fake_hub.requests("GET", "acme/bert/resolve/")[-1].path.endswith("config.json")
    assert not fake_hub.requests("GET", "bert/resolve/main/model.safetensors")


def test_a_local_folder_that_is_not_a_speech_model_is_refused(tmp_path: Path) -> None:
    from helpers.fakehub import not_a_speech_model

    folder = not_a_speech_model(tmp_path / "bert")
    with pytest.raises(ModelLoadError, match="not a CTC speech recogniser"):
        load_recognizer(ModelOptions(name=str(folder), warmup=False))


def test_a_hub_error_suggests_a_mirror(fake_hub: FakeHub, hub_cache: Path) -> None:
    fake_hub.status = 503
    with pytest.raises(HubUnreachable, match=r"answered with an error \(503\)") as exc:
        download_model(REPO, fake_hub.url)
    assert MIRROR_EXAMPLE in str(exc.value) and fake_hub.url in str(exc.value)


def test_no_network_says_so_and_suggests_a_mirror(hub_cache: Path) -> None:
    url = closed_port_url()
    with pytest.raises(HubUnreachable, match="cannot be reached") as exc:
        download_model(REPO, url)
    assert url in str(exc.value) and "--hub-endpoint" in str(exc.value)
    assert "demo" in str(exc.value) and "local folder" in str(exc.value)


@pytest.fixture
def small_disk(hub_cache: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The cache on a 4 MB file system: a real tmpfs where this process may mount one (root),
    else every file written under the cache fails with ENOSPC past 4 MB (faked where Python
    opens files: the file system is outside the project)."""
    hub_cache.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(hub_cache)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode == 0:
        yield hub_cache
        subprocess.run(["umount", "-l", str(hub_cache)], check=False)
        return
    original_open = Path.open
    written = [0]

    class Full:
        def __init__(self, f) -> None:  # type: ignore[no-untyped-def]
            self.f = f

        def write(self, data: bytes) -> int:
            written[0] += len(data)
            if written[0] > 4_000_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(data)

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.f, name)

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

    def full_open(self: Path, mode: str = "r", *args, **kwargs):  # type: ignore[no-untyped-def]
        f = original_open(self, mode, *args, **kwargs)
        return Full(f) if "w" in mode and str(hub_cache) in str(self) else f

    monkeypatch.setattr(Path, "open", full_open)
    yield hub_cache


@pytest.mark.parametrize("when", ["before", "during"])
def test_a_full_disk_is_named_with_what_to_do(
    fake_hub: FakeHub, small_disk: Path, when: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if when == "during":  # the disk fills up while the download runs (another program)
        monkeypatch.setattr(
            shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**12, 0, 10**12)
        )  # type: ignore[attr-defined]
    with pytest.raises(ModelLoadError, match="the disk is full") as exc:
        download_model(REPO, fake_hub.url)
    assert "HF_HOME" in str(exc.value) and str(small_disk) in str(exc.value)
    assert ("needs 8.3 MB" in str(exc.value)) == (when == "before")  # else the write failed
    assert cached_model(REPO) is None and not leftovers(small_disk)


def test_the_endpoint_comes_from_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert hub_endpoint() == "https://huggingface.co"
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.com/")
    assert hub_endpoint() == "https://hf-mirror.com"
    assert hub_endpoint("http://127.0.0.1:9999") == "http://127.0.0.1:9999"
    with pytest.raises(ModelLoadError, match="not a web address"):
        hub_endpoint("hf-mirror.com")


def test_hf_endpoint_in_the_environment_is_honoured_at_call_time(
    fake_hub: FakeHub, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)  # set after huggingface_hub was imported
    info = remote_model(REPO)
    assert info.endpoint == fake_hub.url and info.weights == ("model.safetensors",)
    assert info.size == fake_hub.size(REPO, NEEDED)
    seen: list[DownloadStatus] = []
    load_recognizer(ModelOptions(name=REPO, device="cpu", warmup=False), seen.append)
    assert seen and seen[-1].done == info.size


def test_a_certificate_the_system_does_not_trust_is_named() -> None:
    """As httpx reports a company network's TLS inspection: a ConnectError caused by the
    certificate check."""
    import ssl

    import httpx

    from engine.hub import hub_error

    try:
        try:
            raise ssl.SSLCertVerificationError(
                1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed certificate in certificate chain"
            )
        except ssl.SSLCertVerificationError as tls:
            raise httpx.ConnectError(str(tls)) from tls
    except httpx.ConnectError as exc:
        error = hub_error(exc, REPO, "https://huggingface.co")
    assert isinstance(error, HubUnreachable)
    assert "certificate is not trusted" in str(error) and "IT department" in str(error)
    plain = hub_error(httpx.ConnectError("connection refused"), REPO, "https://huggingface.co")
    assert "certificate" not in str(plain) and "cannot be reached" in str(plain)


def test_downloads_use_the_system_certificate_store() -> None:
    import ssl

    import truststore

    from engine.hub import use_system_certificates

    try:
        assert use_system_certificates()
        assert ssl.SSLContext is truststore.SSLContext
    finally:
        truststore.extract_from_ssl()
    assert ssl.SSLContext is not truststore.SSLContext


def sharded(folder: Path, kind: str) -> Path:
    """The demo model saved as a sharded checkpoint (an index and three shards) of ``kind``
    "safetensors" or "bin", with the demo's processor files."""
    import json

    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForCTC

    model = AutoModelForCTC.from_pretrained(str(DEMO_DIR))
    model.save_pretrained(folder, max_shard_size="3MB")
    for extra in DEMO_DIR.iterdir():
        if extra.suffix in (".json", ".txt") and not (folder / extra.name).exists():
            shutil.copy(extra, folder / extra.name)
    if kind == "bin":
        index_file = folder / "model.safetensors.index.json"
        index = json.loads(index_file.read_text())
        names = {n: n.replace("model-", "pytorch_model-") for n in index["weight_map"].values()}
        for old, new in names.items():
            torch.save(load_file(folder / old), folder / new.replace(".safetensors", ".bin"))
            (folder / old).unlink()
        index["weight_map"] = {
            k: names[v].replace(".safetensors", ".bin") for k, v in index["weight_map"].items()
        }
        (folder / "pytorch_model.bin.index.json").write_text(json.dumps(index))
        index_file.unlink()
    return folder


@pytest.mark.parametrize("kind", ["safetensors", "bin"])
def test_a_sharded_checkpoint_downloads_every_shard_resumes_and_loads(
    fake_hub: FakeHub, hub_cache: Path, tmp_path: Path, kind: str
) -> None:
    """A repo whose weights are an index and shards (as big checkpoints come): all shards are
    fetched, a cut shard resumes, a half-fetched set is not a model, and the model loads."""
    repo = f"acme/sharded-{kind}"
    fake_hub.repos[repo] = sharded(tmp_path / repo, kind)
    shards = sorted(n for n in fake_hub.files(repo) if n.endswith("." + kind) and "-of-" in n)
    assert len(shards) == 3
    info = remote_model(repo, fake_hub.url)
    assert info.weights == tuple(shards)
    assert info.size == sum(p.stat().st_size for p in fake_hub.files(repo).values())
    cancel = threading.Event()

    def stop_in_the_second_shard(status: DownloadStatus) -> None:
        if fake_hub.requests("GET", shards[1]):
            cancel.set()

    fake_hub.rate = 4e6
    with pytest.raises(Cancelled):
        download_model(repo, fake_hub.url, stop_in_the_second_shard, cancel)
    assert cached_model(repo) is None  # an index without all its shards is not a model
    fake_hub.rate = None
    fake_hub.cut = {shards[2]: 1_500_000}
    seen: list[DownloadStatus] = []
    folder = download_model(repo, fake_hub.url, seen.append)
    assert seen[-1].done == seen[-1].total == info.size
    for name in shards:
        assert filecmp.cmp(folder / name, fake_hub.repos[repo] / name, False)
    assert len(fake_hub.requests("GET", shards[0])) == 1  # finished before the cancel: kept
    assert fake_hub.requests("GET", shards[2])[-1].range is not None  # the cut one resumed
    assert cached_model(repo) == folder
    recognizer = load_recognizer(
        ModelOptions(name=repo, device="cpu", dtype="float32", warmup=False, local_files_only=True)
    )
    demo = load_recognizer(ModelOptions(name="demo", device="cpu", dtype="float32", warmup=False))
    assert recognizer.vocab.tokens == demo.vocab.tokens
    (folder / shards[1]).unlink()  # a snapshot whose index names a shard it lacks
    assert cached_model(repo) is None
