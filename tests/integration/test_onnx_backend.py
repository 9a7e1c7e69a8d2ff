"""The ONNX Runtime backend: the CPU default, the same frame labels as PyTorch, a cache that is
complete or absent (a killed export leaves nothing usable behind), and a clear fallback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import hard_kill, make_model_dir, read_wav
from helpers.families import make_family_dir

from engine import ModelOptions, load_recognizer, transcribe_array
from engine import onnx_backend as ob
from engine.model import Recognizer

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "engine" / "samples" / "sample.wav"


def load(folder: Path, **kwargs: object) -> Recognizer:
    options = {"device": "cpu", "warmup": False, "threads": 1, **kwargs}
    return load_recognizer(ModelOptions(name=str(folder), **options))  # type: ignore[arg-type]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty export cache of this test's own."""
    root = tmp_path / "onnx-cache"
    monkeypatch.setenv("LIVE_CAPTIONS_ONNX_CACHE", str(root))
    return root


def entries(root: Path) -> list[Path]:
    """Complete cache entries (partial exports are hidden folders)."""
    return sorted(p for p in root.iterdir() if not p.name.startswith(".")) if root.is_dir() else []


def speech_windows() -> np.ndarray:
    audio = read_wav(SAMPLE)
    return np.stack([audio[:40000], 0.2 * audio[6000:46000], audio[::-1][:40000].copy()])


def test_cpu_default_is_onnx_runtime_with_torch_s_labels(tiny_model_dir: Path) -> None:
    onnx = load(tiny_model_dir)
    torch = load(tiny_model_dir, backend="torch")
    assert (onnx.backend, torch.backend) == ("onnx", "torch")
    assert "ONNX Runtime" in onnx.describe() and "PyTorch" in torch.describe()
    a, b = onnx.frames(speech_windows()), torch.frames(speech_windows())
    assert a.ids.shape == b.ids.shape
    assert np.mean(a.ids == b.ids) >= ob.MIN_FRAME_AGREEMENT
    assert np.allclose(a.probs, b.probs, atol=1e-4)


def test_demo_model_words_equal_torch(demo_recognizer: Recognizer) -> None:
    audio = read_wav(SAMPLE)
    speech = np.concatenate([audio, np.zeros(8000, np.float32), 0.3 * audio, audio[::2].copy()])
    torch = load_recognizer(
        ModelOptions(name="demo", device="cpu", dtype="float32", backend="torch", warmup=False)
    )
    assert demo_recognizer.backend == "onnx"
    expected = transcribe_array(torch, speech).words
    got = transcribe_array(demo_recognizer, speech).words
    assert len(expected) >= 10
    assert [(w.text, w.start, w.end) for w in got] == [(w.text, w.start, w.end) for w in expected]


def test_export_once_then_cached_and_keyed_by_the_weights(
    tiny_model_dir: Path, cache: Path, tmp_path: Path
) -> None:
    stages: list[tuple[int, int, str]] = []
    first = load(tiny_model_dir, backend="onnx")
    assert first.backend == "onnx" and len(entries(cache)) == 1
    info = (entries(cache)[0] / ob.INFO_FILE).read_text()
    assert '"frame_agreement": 1.0' in info
    load_recognizer(
        ModelOptions(name=str(tiny_model_dir), device="cpu", warmup=False),
        export_progress=lambda *stage: stages.append(stage),
    )
    assert stages == [] and len(entries(cache)) == 1  # the second load exported nothing
    # Other weights, same file names: another key, another export, with progress.
    other = make_model_dir(tmp_path / "other-model", seed=1)
    load_recognizer(
        ModelOptions(name=str(other), device="cpu", warmup=False),
        export_progress=lambda *stage: stages.append(stage),
    )
    assert [s[:2] for s in stages] == [(1, 3), (2, 3), (3, 3)]
    assert len(entries(cache)) == 2


