"""Loading models from folders and the (offline) hub, devices, dtypes, and the errors users see."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import DEMO_DIR, say

from devkit.speech import read_wav
from engine import ModelLoadError, ModelOptions, load_recognizer
from engine.model import Recognizer, conv_geometry, frames_for_samples

HAS_DEMO = (DEMO_DIR / "model.safetensors").is_file()


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def load(name: str | Path, **kwargs: object) -> Recognizer:
    options = {"device": "cpu", "dtype": "float32", "warmup": False, "threads": 1, **kwargs}
    return load_recognizer(ModelOptions(name=str(name), **options))  # type: ignore[arg-type]


def speech_windows() -> np.ndarray:
    """Two 1.25 s windows of noise-modulated tones (deterministic)."""
    rng = np.random.default_rng(0)
    t = np.arange(20000) / 16000
    tone = np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return np.stack([0.3 * tone, rng.normal(0, 0.1, t.size)]).astype(np.float32)


def assert_user_message(exc: pytest.ExceptionInfo[ModelLoadError], name: str) -> None:
    message = str(exc.value)
    assert name in message
    assert (
        "local folder" in message and "demo" in message
    )  # what to do, in words any front end can use
    assert "Traceback" not in message


def test_tiny_model_folder_loads(tiny_recognizer: Recognizer, tiny_model_dir: Path) -> None:
    r = tiny_recognizer
    assert (r.frame_samples, r.receptive_field) == (320, 400)
    assert r.vocab.blank_id == 0 and r.vocab.delimiter_id == 4
    assert len(r.vocab.tokens) == 32 and r.vocab.tokens[5] == "E"
    assert r.device == "cpu" and r.dtype == "float32" and r.features.do_normalize
    assert not r.is_demo
    assert r.name == str(tiny_model_dir)
    assert str(tiny_model_dir) in r.describe() and "CPU" in r.describe()


@pytest.mark.parametrize("num_samples", [400, 719, 720, 16000, 20000])
def test_frame_count_matches_the_conv_geometry(
    tiny_recognizer: Recognizer, num_samples: int
) -> None:
    out = tiny_recognizer.frames(np.zeros((1, num_samples), np.float32))
    assert out.ids.shape == (1, frames_for_samples(num_samples, 320, 400))
    assert frames_for_samples(399, 320, 400) == 0


def test_conv_geometry_of_wav2vec2() -> None:
    assert conv_geometry([10, 3, 3, 3, 3, 2, 2], [5, 2, 2, 2, 2, 2, 2]) == (320, 400)


def test_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError, match="does not exist") as exc:
        load(missing)
    assert_user_message(exc, str(missing))


def test_folder_without_config(tmp_path: Path) -> None:
    (tmp_path / "weights.bin").write_bytes(b"\0" * 10)
    with pytest.raises(ModelLoadError, match="config.json") as exc:
        load(tmp_path)
    assert_user_message(exc, str(tmp_path))


def test_file_instead_of_folder(tmp_path: Path) -> None:
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"\0" * 10)
    with pytest.raises(ModelLoadError, match="is a file") as exc:
        load(file)
    assert_user_message(exc, str(file))


def test_hub_id_not_in_cache_offline() -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # conftest: the tests never reach the network
    name = "live-captions-tests/no-such-model"
    with pytest.raises(ModelLoadError) as exc:
        load(name)
    assert_user_message(exc, name)
    assert "cache" in str(exc.value)


def test_hub_id_with_local_files_only() -> None:
    name = "live-captions-tests/also-missing"
    with pytest.raises(ModelLoadError, match="downloads are off") as exc:
        load(name, local_files_only=True)
    assert_user_message(exc, name)


def test_folder_without_processor_files(tmp_path: Path, tiny_model_dir: Path) -> None:
    folder = tmp_path / "weights-only"
    folder.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_model_dir / name, folder / name)
    with pytest.raises(ModelLoadError, match="processor") as exc:
        load(folder)
    assert str(folder) in str(exc.value)


def test_folder_without_weights(tmp_path: Path, tiny_model_dir: Path) -> None:
    folder = tmp_path / "no-weights"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="weights") as exc:
        load(folder)
    assert str(folder) in str(exc.value)


def test_truncated_weights_file(tmp_path: Path, tiny_model_dir: Path) -> None:
    # An interrupted download or copy: the user must get a ModelLoadError, not a traceback.
    folder = tmp_path / "cut-weights"
    shutil.copytree(tiny_model_dir, folder)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(ModelLoadError) as exc:
        load(folder)
    assert str(folder) in str(exc.value)


@pytest.mark.skipif(
    not HAS_DEMO, reason="the demo model has not been trained yet (tools/demo_model)"
)
def test_fallback_to_demo_loads_the_demo() -> None:
    recognizer = load("live-captions-tests/missing", fallback_to_demo=True)
    assert recognizer.is_demo
    assert "demo" in recognizer.describe()


@pytest.fixture()
def no_demo_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An installation whose bundled demo model is missing: its folder is empty."""
    import engine.model_dir

    monkeypatch.setattr(engine.model_dir, "demo_model_dir", lambda: tmp_path / "empty")


