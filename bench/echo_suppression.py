"""Echo suppression (engine/echo.py) on a microphone that hears the computer's audio.

The system audio is flite's slt voice; the user is flite's rms voice. The microphone recording is
the user plus the system audio as the room gives it back: delayed, attenuated, low-passed and
with a short reverberation tail (an exponentially decaying noise impulse response), plus a little
noise. Or a real recording of both (``--mic``, ``--system``: WAV files recorded at the same time,
for instance from two PulseAudio null sinks, see ``--pulse``).

The timeline: the others speak alone, the user speaks alone, then both at once. Both streams run
through the streaming engine with the demo model (it understands these voices); the microphone's
finals go through :class:`EchoFilter` in the order the events came. Figures: of the microphone's
words during the others' solo, how many were dropped (echo suppressed); of the user's words
(the words recognised from the user's voice alone), how many the filtered microphone still has,
alone and in double talk.

    nice -n 10 python -m bench.echo_suppression
    nice -n 10 python -m bench.echo_suppression --delay-ms 250 --gain 0.5
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import SAMPLE_RATE
from devkit.speech import read_wav, room_echo, say
from engine.config import DEMO_MODEL, ModelOptions
from engine.echo import FRAME, EchoGate, EchoOptions, band_energies
from engine.model import load_recognizer
from engine.streaming import Event, OnlineProcessor, StreamOptions, final_words

SYSTEM_SAYS = (
    "please close the door behind you and bring me a glass of water",
    "the weather is nice today so we can walk to the station",
    "i would like a cup of tea with some milk",
)
USER_SAYS = (
    "good morning everybody thank you for joining the meeting",
    "can you hear me well over there",
)


def _say(text: str, voice: str, folder: Path) -> np.ndarray:
    name = f"{voice.replace(':', '-')}-{len(list(folder.iterdir()))}.wav"
    return read_wav(say(text, folder / name, voice=voice))


def build(folder: Path, delay_ms: float, gain: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """System audio, user's voice alone and the microphone (voice + echo + noise), aligned."""
    pause = np.zeros(SAMPLE_RATE, np.float32)
    system_parts = [_say(t, "flite:slt", folder) for t in SYSTEM_SAYS]
    user_parts = [_say(t, "flite:rms", folder) for t in USER_SAYS]

    def silence_like(a: np.ndarray) -> np.ndarray:
        return np.zeros_like(a)

    # others alone, others alone, user alone, both at once (user's 2nd with others' 3rd)
    system = [system_parts[0], pause, system_parts[1], pause, silence_like(user_parts[0]), pause]
    user = [silence_like(system_parts[0]), pause, silence_like(system_parts[1]), pause]
    user += [user_parts[0], pause]
    both = max(len(system_parts[2]), len(user_parts[1]))
    system.append(np.pad(system_parts[2], (0, both - len(system_parts[2]))))
    user.append(np.pad(user_parts[1], (0, both - len(user_parts[1]))))
    system.append(pause)
    user.append(pause)
    sys_audio, user_audio = np.concatenate(system), np.concatenate(user)
    noise = np.random.default_rng(1).standard_normal(len(user_audio)).astype(np.float32) * 0.0005
    mic = user_audio + room_echo(sys_audio, delay_ms / 1000, gain) + noise
    return sys_audio, user_audio, mic.astype(np.float32)


def stream_events(model, samples: np.ndarray) -> list[Event]:
    processor = OnlineProcessor(model, StreamOptions(profile="balanced"))
    events: list[Event] = []
    piece = SAMPLE_RATE // 10
    for i in range(0, len(samples), piece):
        events += processor.push(samples[i : i + piece])
    return events + processor.finish()


def gate(system: np.ndarray, mic: np.ndarray, options: EchoOptions) -> tuple[np.ndarray, EchoGate]:
    """The microphone through the gate, both sources in 100 ms pieces as capture gives them."""
    echo = EchoGate(options)
    out = []
    piece = SAMPLE_RATE // 10
    for i in range(0, len(mic), piece):
        echo.system(system[i : i + piece])
        out.append(echo.microphone(mic[i : i + piece]))
    out.append(echo.flush())
    return np.concatenate(out), echo