def test_hub_cache_files_are_keyed_by_their_blob_names_without_reading_them(
    tmp_path: Path,
) -> None:
    """A Hugging Face cache snapshot links each file to a blob named by its content's hash: the
    key uses that name (no reading of the weights at every start); plain files are hashed."""

    def snapshot(repo: str, blob_name: str, content: bytes) -> Path:
        blobs, folder = tmp_path / repo / "blobs", tmp_path / repo / "snapshots" / "rev"
        blobs.mkdir(parents=True)
        folder.mkdir(parents=True)
        (blobs / blob_name).write_bytes(content)
        (folder / "model.safetensors").symlink_to(Path("../..") / "blobs" / blob_name)
        (folder / "config.json").write_text("{}")
        return folder

    same_name = (
        ob.model_digest(snapshot("a", "f00d", b"one")),
        ob.model_digest(snapshot("b", "f00d", b"two")),
    )
    assert same_name[0] == same_name[1]  # the name stands for the content: not read
    assert ob.model_digest(snapshot("c", "beef", b"one")) != same_name[0]
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "config.json").write_text("{}")
    (plain / "model.safetensors").write_bytes(b"one")
    digest = ob.model_digest(plain)
    (plain / "model.safetensors").write_bytes(b"two")
    assert ob.model_digest(plain) != digest  # a plain file is hashed


