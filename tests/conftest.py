from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# ONNX exports of the tests' models (the CPU's default backend) go to a cache of this test
# session's own (removed at its end), not the user's and not one an earlier run left: a new
# machine's first run exports every model, as every run does.
os.environ["LIVE_CAPTIONS_ONNX_CACHE"] = tempfile.mkdtemp(prefix="live-captions-tests-onnx-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import skip_policy
from helpers import DEMO_DIR, WINDOWS, make_model_dir, say


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(os.environ["LIVE_CAPTIONS_ONNX_CACHE"], ignore_errors=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """One torch thread once a test has imported torch (unit tests never do): the tests' models
    are small, and on a shared 2-core machine torch's default thread count makes each call many
    times slower when another process is busy."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def pytest_configure(config: pytest.Config) -> None:
    # Under CI, skips other than the gpu and packaging marks fail (see skip_policy).
    config.pluginmanager.register(skip_policy, "skip_policy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that speak their input (the speech_dir fixture) carry the speech_tools mark: they
    hear recorded speech (tests/data/speech) or, for new text, espeak-ng, flite and sox."""
    for item in items:
        if "speech_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.speech_tools)
        # helpers.posix_only / windows_only: skipped, with the reason, where the OS lacks it.
        for mark in item.iter_markers("platform"):
            if mark.kwargs.get("windows", False) != WINDOWS:
                item.add_marker(pytest.mark.skip(reason=mark.kwargs["reason"]))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_model_dir(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_recognizer(tiny_model_dir: Path):
    from engine import ModelOptions, load_recognizer

    return load_recognizer(
        ModelOptions(name=str(tiny_model_dir), device="cpu", dtype="float32", warmup=False)
    )


@pytest.fixture(scope="session")
def demo_recognizer():
    if not (DEMO_DIR / "model.safetensors").is_file():
        pytest.skip("the demo model has not been trained yet (tools/demo_model)")
    from engine import ModelOptions, load_recognizer

    return load_recognizer(ModelOptions(name="demo", device="cpu", dtype="float32", warmup=False))


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests put the speech they say (helpers.say: recorded samples, else a synthesiser)."""
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def hello_wav(speech_dir: Path) -> Path:
    return say("hello world this is a test of live captions", speech_dir / "hello.wav")


@pytest.fixture(scope="session")
def cjk_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model with a Chinese character vocabulary (as XLSR zh-CN fine-tunes)."""
    from helpers import CJK_VOCAB

    return make_model_dir(tmp_path_factory.mktemp("cjk-model"), vocab=CJK_VOCAB, seed=1)


@pytest.fixture(scope="session")
def cjk_recognizer(cjk_model_dir: Path):
    from engine import ModelOptions, load_recognizer

    return load_recognizer(
        ModelOptions(name=str(cjk_model_dir), device="cpu", dtype="float32", warmup=False)
    )


@pytest.fixture(scope="session")
def cmn_wav(speech_dir: Path) -> Path:
    """About 9 s of Mandarin from espeak-ng's cmn voice."""
    text = "我们今天用电脑写代码，然后在大屏幕上显示字幕给大家看。谢谢你们的帮助，再见。"
    return say(text, speech_dir / "cmn.wav", voice="espeak:cmn")


@pytest.fixture(scope="session")
def marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random MarianMT (OPUS-MT architecture) with sentencepiece vocabularies."""
    from devkit.tiny_marian import make_marian_dir

    return make_marian_dir(tmp_path_factory.mktemp("marian"))


@pytest.fixture(autouse=True, scope="session")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CTranslate2 conversions of the tests' translation models: this run's, not the user's."""
    os.environ["LIVE_CAPTIONS_CT2_CACHE"] = str(tmp_path_factory.mktemp("ct2"))


@pytest.fixture
def fake_hub(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A hub on loopback serving the demo model as acme/demo-w2v and a text model as acme/bert."""
    from helpers.fakehub import FakeHub, not_a_speech_model

    bert = not_a_speech_model(tmp_path_factory.mktemp("bert"))
    with FakeHub({"acme/demo-w2v": DEMO_DIR, "acme/bert": bert}) as hub:
        yield hub


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache for this test, with downloads allowed in this process
    (huggingface_hub reads HF_HUB_OFFLINE and the cache folder when it is imported)."""
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    return cache
