"""Live captions in the desktop app: a fake sound device plays a spoken WAV through the real
capture callback, the engine worker feeds the tiny model's scheduler, and the window, the
overlay and the transcript file show the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers import desktop
from helpers.desktop import FakeSoundDevice, expected_utterances, expected_words, stereo_wav
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

from desktop_app.app import DesktopApp
from desktop_app.settings import Settings
from engine.pipeline import CaptionUpdate, UpdateKind
from engine.transcript import sentence_case

TEXT = "hello world this is a test of live captions on the desktop"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def speech48(speech_dir: Path) -> tuple[np.ndarray, int]:
    """Spoken English at 48 kHz in two channels, as a sound card delivers it."""
    from helpers import say

    return stereo_wav(say(TEXT, speech_dir / "desktop48.wav", rate=48000))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def make_app(qtbot, settings: Settings, tiny_recognizer, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app on the tiny model (helpers.desktop.make_app), closed with the test."""
    return lambda device: desktop.make_app(
        qtbot, settings, device, tmp_path, recognizer=tiny_recognizer
    )


def run_session(qtbot, app: DesktopApp, device: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    """Start, let the device play everything, stop; return when the last words are in."""
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()


def test_live_captions_reach_the_transcript_and_the_overlay(
    qtbot, make_app, speech48, tiny_recognizer
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="thread", speed=2.0)
    app = make_app(device)
    app.overlay.show()
    updates, seen_partials, overlay_saw, file_saw = [], [], [], []
    app.session.caption.connect(updates.append)
    original = app.overlay.apply

    def spy(update: CaptionUpdate) -> None:
        original(update)
        overlay_saw.append(update)
        if update.kind is UpdateKind.PARTIAL:
            seen_partials.append((app.overlay.visible_lines(), app.window.view.toHtml()))

    app.overlay.apply = spy  # type: ignore[method-assign]
    log_write = app.session.transcript_log.write
    app.session.caption.disconnect(log_write)
    app.session.caption.connect(lambda u: (file_saw.append(u), log_write(u)))
    run_session(qtbot, app, device)

    expected = expected_words(tiny_recognizer, audio, rate, app.settings.profile)
    assert expected, "the tiny model should spell some words"
    finals = [u for u in updates if u.kind is UpdateKind.FINAL]
    assert [w.text for u in finals for w in u.words] == expected
    # One caption update per change, made once: the overlay and the transcript file read the
    # very objects the session's pipeline made.
    assert all(a is b for a, b in zip(overlay_saw, updates, strict=True))
    assert all(a is b for a, b in zip(file_saw, updates, strict=True))
    assert [w.text for w in app.window.transcript.words] == expected
    # The window shows the same words, sentence-cased per line, each line after its start time.
    lines = app.window.view.toPlainText().strip().splitlines()
    shown = [word for line in lines for word in line.split()[1:]]
    assert [w.lower() for w in shown] == [w.lower() for w in expected]
    assert all(line[:8].count(":") == 2 for line in lines)
    assert lines[0].split()[1] == sentence_case(expected)[0]
    # Partial text reached the overlay (in the partial colour) and the window (in grey).
    assert seen_partials
    assert any(token.partial for lines_, _ in seen_partials for line in lines_ for token in line)
    assert any("#8a8a8a" in html for _, html in seen_partials)
    # After stopping, the overlay's newest line ends with the last final word, nothing partial.
    overlay_words = [t for line in app.overlay.visible_lines() for t in line]
    assert overlay_words and not any(t.partial for t in overlay_words)
    assert overlay_words[-1].text.lower() == expected[-1].lower()
    assert len(app.overlay.visible_lines()) <= app.overlay.style_.lines


def test_a_pause_ends_the_line_in_the_window_the_overlay_and_the_transcript_file(
    qtbot, make_app, settings, speech48, tiny_recognizer
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    pause = np.zeros((2 * rate, 2), np.float32)  # 2 s of silence between two sentences
    audio = np.concatenate([audio, pause, audio])
    settings.overlay_lines = 5  # room to see where each utterance begins
    device = FakeSoundDevice(audio, rate, mode="thread", speed=4.0)
    app = make_app(device)
    app.overlay.show()
    run_session(qtbot, app, device)

    expected = expected_utterances(tiny_recognizer, audio, rate, app.settings.profile)
    assert len(expected) >= 2, "the pause ends an utterance"
    # The window: one line per utterance.
    lines = app.window.view.toPlainText().strip().splitlines()
    assert [[w.lower() for w in line.split()[1:]] for line in lines] == [
        [w.lower() for w in u] for u in expected
    ]
    assert [[w.text for w in u.words] for u in app.window.transcript.utterances] == expected
    # The overlay: each utterance starts a sentence (capitalised), the others run on.
    cased = [w for u in expected for w in sentence_case(u)]
    shown = [t.text for line in app.overlay.visible_lines() for t in line]
    assert shown == cased[-len(shown) :] and len(shown) > len(expected[-1])
    # The transcript file: one line per utterance too.
    written = next((app.session.transcript_log.folder).glob("captions-*.txt")).read_text("utf-8")
    assert len(written.splitlines()) == len(expected)


def test_an_engine_failure_stops_captions_with_a_message_and_keeps_the_transcript(
    qtbot, make_app, speech48, tiny_recognizer
) -> None:  # type: ignore[no-untyped-def]
    from helpers import Exploding

    from engine.scheduler import Scheduler

    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    run_session(qtbot, app, device)
    before = app.window.transcript.text()
    assert before
    # The model fails on every forward pass from now on (as a GPU out of memory would).
    failing = Scheduler(Exploding(tiny_recognizer)).start()
    app.session.set_scheduler(failing)
    try:
        with (
            qtbot.waitSignal(app.session.error, timeout=TIMEOUT_MS) as error,
            qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS),
        ):
            app.window.act_start.trigger()
    finally:
        failing.stop()
    assert error.args[0].startswith("Captioning stopped") and "boom" in error.args[0]
    assert "Captioning stopped" in app.window.message_bar.text()
    assert not app.session.running
    assert app.window.start_button.text() == "Start" and app.window.start_button.isEnabled()
    assert app.window.transcript.text() == before


def test_stop_drains_the_queue_so_the_last_words_are_kept(
    qtbot, make_app, speech48, tiny_recognizer
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    # "burst": the device puts the whole recording into the capture queue as the stream starts;
    # holding the scheduler's lock keeps the worker from reading any of it until Stop was pressed.
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS), app.scheduler._cond:
        app.window.act_start.trigger()
        app.window.act_start.trigger()
        assert app.session.capture.queue.qsize() == device.stream.delivered > 0
    assert app.session.capture is not None and app.session.capture.queue.empty()
    expected = expected_words(tiny_recognizer, audio, rate, app.settings.profile)
    assert [w.text for w in app.window.transcript.words] == expected
    # The session was written to a transcript file as it went.
    files = list((app.session.transcript_log.folder).glob("captions-*.txt"))
    assert len(files) == 1
    written = files[0].read_text(encoding="utf-8")
    assert [w.lower() for line in written.splitlines() for w in line.split()[1:]] == [
        w.lower() for w in expected
    ]


def test_queue_overflow_is_counted_and_shown(qtbot, make_app, speech48) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="burst", overflow_blocks=(3,))
    app = make_app(device)
    app.session.max_queue_s = 0.25  # room for 5 blocks of 50 ms
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
        app.window.act_start.trigger()
    capture = app.session.capture
    assert capture.dropped_blocks == device.stream.delivered - 5
    assert capture.device_overflows == 1
    assert str(capture.lost_blocks) in app.window.dropped_label.text()