def test_a_killed_export_leaves_no_cache_entry(tiny_model_dir: Path, cache: Path) -> None:
    script = (
        "import sys\n"
        "from engine import ModelOptions, load_recognizer\n"
        "def note(stage, total, what):\n"
        "    print('stage', stage, flush=True)\n"
        f"load_recognizer(ModelOptions(name={str(tiny_model_dir)!r}, device='cpu', "
        "backend='onnx', warmup=False, threads=1), export_progress=note)\n"
        "print('done', flush=True)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "LIVE_CAPTIONS_ONNX_CACHE": str(cache)}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    killed = None
    try:
        assert child.stdout.readline().strip() == "stage 1"  # torch.onnx.export is running
        killed = hard_kill(child)  # SIGKILL; TerminateProcess on Windows
    finally:
        child.wait(timeout=60)
    assert child.returncode == killed
    assert entries(cache) == []  # nothing that a later load would take for an export
    partials = list(cache.glob(".*.partial"))
    assert len(partials) == 1
    # The next load exports afresh and works; the dead process's folder is removed once old.
    recognizer = load(tiny_model_dir, backend="onnx")
    assert recognizer.backend == "onnx" and len(entries(cache)) == 1
    old = time.time() - 2 * ob.STALE_PARTIAL_S
    os.utime(partials[0], (old, old))
    assert ob.remove_stale_partials(cache) == partials
    assert not partials[0].exists()


def test_a_damaged_cache_entry_is_exported_again(tiny_model_dir: Path, cache: Path) -> None:
    load(tiny_model_dir, backend="onnx")
    (entry,) = entries(cache)
    (entry / ob.MODEL_FILE).write_bytes(b"not an onnx graph")
    recognizer = load(tiny_model_dir, backend="onnx")
    assert recognizer.backend == "onnx" and recognizer.notes == ()
    assert (entry / ob.MODEL_FILE).stat().st_size > 1000


def test_a_failed_export_falls_back_to_torch_with_one_note(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("LIVE_CAPTIONS_ONNX_CACHE", str(blocker))
    recognizer = load(tiny_model_dir)
    assert recognizer.backend == "torch"
    assert len(recognizer.notes) == 1 and "PyTorch" in recognizer.notes[0]
    assert str(blocker) in recognizer.notes[0]
    assert [r.levelname for r in caplog.records if "ONNX" in r.getMessage()] == ["WARNING"]
    assert recognizer.frames(speech_windows()).ids.shape[0] == 3


def test_int8_is_quantised_once_beside_the_export(tiny_model_dir: Path, cache: Path) -> None:
    recognizer = load(tiny_model_dir, backend="onnx", dtype="int8")
    assert (recognizer.backend, recognizer.dtype) == ("onnx", "int8")
    (entry,) = entries(cache)
    assert (entry / ob.INT8_FILE).is_file()
    assert not list(entry.glob(".*partial"))
    out = recognizer.frames(speech_windows())
    assert out.ids.shape == load(tiny_model_dir, backend="torch").frames(speech_windows()).ids.shape


def side_files(graph: Path) -> set[str]:
    """The files a graph's stored weights are in, other than itself."""
    import onnx

    tensors = onnx.load(str(graph), load_external_data=False).graph.initializer
    return {e.value for t in tensors for e in t.external_data if e.key == "location"}


def export_with_side_file(folder: Path) -> Path:
    """Export as a model over protobuf's 2 GB would be (a float32 Parakeet-CTC 0.6b is 2.4 GB):
    here every model is over the single-file limit asked for."""
    from transformers import AutoModelForCTC

    from engine.families import read_checkpoint

    features = read_checkpoint(folder, str(folder)).features
    model = AutoModelForCTC.from_pretrained(str(folder)).eval()
    return ob.export(model, folder, lambda w: features(w, None), threads=1, single_file_max_bytes=0)


@pytest.mark.slow
def test_a_large_model_keeps_its_weights_beside_the_graph(tmp_path: Path, cache: Path) -> None:
    """Weights over the single-file limit go into a side file in the same cache entry; the
    engine loads the entry, labels frames as PyTorch does, and quantises it to int8 the same
    way (a side file of its own, made in a partial folder first)."""
    folder = make_family_dir("parakeet_ctc", tmp_path / "parakeet")
    entry = export_with_side_file(folder)
    graph, weights = entry / ob.MODEL_FILE, ob.side_file(entry / ob.MODEL_FILE)
    assert entries(cache) == [entry]
    assert side_files(graph) == {weights.name} and weights.stat().st_size > 100_000
    exported = graph.stat()
    onnx_model = load(folder, backend="onnx")
    assert onnx_model.backend == "onnx" and onnx_model.notes == ()
    windows = np.stack([read_wav(SAMPLE)[:32000], 0.3 * read_wav(SAMPLE)[8000:40000]])
    a, b = onnx_model.frames(windows), load(folder, backend="torch").frames(windows)
    assert a.ids.shape == b.ids.shape
    assert float(np.mean(a.ids == b.ids)) >= ob.MIN_FRAME_AGREEMENT
    after = graph.stat()  # the entry was loaded, not discarded and exported again
    assert (after.st_ino, after.st_mtime_ns) == (exported.st_ino, exported.st_mtime_ns)
    int8 = load(folder, backend="onnx", dtype="int8")
    assert (int8.backend, int8.dtype) == ("onnx", "int8")
    assert side_files(entry / ob.INT8_FILE) == {f"{ob.INT8_FILE}.data"}
    assert sorted(p.name for p in entry.iterdir()) == sorted(
        [ob.INFO_FILE, ob.MODEL_FILE, ob.INT8_FILE, weights.name, f"{ob.INT8_FILE}.data"]
    )  # nothing left of the quantiser's work
    assert int8.frames(windows).ids.shape == b.ids.shape


def test_a_truncated_side_file_is_exported_again(tiny_model_dir: Path, cache: Path) -> None:
    """A side file cut short (a full disk, a copy that stopped) is no export: the entry is
    discarded and the model exported again, here into one file (it is under the limit)."""
    entry = export_with_side_file(tiny_model_dir)
    weights = ob.side_file(entry / ob.MODEL_FILE)
    with weights.open("r+b") as f:
        f.truncate(weights.stat().st_size // 2)
    recognizer = load(tiny_model_dir, backend="onnx")
    assert recognizer.backend == "onnx" and recognizer.notes == ()
    assert entries(cache) == [entry] and not weights.exists()
    assert (entry / ob.MODEL_FILE).stat().st_size > 1000


def test_backend_choices_are_checked(tiny_model_dir: Path) -> None:
    from engine import ModelLoadError

    with pytest.raises(ModelLoadError, match="unknown backend"):
        load(tiny_model_dir, backend="tensorflow")
    with pytest.raises(ModelLoadError, match="CPU"):
        load(tiny_model_dir, backend="onnx", dtype="bfloat16")
    assert load(tiny_model_dir, dtype="bfloat16").backend == "torch"  # auto: torch does bf16


def test_cli_shows_export_progress_and_takes_backend(tiny_model_dir: Path, tmp_path: Path) -> None:
    wav = tmp_path / "sample.wav"
    shutil.copy(SAMPLE, wav)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "LIVE_CAPTIONS_ONNX_CACHE": str(tmp_path / "cache"),
    }

    def transcribe(*extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "live_captions", "transcribe", str(wav), "--model"]
        command += [str(tiny_model_dir), "--no-progress", "--threads", "1", *extra]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)

    first = transcribe()
    assert first.returncode == 0, first.stderr
    assert "preparing the model for ONNX Runtime (1/3)" in first.stderr
    # Only our own lines: the exporter's notes about its internals stay out of the console.
    assert "torchvision" not in first.stderr and "Warning" not in first.stderr, first.stderr
    again = transcribe("--backend", "onnx")
    assert again.returncode == 0 and "preparing" not in again.stderr
    assert again.stdout == first.stdout
    torch = transcribe("--backend", "torch")
    assert torch.returncode == 0 and torch.stdout == first.stdout
    bad = transcribe("--backend", "tensorflow")
    assert bad.returncode == 2 and "--backend" in bad.stderr


def test_an_export_without_log_probabilities_is_refused(tmp_path: Path) -> None:
    """A graph of the first export format (ids and probs only) cannot serve beam search: the
    runner refuses it, and loading exports the model again."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("ArgMax", ["input_values"], ["ids"], axis=1, keepdims=0)]
        + [helper.make_node("ReduceMax", ["input_values"], ["probs"], keepdims=0)],
        "old",
        [helper.make_tensor_value_info("input_values", TensorProto.FLOAT, ["b", "n"])],
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["b"]),
            helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["b"]),
        ],
    )
    path = tmp_path / "old.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    with pytest.raises(ob.ExportError, match="older format"):
        ob.OnnxRunner(path)


def test_onnx_runtime_sends_no_telemetry(tiny_model_dir: Path, tmp_path: Path) -> None:
    """ONNX Runtime's own usage telemetry (1.29 and later, on every OS) stays off: after a real
    export and run in a fresh process, no telemetry session file in the temporary folder and no
    device identifier or event cache under the home folder."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TMPDIR": str(temp),
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "LIVE_CAPTIONS_ONNX_CACHE": str(tmp_path / "cache"),
    }
    env.pop("ORT_DISABLE_TELEMETRY", None)
    script = (
        "import sys\n"
        "from engine import ModelOptions, load_recognizer\n"
        "r = load_recognizer(ModelOptions(name=sys.argv[1], backend='onnx', threads=1))\n"
        "assert r.backend == 'onnx', r.notes\n"
    )
    command = [sys.executable, "-c", script, str(tiny_model_dir)]
    subprocess.run(command, env=env, check=True, timeout=600)
    assert [p.name for p in temp.rglob("*") if p.name.endswith(".ses")] == []
    assert not (home / ".cache" / "Microsoft").exists()


