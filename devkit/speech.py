"""Speech for tests and benches: checked-in recordings of what the tests said, else espeak-ng,
flite or festival through sox; and WAV files read back as float32 samples."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np


class MissingTool(RuntimeError):
    """A synthesiser (or sox) that speech needs is not installed and no recording has it."""


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


# Speech the tests spoke once, checked in (FLAC, lossless): machines without the synthesisers
# (Windows) hear the same samples as Linux. LC_RECORD_SPEECH=1 adds what a run synthesises.
RECORDED_SPEECH = Path(__file__).resolve().parents[1] / "tests" / "data" / "speech"
SYNTHESISERS = {"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave"}


def recorded_speech(text: str, voice: str, rate: int) -> Path:
    """Where ``say(text, voice=voice, rate=rate)``'s samples are kept."""
    digest = hashlib.sha256(f"{voice}\n{rate}\n{text}".encode()).hexdigest()[:12]
    return RECORDED_SPEECH / f"{voice.replace(':', '-')}-{rate}-{digest}.flac"


def say(text: str, path: Path, voice: str = "espeak:en-us", rate: int = 16000) -> Path:
    """Speak ``text`` into a WAV file at ``rate`` Hz mono: the recorded samples where they are
    checked in, else espeak-ng, flite or festival (converted with sox). MissingTool where a
    tool is missing (the tests' ``helpers.say`` skips the test then)."""
    import soundfile as sf

    engine, _, name = voice.partition(":")
    if engine not in SYNTHESISERS:
        raise ValueError(voice)
    recorded = recorded_speech(text, voice, rate)
    if recorded.is_file():
        samples, recorded_rate = sf.read(str(recorded), dtype="int16")
        sf.write(str(path), samples, recorded_rate, subtype="PCM_16")
        return path
    missing = [tool for tool in (SYNTHESISERS[engine], "sox") if not have(tool)]
    if missing:
        raise MissingTool(
            f"{' and '.join(missing)} needed to speak {text[:40]!r} ({voice}, {rate} Hz): no "
            f"recording in tests/data/speech (LC_RECORD_SPEECH=1 on Linux makes one)"
        )
    raw = path.with_suffix(".raw.wav")
    if engine == "espeak":
        subprocess.run(["espeak-ng", "-v", name or "en-us", "-w", str(raw), text], check=True)
    elif engine == "flite":
        subprocess.run(["flite", "-voice", name or "slt", "-t", text, "-o", str(raw)], check=True)
    else:
        script = path.with_suffix(".txt")
        script.write_text(text)
        subprocess.run(
            ["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", str(script), "-o", str(raw)],
            check=True,
        )
    subprocess.run(
        ["sox", "-D", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)], check=True
    )
    raw.unlink()
    if os.environ.get("LC_RECORD_SPEECH") == "1":
        recorded.parent.mkdir(parents=True, exist_ok=True)
        samples, _ = sf.read(str(path), dtype="int16")
        sf.write(str(recorded), samples, rate, format="FLAC", subtype="PCM_16")
    return path


def read_wav(path: Path) -> np.ndarray:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32")
    assert rate == 16000
    return data


def room_echo(system: np.ndarray, delay_s: float = 0.12, gain: float = 0.25) -> np.ndarray:
    """What a microphone hears of the computer's speakers: ``system`` (16 kHz) delayed,
    quieter, duller (a crude low-pass) and with a room's reflections (a noise tail decaying
    over about 0.3 s)."""
    rng = np.random.default_rng(0)
    tail = np.arange(round(0.25 * 16000))
    response = 0.05 * rng.standard_normal(len(tail)) * np.exp(-tail / (0.04 * 16000))
    response[0] = 1.0  # the direct sound
    wet = np.convolve(np.convolve(system, response)[: len(system)], np.ones(5) / 5, mode="same")
    shift = round(delay_s * 16000)
    out = np.zeros_like(system)
    out[shift:] = wet[: len(system) - shift]
    return (gain * out).astype(np.float32)