def recall(reference: list, got: list, span: tuple[float, float]) -> tuple[int, int]:
    """Reference words in ``span`` found (same word, start within 0.3 s) among ``got``."""
    ref = [w for w in reference if span[0] <= w.start < span[1]]
    found = sum(any(abs(w.start - g.start) < 0.3 and w.text == g.text for g in got) for w in ref)
    return found, len(ref)


def frames_passed(user: np.ndarray, system: np.ndarray, gated: np.ndarray, delay: int) -> dict:
    """Share of 20 ms frames passed: where the user speaks (alone or with the others), and
    where only the others' echo sounds."""
    n = min(len(user), len(gated)) // FRAME
    passed = np.abs(gated[: n * FRAME].reshape(n, FRAME)).max(axis=1) > 0
    voice = band_energies(user[: n * FRAME].reshape(n, FRAME)).sum(axis=1) > 1.0
    echo = np.roll(band_energies(system[: n * FRAME].reshape(n, FRAME)).sum(axis=1), delay) > 1.0
    return {
        "user_voice_frames_passed": round(float(passed[voice].mean()), 3),
        "user_voice_with_echo_frames_passed": round(float(passed[voice & echo].mean()), 3),
        "echo_only_frames_passed": round(float(passed[echo & ~voice].mean()), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay-ms", type=float, default=120.0, help="the room's echo delay")
    parser.add_argument("--gain", type=float, default=0.25, help="the echo's level (amplitude)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = load_recognizer(ModelOptions(name=DEMO_MODEL))
    with tempfile.TemporaryDirectory() as tmp:
        sys_audio, user_audio, mic = build(Path(tmp), args.delay_ms, args.gain)
    started = time.process_time()
    gated, echo = gate(sys_audio, mic, EchoOptions(max_wait_s=None))
    gate_cpu = time.process_time() - started
    user_alone = final_words(stream_events(model, user_audio))
    heard = final_words(stream_events(model, mic))
    kept = final_words(stream_events(model, gated))
    user_start = np.flatnonzero(np.abs(user_audio) > 1e-4)[0] / SAMPLE_RATE
    both_start = _start_of_last_part(user_audio)
    solo, solo_raw = (recall(user_alone, w, (user_start, both_start)) for w in (kept, heard))
    both, both_raw = (recall(user_alone, w, (both_start, 1e9)) for w in (kept, heard))
    result = {
        "delay_ms": args.delay_ms,
        "gain": args.gain,
        "delay_found_ms": round(echo.delay_s * 1000),
        "gate_cpu_s_per_audio_s": round(gate_cpu / (len(mic) / SAMPLE_RATE), 4),
        "echo_words": f"{sum(w.start < user_start for w in kept)} "
        f"(unfiltered {sum(w.start < user_start for w in heard)})",
        "user_solo_words": f"{solo[0]}/{solo[1]} (unfiltered {solo_raw[0]}/{solo_raw[1]})",
        "user_double_talk_words": f"{both[0]}/{both[1]} (unfiltered {both_raw[0]}/{both_raw[1]})",
        **frames_passed(user_audio, sys_audio, gated, round(args.delay_ms / 20)),
    }
    print("user alone:", " ".join(w.text for w in user_alone))
    print("microphone:", " ".join(w.text for w in heard))
    print("gated:     ", " ".join(w.text for w in kept))
    print(json.dumps(result))


def _start_of_last_part(user_audio: np.ndarray) -> float:
    """Where the user's last utterance (the double talk) starts: after the last long pause."""
    voiced = np.abs(user_audio) > 1e-4
    idx = np.flatnonzero(voiced)
    gaps = np.flatnonzero(np.diff(idx) > SAMPLE_RATE // 2)
    return idx[gaps[-1] + 1] / SAMPLE_RATE


if __name__ == "__main__":
    main()
