"""``--self-test``'s checks of the parts a frozen build can lose without the model noticing:
PyAV (audio and video files), KenLM (language models, from a folder whose name is not ASCII, as
under ``C:\\Users\\张三``), OpenCC (Chinese scripts) and, on Windows, soundcard (system audio).
Each check returns what it saw or raises; the self-test prints one line per check."""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.config import SAMPLE_RATE


def check_pyav() -> str:
    """A second of tone, encoded to AAC in an MP4 and decoded back through engine.audio."""
    import av

    from engine.audio import load_audio

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        tone = (0.3 * np.sin(np.arange(SAMPLE_RATE) * 2 * np.pi * 440 / SAMPLE_RATE)).astype(
            np.float32
        )
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="fltp", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    buffer.seek(0)
    buffer.name = "tone.m4a"  # engine.audio reads the format from the name
    seconds = len(load_audio(buffer)) / SAMPLE_RATE
    if not 0.9 < seconds < 1.2:
        raise RuntimeError(f"decoded {seconds:.2f} s of a 1 s tone")
    return f"PyAV {av.__version__}: an AAC file decoded ({seconds:.2f} s)"


def check_kenlm() -> str:
    """The demo language model, copied to a folder named in Chinese, loaded by KenLM."""
    from engine.lm_files import DEMO_LM_DIR, LoadedLm, find_lm

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "语言模型"
        shutil.copytree(DEMO_LM_DIR, folder)
        lm = LoadedLm(find_lm(folder))
        words = len(lm.sorted_words)
        del lm  # KenLM keeps the file open (Windows cannot delete it then)
    return f"KenLM: the demo language model ({words} words) from a folder named 语言模型"


def check_opencc() -> str:
    from engine.chinese import ScriptConverter

    text = ScriptConverter("traditional").convert_text("汉字")
    if text != "漢字":
        raise RuntimeError(f"汉字 became {text!r}")
    return "OpenCC: 汉字 -> 漢字"


def check_soundcard() -> str:
    from desktop_app.loopback import list_loopback_devices, soundcard_module

    sc = soundcard_module()
    if sc is None:
        raise RuntimeError("the soundcard package cannot be imported")
    return f"soundcard: {len(list_loopback_devices(sc))} system-audio sources"


def checks() -> list[tuple[str, Callable[[], str]]]:
    found: list[tuple[str, Callable[[], str]]] = [
        ("audio and video files", check_pyav),
        ("language models", check_kenlm),
        ("Chinese scripts", check_opencc),
    ]
    if sys.platform == "win32":  # system audio is the soundcard package on Windows only
        found.append(("system audio", check_soundcard))
    return found


def run_checks(print_line: Callable[[str], object] = print) -> bool:
    """Every check, one line each; whether all passed."""
    passed = True
    for what, check in checks():
        try:
            print_line(f"{what}: ok ({check()})")
        except Exception as exc:  # any failure is the answer this test gives
            passed = False
            print_line(f"{what}: FAILED ({type(exc).__name__}: {exc})")
    return passed