@pytest.mark.usefixtures("no_demo_model")
def test_fallback_without_a_demo_model_raises() -> None:
    with pytest.raises(ModelLoadError, match="demo model is missing"):
        load("live-captions-tests/missing", fallback_to_demo=True)


@pytest.mark.usefixtures("no_demo_model")
def test_an_explicit_demo_request_without_the_demo_model_is_not_a_loop() -> None:
    with pytest.raises(ModelLoadError, match="demo model is missing"):
        load("demo", fallback_to_demo=True)


def test_cuda_requested_without_cuda(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # a machine without CUDA
    with pytest.raises(ModelLoadError, match="CUDA") as exc:
        load(tiny_model_dir, device="cuda")
    assert "--device cpu" in str(exc.value)


@pytest.mark.parametrize(
    ("options", "words"),
    [({"device": "tpu"}, "unknown device"), ({"dtype": "float8"}, "unknown dtype")],
)
def test_unknown_device_or_dtype(tiny_model_dir: Path, options: dict, words: str) -> None:
    with pytest.raises(ModelLoadError, match=words):
        load(tiny_model_dir, **options)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int8"])
def test_cpu_dtypes_give_frames(tiny_model_dir: Path, dtype: str) -> None:
    recognizer = load(tiny_model_dir, dtype=dtype)
    assert recognizer.dtype == dtype
    out = recognizer.frames(speech_windows())
    assert out.ids.shape == out.probs.shape == (2, frames_for_samples(20000, 320, 400))
    assert np.issubdtype(out.ids.dtype, np.integer) and out.probs.dtype == np.float32
    assert out.ids.min() >= 0 and out.ids.max() < 32
    assert np.all((out.probs > 0) & (out.probs <= 1))


@pytest.mark.parametrize("dtype", ["bfloat16", "int8"])
def test_faster_dtypes_mostly_agree_with_float32(
    tiny_model_dir: Path, tiny_recognizer: Recognizer, dtype: str
) -> None:
    # The tiny model has random weights: its per-frame distributions are nearly flat (top
    # probability about 1/32), so a small rounding change can flip the argmax. A trained model
    # agrees far more often; here we only check that the reduced-precision model computes the same
    # function, not a different or broken one (which would agree on about 1/32 of the frames).
    reference = tiny_recognizer.frames(speech_windows()).ids
    ids = load(tiny_model_dir, dtype=dtype).frames(speech_windows()).ids
    assert ids.shape == reference.shape
    assert np.mean(ids == reference) > 0.5


@pytest.mark.skipif(
    not HAS_DEMO, reason="the demo model has not been trained yet (tools/demo_model)"
)
def test_the_demo_model_in_bfloat16_labels_speech_as_float32_does(tmp_path: Path) -> None:
    # On CPUs with AMX, PyTorch 2.13's bfloat16 kernel for the demo model's positional
    # convolution (192 channels in 16 groups) gave garbage: 48 % of the frames as float32's.
    samples = read_wav(say("the quick brown fox jumps over the lazy dog", tmp_path / "fox.wav"))
    batch = samples[None]
    reference = load("demo").frames(batch).ids
    ids = load("demo", dtype="bfloat16").frames(batch).ids
    assert np.mean(ids == reference) > 0.9


def test_a_convolution_the_cpu_gets_wrong_runs_in_float32() -> None:
    import torch

    from engine.model import _float32_where_wrong

    class WrongInBfloat16(torch.nn.Conv1d):
        """A convolution as a faulty bfloat16 kernel computes it (the hardware's fault)."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out = super().forward(x)
            return out.flip(-1) if out.dtype == torch.bfloat16 else out

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv1d(8, 8, 5, padding=2, groups=2), WrongInBfloat16(8, 8, 5, padding=2)
    )
    x = torch.randn(1, 8, 40)
    with torch.no_grad():
        want = model(x)
        model.to(torch.bfloat16)
        assert _float32_where_wrong(model) == ["1"]
        got = model(x.to(torch.bfloat16))
    assert model[0].weight.dtype == torch.bfloat16  # the right one keeps its precision
    assert model[1].weight.dtype == torch.float32
    assert got.dtype == torch.bfloat16  # the model's dtype outside the fixed convolution
    assert float((got.float() - want).norm() / want.norm()) < 0.02


def test_auto_dtype_on_cpu(tiny_model_dir: Path) -> None:
    import torch

    from engine.model import DEFAULT_CPU_DTYPE

    recognizer = load(tiny_model_dir, dtype="auto")
    # The configured CPU default, unless it is bfloat16 and this CPU cannot run it (no AVX512-BF16).
    bf16_ok = torch.ops.mkldnn._is_mkldnn_bf16_supported()
    assert recognizer.dtype == (DEFAULT_CPU_DTYPE if bf16_ok else "float32")
    assert recognizer.frames(speech_windows()).ids.shape[0] == 2


def test_warm_up_runs_and_threads_are_set(tiny_model_dir: Path) -> None:
    import torch

    torch.set_num_threads(2)  # conftest set 1: start elsewhere, so that the load must change it
    try:
        recognizer = load(tiny_model_dir, warmup=True, threads=1)
        assert torch.get_num_threads() == 1
        recognizer.warm_up(seconds=0.5)
    finally:
        torch.set_num_threads(1)


def test_silent_windows_give_finite_probabilities(tiny_recognizer: Recognizer) -> None:
    out = tiny_recognizer.frames(np.zeros((2, 16000), np.float32))
    assert np.all(np.isfinite(out.probs))


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_available(), reason="needs CUDA")
def test_cuda_float16(tiny_model_dir: Path, tiny_recognizer: Recognizer) -> None:
    recognizer = load(tiny_model_dir, device="cuda", dtype="float16")
    assert recognizer.device == "cuda" and recognizer.dtype == "float16"
    out = recognizer.frames(speech_windows())
    assert out.ids.shape == (2, frames_for_samples(20000, 320, 400))
    assert np.mean(out.ids == tiny_recognizer.frames(speech_windows()).ids) > 0.5
    assert load(tiny_model_dir, device="auto", dtype="auto").dtype == "float16"


def test_power_saving_takes_a_cheaper_dtype_and_one_thread_on_the_cpu_unless_told_otherwise() -> (
    None
):
    from engine.model import power_saver_dtype, power_saving

    saver = ModelOptions(power_saver=True)
    cheaper = power_saver_dtype()
    assert (power_saving(saver, "cpu").dtype, power_saving(saver, "cpu").threads) == (cheaper, 1)
    told = ModelOptions(power_saver=True, dtype="float32", threads=2)
    assert (power_saving(told, "cpu").dtype, power_saving(told, "cpu").threads) == ("float32", 2)
    assert power_saving(saver, "cuda") == saver  # int8 runs on the CPU only
    assert power_saving(ModelOptions(), "cpu") == ModelOptions()


@pytest.mark.parametrize(("avx512_bf16", "amx", "dtype"), [
    (True, False, "bfloat16"), (False, True, "bfloat16"), (False, False, "int8"),
])  # fmt: skip
def test_power_saving_takes_bfloat16_only_where_the_cpu_multiplies_it(
    monkeypatch: pytest.MonkeyPatch, avx512_bf16: bool, amx: bool, dtype: str
) -> None:
    import torch

    from engine.model import power_saver_dtype

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert power_saver_dtype() == dtype
