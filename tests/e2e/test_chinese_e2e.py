"""Chinese end to end with the tiny random CJK model on espeak-ng's Mandarin (plumbing: the
text is gibberish, its structure is not): the command line as a real process, the HTTP and
OpenAI routes and the WebSocket on a real server, and the desktop app's live captions. Units are
single characters, times increase, no giant word, SRT cues split, Chinese joined without spaces,
and the simplified/traditional option converts on every path."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
import srt
import websockets
from helpers import read_wav
from websockets.exceptions import ConnectionClosed

from engine.api import ApiServer, ServerSettings
from engine.audio import float_to_pcm16
from engine.units import is_mark, is_unspaced

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120.0
# Characters of the tiny model's vocabulary that OpenCC writes differently in traditional.
TRADITIONAL = {"写": "寫", "码": "碼", "谢": "謝", "国": "國", "们": "們", "这": "這"}


def check_units(units: list[dict]) -> None:
    assert len(units) >= 20
    longest = max(len(u["word"]) for u in units)
    assert longest < 20  # never one word of hundreds of characters
    for unit in units:
        text = unit["word"]
        if any(is_unspaced(c) for c in text):
            assert len([c for c in text if not is_mark(c)]) <= 1, text
        assert unit["end"] > unit["start"]
    for before, after in zip(units, units[1:]):
        assert after["start"] >= before["end"] - 1e-6


def check_spacing(text: str) -> None:
    """No space next to a character of a script written without spaces."""
    assert text.strip()
    for i, char in enumerate(text):
        if char == " ":
            assert not is_unspaced(text[i - 1]) and not is_unspaced(text[i + 1]), text


def cli(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "live_captions", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=600,
        check=False,
    )


def test_cli_transcribe_json_and_srt(cjk_model_dir: Path, cmn_wav: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmn.json"
    done = cli("transcribe", cmn_wav, "-o", out, "--model", cjk_model_dir, "--threads", "1",
               "--no-progress")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    units = [w for s in result["segments"] for w in s["words"]]
    check_units(units)
    for segment in result["segments"]:
        check_spacing(segment["text"])
    done = cli("transcribe", cmn_wav, "-f", "srt", "--model", cjk_model_dir, "--threads", "1",
               "--no-progress", "--chinese", "traditional")  # fmt: skip
    assert done.returncode == 0, done.stderr
    cues = list(srt.parse(done.stdout))
    assert len(cues) >= 2 and all(c.end > c.start for c in cues)
    plain = "".join(u["word"] for u in units)
    traditional = "".join(c.content.replace("\n", "") for c in cues)
    assert any(ch in plain for ch in TRADITIONAL)  # the test can tell conversion happened
    for simple, trad in TRADITIONAL.items():
        assert simple not in traditional
        if simple in plain:
            assert trad in traditional


def test_cli_listen_replays_chinese(cjk_model_dir: Path, cmn_wav: Path, tmp_path: Path) -> None:
    out = tmp_path / "listen.txt"
    done = cli("listen", "--input", cmn_wav, "--fast", "--output", out,
               "--model", cjk_model_dir, "--threads", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8").strip()
    assert sum(is_unspaced(c) for c in text) >= 20
    check_spacing(text)


@pytest.fixture(scope="module")
def server(cjk_recognizer):  # type: ignore[no-untyped-def]
    with ApiServer(ServerSettings(port=0, stats_interval_s=0), cjk_recognizer) as srv:
        yield srv


def test_openai_route_gives_character_units(server: ApiServer, cmn_wav: Path) -> None:
    def transcribe(**extra: str) -> dict:
        response = httpx.post(
            f"{server.url}/v1/audio/transcriptions",
            files={"file": ("cmn.wav", cmn_wav.read_bytes(), "audio/wav")},
            data={
                "response_format": "verbose_json",
                "timestamp_granularities[]": ["word", "segment"],
                **extra,
            },
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        return response.json()

    body = transcribe()
    check_units(body["words"])
    check_spacing(body["text"])
    assert len(body["segments"]) >= 2
    converted = transcribe(chinese="traditional")
    assert [w["start"] for w in converted["words"]] == [w["start"] for w in body["words"]]
    for simple in TRADITIONAL:
        assert simple not in converted["text"]
    bad = httpx.post(
        f"{server.url}/transcribe",
        files={"file": ("cmn.wav", cmn_wav.read_bytes(), "audio/wav")},
        data={"chinese": "klingon"},
        timeout=TIMEOUT,
    )
    assert bad.status_code == 400 and "simplified" in bad.text


async def _stream(url: str, audio: np.ndarray) -> list[dict]:
    messages = []
    async with websockets.connect(url, max_size=None) as ws:
        messages.append(json.loads(await ws.recv()))
        for i in range(0, len(audio), 3200):
            await ws.send(float_to_pcm16(audio[i : i + 3200]))
        await ws.send(json.dumps({"type": "close"}))
        async with asyncio.timeout(TIMEOUT):
            while True:
                try:
                    messages.append(json.loads(await ws.recv()))
                except ConnectionClosed:
                    break
    return messages


def test_websocket_streams_character_units(server: ApiServer, cmn_wav: Path) -> None:
    audio = read_wav(cmn_wav)
    url = server.url.replace("http://", "ws://") + "/ws/transcribe"
    messages = asyncio.run(_stream(url, audio))
    finals = [m for m in messages if m["type"] == "transcript" and m["is_final"]]
    units = [w for m in finals for w in m["words"]]
    check_units(units)
    for message in finals:
        check_spacing(message["text"])
    converted = asyncio.run(_stream(url + "?chinese=traditional", audio))
    assert converted[0]["chinese"] == "traditional"
    text = "".join(m["text"] for m in converted if m["type"] == "transcript" and m["is_final"])
    for simple in TRADITIONAL:
        assert simple not in text


def test_desktop_app_captions_chinese(qtbot, cjk_recognizer, cmn_wav: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pytestqt")
    from helpers.desktop import FakeSoundDevice, expected_words, stereo_wav
    from PySide6.QtCore import QSettings

    from desktop_app.app import DesktopApp
    from desktop_app.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.chinese = "traditional"
    audio, rate = stereo_wav(cmn_wav)
    device = FakeSoundDevice(audio, rate, mode="thread", speed=4.0)
    app = DesktopApp(settings, device, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window)
    try:
        app.set_recognizer(cjk_recognizer)
        app.overlay.show()
        with qtbot.waitSignal(app.session.started, timeout=60_000):
            app.window.act_start.trigger()
        qtbot.waitUntil(device.stream.done.is_set, timeout=120_000)
        with qtbot.waitSignal(app.session.stopped, timeout=60_000):
            app.window.act_start.trigger()
        units = app.window.transcript.words
        check_units([{"word": u.text, "start": u.start, "end": u.end} for u in units])
        plain = expected_words(cjk_recognizer, audio, rate, settings.profile)
        assert len(units) == len(plain)
        assert any(ch in "".join(plain) for ch in TRADITIONAL)
        shown = app.window.view.toPlainText()
        overlay = app.overlay.visible_text()
        for text in (shown, overlay):
            assert sum(is_unspaced(c) for c in text) >= 10
            for simple in TRADITIONAL:
                assert simple not in text
        for line in shown.strip().splitlines():
            check_spacing(line.split(None, 1)[1])
        check_spacing(overlay.replace("\n", ""))
    finally:
        app.window.close()
        app.overlay.close()


def test_websocket_says_where_spaces_go(server: ApiServer, cmn_wav: Path) -> None:
    """The caption page appends finals using space_before: never a space next to Chinese."""
    audio = read_wav(cmn_wav)
    url = server.url.replace("http://", "ws://") + "/ws/transcribe"
    messages = asyncio.run(_stream(url, audio))
    shown = ""
    for message in messages:
        if message["type"] == "transcript" and message["is_final"]:
            shown += (" " if message["space_before"] else "") + message["text"]
            first = message["words"][0]["word"]
            if is_unspaced(first[0]):
                assert not message["space_before"]
        elif message["type"] == "utterance_end":
            shown += "\n"
    for line in shown.strip().splitlines():
        check_spacing(line)
