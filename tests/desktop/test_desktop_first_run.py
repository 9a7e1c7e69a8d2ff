"""The first-run dialog against a fake hub on loopback: what it says it will download, the
download's progress, cancel, an unreachable hub and its mirror, failures, the other choices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers import DEMO_DIR
from helpers.desktop import FakeSoundDevice, ini, make_app
from helpers.fakehub import FakeHub, closed_port_url
from PySide6.QtCore import Qt

from desktop_app.app import DesktopApp
from engine.hub import MIRROR_EXAMPLE, cached_model

REPO = "acme/demo-w2v"
TIMEOUT_MS = 120_000
CLICK = Qt.MouseButton.LeftButton

pytestmark = pytest.mark.skipif(
    not (DEMO_DIR / "model.safetensors").is_file(), reason="the demo model is the served repo"
)


@pytest.fixture
def first_start(qtbot, tmp_path: Path, fake_hub: FakeHub, hub_cache: Path):  # type: ignore[no-untyped-def]
    """A fresh profile whose model is on the (fake) hub only; the app started."""
    settings = ini(tmp_path / "settings.ini")
    device = FakeSoundDevice(np.zeros((1600, 1), np.float32), 16000, name="USB headset")
    settings.model, settings.hub_endpoint, settings.compute_device = REPO, fake_hub.url, "cpu"
    # These tests are about the download: PyTorch runs the model, so that no ONNX export (a
    # minute or more on a busy machine with an empty cache) follows it. The export's own
    # progress signal is tested in test_desktop_window.
    settings.backend = "torch"
    app = make_app(qtbot, settings, device, tmp_path)
    yield app
    app.loader.cancel()
    app.shutdown()


def start(qtbot, app: DesktopApp, answered: bool = True):  # type: ignore[no-untyped-def]
    app.start_model()
    dialog = app.first_run_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.info_shown, timeout=TIMEOUT_MS) as info:
        pass
    assert info.args == [answered]
    return dialog


def test_the_first_start_says_what_it_downloads_and_shows_progress(
    qtbot, first_start: DesktopApp, fake_hub: FakeHub
) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    fake_hub.rate = 4e6
    dialog = start(qtbot, app)
    details = dialog.details.text()
    assert REPO in details and "8.3 MB" in details and fake_hub.url in details
    assert (
        "demo model" in dialog.demo_button.text()
        and "synthetic voices" in dialog.demo_button.text()
    )
    assert "No speech model" in app.window.message_bar.text()
    assert not app.window.act_start.isEnabled()
    seen: list[tuple[str, int, int]] = []
    app.loader.progress.connect(lambda *args: seen.append(args))
    app.loader.export_progress.connect(lambda *args: seen.append(("export", *args)))
    with qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
        assert dialog.cancel_button.isVisible() and not dialog.demo_button.isEnabled()
    downloads = [s for s in seen if s[2]]
    assert len(downloads) >= 4 and downloads[-1][1] == downloads[-1][2]
    assert any("MB of 8.3 MB" in text and "left" in text for text, _, _ in downloads)
    assert not dialog.isVisible() and app.recognizer is not None
    assert app.window.act_start.isEnabled() and not app.window.message_bar.text()
    assert app.settings.model == REPO and cached_model(REPO) is not None


def test_cancel_stops_the_download_and_the_dialog_stays_usable(
    qtbot, first_start: DesktopApp, fake_hub: FakeHub
) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    fake_hub.rate = 1e6
    dialog = start(qtbot, app)
    with qtbot.waitSignal(
        app.loader.progress, timeout=TIMEOUT_MS, check_params_cb=lambda text, done, total: done > 0
    ):
        qtbot.mouseClick(dialog.download_button, CLICK)
    with qtbot.waitSignal(app.loader.cancelled, timeout=5_000):
        qtbot.mouseClick(dialog.cancel_button, CLICK)
    assert dialog.isVisible() and dialog.download_button.isVisible()
    assert "cancelled" in dialog.status.text() and not dialog.progress.isVisible()
    assert app.recognizer is None and not app.loader.busy
    assert cached_model(REPO) is None  # nothing half-downloaded is used
    fake_hub.rate = None
    with qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
    assert app.recognizer is not None


def test_an_unreachable_hub_points_to_a_mirror_and_the_mirror_is_used(
    qtbot, first_start: DesktopApp, fake_hub: FakeHub
) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    app.settings.hub_endpoint = closed_port_url()
    dialog = start(qtbot, app, answered=False)
    message = dialog.status.text()
    assert "cannot be reached" in message and MIRROR_EXAMPLE in message and "mirror" in message
    # Advice for the dialog, not the command line: the mirror once, named by its field's label.
    assert message.count(MIRROR_EXAMPLE) == 1 and "“Download from”" in message
    assert "--hub-endpoint" not in message and "HF_ENDPOINT" not in message
    assert MIRROR_EXAMPLE in [dialog.hub.itemText(i) for i in range(dialog.hub.count())]
    with qtbot.waitSignal(dialog.info_shown, timeout=TIMEOUT_MS) as info:
        dialog.hub.setCurrentText(fake_hub.url)  # the fake hub stands in for a mirror
    assert info.args == [True] and fake_hub.url in dialog.details.text()
    with qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
    assert app.settings.hub_endpoint == fake_hub.url
    assert fake_hub.requests("GET", "model.safetensors")


def test_a_failed_download_says_why_in_the_dialog(
    qtbot, first_start: DesktopApp, fake_hub: FakeHub
) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    app.settings.model = "acme/bert"
    dialog = start(qtbot, app)
    with qtbot.waitSignal(app.loader.failed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
    assert "not a CTC speech recogniser" in dialog.status.text()
    assert dialog.isVisible()
    assert dialog.download_button.isVisible() and dialog.demo_button.isEnabled()
    fake_hub.status = 503
    with qtbot.waitSignal(app.loader.failed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
    assert "(503)" in dialog.status.text() and MIRROR_EXAMPLE in dialog.status.text()


def test_the_demo_model_is_one_click_away(qtbot, first_start: DesktopApp) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    dialog = start(qtbot, app)
    with qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.demo_button, CLICK)
    assert not dialog.isVisible() and app.recognizer is not None and app.recognizer.is_demo
    assert app.settings.model == "demo"


def test_a_cached_model_starts_without_the_dialog(
    qtbot, first_start: DesktopApp, fake_hub: FakeHub
) -> None:  # type: ignore[no-untyped-def]
    from engine.hub import download_model

    download_model(REPO, fake_hub.url)
    with qtbot.waitSignal(first_start.loader.loaded, timeout=TIMEOUT_MS):
        first_start.start_model()
    assert first_start.first_run_dialog is None


def test_after_a_failed_download_the_dialog_stays_one_click_away(
    qtbot, first_start: DesktopApp
) -> None:  # type: ignore[no-untyped-def]
    """Offline: the download fails, the user closes the dialog; the window's message still
    offers "Get a speech model…", which opens the dialog again (the demo model in it)."""
    app = first_start
    app.settings.hub_endpoint = closed_port_url()
    dialog = start(qtbot, app, answered=False)
    with qtbot.waitSignal(app.loader.failed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
    dialog.reject()
    assert not dialog.isVisible()
    bar = app.window.message_bar
    assert not bar.isHidden() and bar.action_button.text() == "Get a speech model"
    qtbot.mouseClick(bar.action_button, CLICK)
    assert app.first_run_dialog is not None and app.first_run_dialog.isVisible()
    with qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(app.first_run_dialog.demo_button, CLICK)
    assert app.recognizer is not None and app.recognizer.is_demo


def test_a_hub_that_lists_no_sizes_shows_no_made_up_size_or_share(
    qtbot, first_start: DesktopApp, fake_hub: FakeHub
) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    fake_hub.sizes, fake_hub.rate = False, 8e6
    dialog = start(qtbot, app)
    assert REPO in dialog.details.text() and "0 B" not in dialog.details.text()
    seen: list[tuple[str, int, int, int]] = []
    app.loader.progress.connect(
        lambda text, done, total: seen.append((text, done, total, dialog.progress.maximum()))
    )
    with qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.download_button, CLICK)
    downloading = [s for s in seen if "Downloading" in s[0]]
    assert downloading and all(total == 0 and bar == 0 for _, _, total, bar in downloading)
    assert all(" of " not in text for text, *_ in downloading)  # bytes so far, no total
    assert downloading[-1][1] > 8_000_000
    assert cached_model(REPO) is not None


def test_long_progress_text_grows_the_dialog_instead_of_being_clipped(
    qtbot, first_start: DesktopApp
) -> None:  # type: ignore[no-untyped-def]
    app = first_start
    dialog = start(qtbot, app)
    dialog.downloading = True
    dialog.progress.show()
    text = app.loader.tr("Preparing the model for ONNX Runtime (once): {what}…").format(
        what="exporting the model to ONNX (once per model; a minute or more)"
    )
    dialog.set_progress(text * 3, 1, 3)
    dialog.layout().activate()  # the layout pass Qt would run next
    status = dialog.status
    assert status.height() >= status.heightForWidth(status.width())
    assert dialog.height() >= dialog.layout().minimumSize().height()


def test_the_offered_models_are_ranked_for_the_users_language_and_device(
    qtbot, tmp_path: Path, hub_cache: Path
) -> None:  # type: ignore[no-untyped-def]
    """The model list puts the user's language first and ranks by the catalogue's figures: on
    the CPU the cheapest to run, on CUDA the most accurate; the default model stands for "none
    chosen yet" and gives way to the first of them, a model the user chose does not."""
    from desktop_app.widgets.first_run import FirstRunDialog
    from engine.catalogue import find
    from engine.config import DEFAULT_MODEL

    def offered(model: str, language: str, cuda: bool) -> tuple[str, list[str]]:
        dialog = FirstRunDialog(model, closed_port_url(), language=language, cuda=cuda)
        qtbot.addWidget(dialog)
        items = [dialog.model.itemText(i) for i in range(dialog.model.count())]
        return dialog.model.currentText(), items

    chosen, english_cpu = offered(DEFAULT_MODEL, "en_US", cuda=False)
    assert chosen == english_cpu[0] == DEFAULT_MODEL  # the cheapest English model on a CPU
    assert "demo" not in english_cpu  # it has a button of its own
    costs = [find(m).cpu_cost or 99.0 for m in english_cpu[:4]]  # type: ignore[union-attr]
    assert costs == sorted(costs)
    chosen, english_gpu = offered(DEFAULT_MODEL, "en", cuda=True)
    assert chosen == english_gpu[0] == "nvidia/parakeet-ctc-1.1b"  # WER 1.83, test-clean
    for language in ("zh_CN", "zh_TW"):
        chosen, chinese = offered(DEFAULT_MODEL, language, cuda=False)
        assert find(chosen).language == "zh-CN"  # type: ignore[union-attr]
        assert chinese[1] == "hf-audio/omniasr-ctc-300m-v2"  # then the multilingual model
    chosen, korean = offered(DEFAULT_MODEL, "ko", cuda=False)
    assert chosen == "hf-audio/omniasr-ctc-300m-v2"  # no Korean model: the one that hears it
    chosen, _ = offered("nvidia/parakeet-ctc-0.6b", "zh_CN", cuda=False)
    assert chosen == "nvidia/parakeet-ctc-0.6b"  # the user's own choice stays


def test_the_app_offers_the_models_of_its_interface_language(
    qtbot, tmp_path: Path, hub_cache: Path
) -> None:  # type: ignore[no-untyped-def]
    from engine.config import DEFAULT_MODEL

    settings = ini(tmp_path / "settings.ini")
    settings.model, settings.hub_endpoint = DEFAULT_MODEL, closed_port_url()
    settings.language, settings.compute_device = "zh_CN", "cpu"
    device = FakeSoundDevice(np.zeros((1600, 1), np.float32), 16000, name="USB headset")
    app = make_app(qtbot, settings, device, tmp_path)
    try:
        dialog = start(qtbot, app, answered=False)
        assert dialog.model.currentText() == "jonatasgrosman/wav2vec2-large-xlsr-53-chinese-zh-cn"
    finally:
        app.shutdown()