def test_a_cached_export_loads_without_importing_the_exporter(
    tiny_model_dir: Path, cache: Path
) -> None:
    """onnxscript takes seconds to import and only an export needs it: a load from the cache
    reads its version (part of the key) from the package's metadata, the same version the
    module gives, so the entry made by the export is found."""
    import onnxscript

    assert ob.versions()["onnxscript"] == onnxscript.__version__
    load(tiny_model_dir)  # exported into this test's cache
    script = (
        "import sys\n"
        "from engine import ModelOptions, load_recognizer\n"
        "r = load_recognizer(ModelOptions(name=sys.argv[1], backend='onnx', threads=1))\n"
        "assert r.backend == 'onnx', r.notes\n"
        "print('onnxscript' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-c", script, str(tiny_model_dir)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert "exporting" not in result.stderr and len(entries(cache)) == 1


def test_onnx_runtime_runs_the_thread_count_asked_for(tiny_model_dir: Path, cache: Path) -> None:
    load(tiny_model_dir)  # exported into this test's cache
    (entry,) = entries(cache)
    for threads in (1, 3):
        runner = ob.OnnxRunner(entry / ob.MODEL_FILE, threads)
        assert runner.session.get_session_options().intra_op_num_threads == threads


def test_an_export_that_fails_its_check_is_never_in_the_cache(
    tiny_model_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export the agreement check refuses (here: no export can label more than all frames
    like PyTorch) never reaches the cache, not even while it is checked."""
    import torch
    from transformers import Wav2Vec2ForCTC

    monkeypatch.setattr(ob, "MIN_FRAME_AGREEMENT", 1.01)
    seen: list[list[Path]] = []  # the cache's complete entries when the check runs
    real_check = ob.check_against_torch

    def check(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(entries(cache))
        return real_check(*args, **kwargs)

    monkeypatch.setattr(ob, "check_against_torch", check)
    model = Wav2Vec2ForCTC.from_pretrained(tiny_model_dir).eval()
    with torch.no_grad(), pytest.raises(ob.ExportError, match="like PyTorch"):
        ob.export(model, tiny_model_dir, lambda w: np.asarray(w, np.float32), threads=1)
    assert seen == [[]]  # nothing was in the cache while it was checked
    assert entries(cache) == [] and ob.cached_export(tiny_model_dir) is None


def test_a_failed_int8_quantisation_keeps_the_float32_export(
    tiny_model_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnxruntime.quantization

    load(tiny_model_dir, backend="onnx")
    (entry,) = entries(cache)
    exported = (entry / ob.MODEL_FILE).stat()

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(onnxruntime.quantization, "quantize_dynamic", fails)
    recognizer = load(tiny_model_dir, backend="onnx", dtype="int8")
    assert (recognizer.backend, recognizer.dtype) == ("torch", "int8")  # PyTorch's int8, noted
    assert entries(cache) == [entry]
    after = (entry / ob.MODEL_FILE).stat()  # the same file: not discarded and exported again
    assert (after.st_ino, after.st_mtime_ns) == (exported.st_ino, exported.st_mtime_ns)
    assert not (entry / ob.INT8_FILE).exists() and not list(entry.glob(".int8.*"))
    assert load(tiny_model_dir, backend="onnx").backend == "onnx"  # the export is still used


def test_a_rename_refused_for_a_moment_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Windows refuses a folder's rename while a virus scanner holds a new file in it."""
    real_rename = os.rename
    refusals = [PermissionError(13, "Access is denied")] * 2

    def scanned(source: object, target: object) -> None:
        if refusals:
            raise refusals.pop()
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(ob, "RENAME_WAITS_S", (0.0, 0.0, 0.0))
    monkeypatch.setattr(os, "rename", scanned)
    (tmp_path / "partial").mkdir()
    ob.rename_patiently(tmp_path / "partial", tmp_path / "entry")
    assert (tmp_path / "entry").is_dir() and not refusals
    refusals.extend([PermissionError(13, "Access is denied")] * 4)
    (tmp_path / "again").mkdir()
    with pytest.raises(PermissionError):  # refused longer than the waits: the caller decides
        ob.rename_patiently(tmp_path / "again", tmp_path / "other")


def test_a_folder_without_blob_links_is_hashed_once(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the Hugging Face cache is on Windows without symlinks (and a bundled model): the
    weights are read at the first load only, while their sizes and times stay the same."""
    folder = tmp_path / "no-links"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    weights = folder / "model.safetensors"
    weights.write_bytes(b"x" * 4096)
    old = time.time() - 3600
    for path in folder.iterdir():
        os.utime(path, (old, old))
    digest = ob.model_digest(folder)
    real_open = Path.open

    def unread(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.parent == folder:
            raise AssertionError(f"{self.name} was read again")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", unread)
    assert ob.model_digest(folder) == digest  # from the remembered digest
    monkeypatch.setattr(Path, "open", real_open)
    weights.write_bytes(b"y" * 4096)  # same size, new time: read again
    changed = ob.model_digest(folder)
    assert changed != digest
    monkeypatch.setattr(Path, "open", unread)
    with pytest.raises(AssertionError, match="read again"):  # just written: not remembered yet
        ob.model_digest(folder)
    assert [p.name for p in cache.iterdir()] == [ob.DIGESTS_FILE]  # hidden, not an entry
    assert entries(cache) == []