def test_a_device_that_fails_shows_a_message_and_keeps_the_transcript(
    qtbot, make_app, speech48
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    run_session(qtbot, app, device)
    before = app.window.transcript.text()
    assert before
    # The device stops delivering halfway through (unplugged): an error, then a clean stop.
    device.mode, device.abort_after = "thread", 20
    errors: list[str] = []
    app.session.error.connect(errors.append)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    assert errors and "stopped delivering sound" in errors[0]
    assert "stopped delivering sound" in app.window.message_bar.text()
    assert app.window.transcript.text().startswith(before)
    assert app.window.start_button.text() == "Start" and app.window.start_button.isEnabled()
    # The device cannot even be opened: a message, the transcript stays, the app stays usable.
    device.abort_after, device.fail_on_start = None, True
    with qtbot.waitSignal(app.session.error, timeout=TIMEOUT_MS) as blocker:
        app.window.act_start.trigger()
    assert "cannot be opened" in blocker.args[0]
    assert "cannot be opened" in app.window.message_bar.text()
    assert not app.session.running
    assert app.window.transcript.text().startswith(before)


def test_copy_and_clear(qtbot, make_app, speech48) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    run_session(qtbot, app, device)
    app.window.copy_all()
    assert QGuiApplication.clipboard().text() == app.window.transcript.text() != ""
    transcript = app.window.transcript.transcript()
    assert transcript.segments and transcript.words[0].start >= 0
    app.window.clear_transcript()
    assert app.window.transcript.text() == "" and app.window.view.toPlainText() == ""
    assert app.overlay.visible_lines() == []


@pytest.mark.demo_model
def test_the_demo_model_captions_spoken_words_in_the_app(
    qtbot, settings, tmp_path, speech_dir
) -> None:  # type: ignore[no-untyped-def]
    """A sentence spoken at 48 kHz stereo reaches the window, the overlay and the transcript file
    as the right words (with the demo model's tolerance), through capture, resampling, the
    worker, the scheduler and stable partials."""
    import jiwer
    from helpers import DEMO_DIR, say

    if not (DEMO_DIR / "model.safetensors").is_file():
        pytest.skip("demo model not trained yet")
    from engine.model import DEMO_MODEL, ModelOptions, load_recognizer

    sentence = "the weather will be cold and windy tomorrow morning"
    audio, rate = stereo_wav(say(sentence, speech_dir / "demo48.wav", rate=48000))
    device = FakeSoundDevice(audio, rate, mode="thread", speed=2.0)
    demo = load_recognizer(ModelOptions(name=DEMO_MODEL, device="cpu", dtype="float32", threads=1))
    app = desktop.make_app(qtbot, settings, device, tmp_path, recognizer=demo)
    assert "synthetic voices" in app.window.model_label.text()  # the app says what this model is
    app.overlay.show()
    partials: list[str] = []
    app.session.caption.connect(
        lambda update: partials.append(update.text) if update.kind is UpdateKind.PARTIAL else None
    )
    try:
        run_session(qtbot, app, device)
    finally:
        app.window.close()
        app.overlay.close()
    heard = " ".join(w.text for w in app.window.transcript.words).lower()
    assert jiwer.cer(sentence, heard) <= 0.25, heard
    assert partials, "partial captions appeared while the sentence was spoken"
    # As shown (punctuated by the demo punctuation model once it has loaded): the same units in
    # the window, the overlay and the file.
    shown = " ".join(u for line in app.window.transcript.utterances for u in line.units)
    overlay = " ".join(t.text for line in app.overlay.visible_lines() for t in line)
    assert overlay and shown.endswith(overlay.split()[-1])
    written = next((tmp_path / "transcripts").glob("captions-*.txt")).read_text(encoding="utf-8")
    assert " ".join(w for line in written.splitlines() for w in line.split()[1:]) == shown


def test_the_steady_partials_setting_reaches_the_stream(
    qtbot, make_app, settings, speech48
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = speech48
    for steady in (False, True):
        settings.stable_partials = steady
        device = FakeSoundDevice(audio, rate, mode="thread", speed=4.0)
        app = make_app(device)
        with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
            app.window.act_start.trigger()
        assert app.session._worker.options.stable_partials is steady
        with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
            app.window.act_start.trigger()


def test_nan_samples_from_the_device_are_heard_as_silence_with_a_notice(
    qtbot, make_app, speech48, tiny_recognizer
) -> None:  # type: ignore[no-untyped-def]
    """A faulty driver delivers NaN and infinity in the middle of the speech: the captions go on
    (those samples are silence), one notice says why, and the session stops normally."""
    audio, rate = speech48
    audio = audio.copy()
    audio[rate : rate + 4000] = np.nan
    audio[2 * rate : 2 * rate + 10] = np.inf
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    notices: list[str] = []
    errors: list[str] = []
    app.session.notice.connect(notices.append)
    app.session.error.connect(errors.append)
    run_session(qtbot, app, device)
    assert errors == []
    assert len(notices) == 1 and "NaN" in notices[0]
    silenced = np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    expected = expected_words(tiny_recognizer, silenced, rate, app.settings.profile)
    assert expected and [w.text for w in app.window.transcript.words] == expected
    assert not app.session.running and app.window.start_button.isEnabled()


def test_a_worker_that_fails_unexpectedly_still_says_so_and_stops(
    qtbot, make_app, speech48, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Whatever breaks inside the worker's thread ends in an error message and ``stopped``: the
    captions never hang on a thread that died silently."""
    from desktop_app import worker

    class Broken(worker.Resampler):
        def __call__(self, samples, last=False):  # type: ignore[no-untyped-def]
            raise ValueError("resampler exploded")

    monkeypatch.setattr(worker, "Resampler", Broken)
    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    with (
        qtbot.waitSignal(app.session.error, timeout=TIMEOUT_MS) as error,
        qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS),
    ):
        app.window.act_start.trigger()
    assert "resampler exploded" in error.args[0]
    assert not app.session.running and app.window.start_button.text() == "Start"


@pytest.mark.demo_model
def test_pauses_end_lines_with_the_demo_model_in_the_window_overlay_and_file(
    qtbot, settings, tmp_path, speech_dir, demo_recognizer
) -> None:  # type: ignore[no-untyped-def]
    """Three sentences with 1.2 s pauses (where the demo model writes word delimiters) are three
    lines in the window and the transcript file, and three sentences in the overlay."""
    from helpers import SENTENCES, have, sentences_with_pauses

    if not have("flite"):
        pytest.skip("flite is needed for the demo model's voice")
    audio, rate = stereo_wav(sentences_with_pauses(speech_dir))
    device = FakeSoundDevice(audio, rate, mode="burst")
    settings.overlay_lines = 5
    app = desktop.make_app(qtbot, settings, device, tmp_path, recognizer=demo_recognizer)
    app.overlay.show()
    try:
        run_session(qtbot, app, device)
    finally:
        app.window.close()
        app.overlay.close()
    assert len(app.window.transcript.utterances) == len(SENTENCES)
    assert len(app.window.view.toPlainText().strip().splitlines()) == len(SENTENCES)
    written = next((tmp_path / "transcripts").glob("captions-*.txt")).read_text(encoding="utf-8")
    assert len(written.strip().splitlines()) == len(SENTENCES)
    overlay = [t.text for line in app.overlay.visible_lines() for t in line]
    assert sum(word[:1].isupper() for word in overlay) >= len(SENTENCES)


def test_the_window_the_session_files_and_the_export_tell_the_same_times(
    qtbot, make_app, speech48
) -> None:  # type: ignore[no-untyped-def]
    """Two sessions: every line carries the time of day it was said, the same in the window
    and in each session's transcript file (which used to restart at 00:00:00 while the window
    went on); an export counts from the first session's start on the same clock."""
    import datetime as dt

    import srt

    from desktop_app.live_transcript import time_of_day
    from engine.formats import render

    audio, rate = speech48
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device)
    before = dt.datetime.now().replace(microsecond=0)
    run_session(qtbot, app, device)
    run_session(qtbot, app, device)
    after = dt.datetime.now()
    zero = app.session.clock_start
    assert zero is not None and before <= zero <= after
    utterances = [u for u in app.window.transcript.utterances if u.words]
    assert len(utterances) >= 2
    labels = [time_of_day(zero, u.start) for u in utterances]
    window = app.window.view.toPlainText().strip().splitlines()
    assert [line.split()[0] for line in window] == labels
    files = sorted(app.session.transcript_log.folder.glob("captions-*.txt"))
    assert len(files) == 2  # one per session
    written = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert written == [f"[{t}] {line.split(maxsplit=1)[1]}" for t, line in zip(labels, window)]
    # The export: SRT times on the same clock, from the first session's start.
    transcript = app.window.transcript.transcript()
    cues = list(srt.parse(render(transcript, "srt")))
    assert cues[0].start.total_seconds() == pytest.approx(utterances[0].start, abs=0.001)
    starts = [zero + c.start for c in cues]
    assert [f"{t:%H:%M:%S}" for t in starts][0] == labels[0]
    assert starts == sorted(starts)  # (the fake device plays faster than real time)
