"""Echo suppression (engine/echo.py): the microphone hears the computer's speakers; the gate
silences the stretches the system audio explains and keeps the user's own voice."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import read_wav, say, sentences_with_pauses

from devkit.speech import room_echo
from engine.echo import FRAME, EchoGate, EchoOptions, band_energies
from engine.streaming import OnlineProcessor, StreamOptions, final_words

SAMPLE_RATE = 16000
USER_SAYS = "good morning everybody thank you for joining the meeting"
REPLAY = EchoOptions(max_wait_s=None)  # waits for the system audio: the same result every run


def gated(system: np.ndarray, mic: np.ndarray, options: EchoOptions = REPLAY) -> np.ndarray:
    """The microphone through a gate, both in 100 ms pieces as capture hands them over."""
    gate = EchoGate(options)
    out = []
    for i in range(0, len(mic), SAMPLE_RATE // 10):
        gate.system(system[i : i + SAMPLE_RATE // 10])
        out.append(gate.microphone(mic[i : i + SAMPLE_RATE // 10]))
    out.append(gate.flush())
    return np.concatenate(out)


def words(recognizer, samples: np.ndarray, after_s: float = 0.0) -> list[str]:
    """The words the recogniser finds in ``samples`` (those starting after ``after_s``)."""
    processor = OnlineProcessor(recognizer, StreamOptions())
    events = processor.push(samples) + processor.finish()
    return [w.text for w in final_words(events) if w.start >= after_s]


def loud_frames(samples: np.ndarray) -> np.ndarray:
    n = len(samples) // FRAME
    return band_energies(samples[: n * FRAME].reshape(n, FRAME)).sum(axis=1) > 1.0


def passed_frames(samples: np.ndarray) -> np.ndarray:
    n = len(samples) // FRAME
    return np.abs(samples[: n * FRAME].reshape(n, FRAME)).max(axis=1) > 0


def noise(n: int) -> np.ndarray:
    return (np.random.default_rng(1).standard_normal(n) * 0.0005).astype(np.float32)


@pytest.fixture(scope="module")
def system_audio(speech_dir) -> np.ndarray:
    """The others: three sentences with pauses (flite's slt voice)."""
    return read_wav(sentences_with_pauses(speech_dir))


@pytest.fixture(scope="module")
def user_voice(speech_dir) -> np.ndarray:
    """The user: another voice (flite's rms), other words."""
    return read_wav(say(USER_SAYS, speech_dir / "user.wav", voice="flite:rms"))


@pytest.mark.demo_model
def test_the_echo_of_the_system_audio_is_silenced(demo_recognizer, system_audio):
    mic = room_echo(system_audio) + noise(len(system_audio))
    heard = words(demo_recognizer, mic)
    assert len(heard) >= 8, heard  # the echo alone is captioned as words
    out = gated(system_audio, mic)
    assert len(out) == len(mic)
    # After the first second (the delay search needs some sound to find the echo), the echo is
    # silenced.
    echo = np.roll(loud_frames(system_audio), 6)
    passed = passed_frames(out)
    assert passed[50:][echo[50 : len(passed)]].mean() < 0.2
    assert len(words(demo_recognizer, out, after_s=1.0)) <= 1, words(demo_recognizer, out)


@pytest.mark.demo_model
def test_the_users_own_words_are_kept(demo_recognizer, system_audio, user_voice):
    """The others speak, then the user alone, then both at once: the user's words after the
    echo are the words of the user's voice alone; in double talk the user's voice still comes
    through (the demo model is too weak to caption overlapped voices: frames are counted)."""
    gap = np.zeros(SAMPLE_RATE, np.float32)
    both = len(user_voice)
    system = np.concatenate([system_audio, gap, 0 * user_voice, gap, system_audio[:both], gap])
    user = np.concatenate([0 * system_audio, gap, user_voice, gap, user_voice, gap])
    mic = user + room_echo(system) + noise(len(user))
    out = gated(system, mic)
    solo = slice(len(system_audio), len(system_audio) + 2 * len(gap) + both)
    alone = words(demo_recognizer, user[solo])
    assert len(alone) >= 5, alone
    assert words(demo_recognizer, out[solo]) == alone
    overlap = slice(solo.stop, solo.stop + both)
    voice = loud_frames(user[overlap])
    echo = np.roll(loud_frames(system[overlap]), 6)
    assert passed_frames(out[overlap])[voice & echo].mean() > 0.5
    # ... while the echo alone, before, stays silenced.
    assert len(words(demo_recognizer, out[: len(system_audio)], after_s=1.0)) <= 1


def test_without_system_audio_the_microphone_passes_unchanged(user_voice):
    silence = np.zeros_like(user_voice)
    assert np.array_equal(gated(silence, user_voice), user_voice)
    gate = EchoGate(REPLAY)
    gate.system_ended()  # the system source failed or stopped: nothing waits for it
    out = np.concatenate([gate.microphone(user_voice[:12345]), gate.flush()])
    assert np.array_equal(out, user_voice[:12345])


def test_a_stalled_system_source_holds_the_microphone_at_most_max_wait(user_voice):
    gate = EchoGate(EchoOptions(max_wait_s=0.5))
    out = sum(len(gate.microphone(user_voice[i : i + 1600])) for i in range(0, 32000, 1600))
    assert 32000 - out <= 0.5 * SAMPLE_RATE + FRAME  # two seconds in, at most 0.5 s held


def test_live_sources_started_apart_are_aligned_by_their_clocks(system_audio):
    """The system source's first sample came 0.4 s before the microphone's (capture starts
    at different times): on the wall clock the echo is 0.12 s late, on the two streams' own
    clocks 0.28 s early, which no delay search finds. The clocks align them."""
    lead = round(0.4 * SAMPLE_RATE)
    mic = (room_echo(system_audio) + noise(len(system_audio)))[lead:]
    gate = EchoGate(EchoOptions(max_wait_s=None))
    out, piece = [], SAMPLE_RATE // 10
    for i in range(0, len(system_audio), piece):
        gate.system(system_audio[i : i + piece], now=(i + piece) / SAMPLE_RATE)
        if i >= lead:
            out.append(
                gate.microphone(mic[i - lead : i - lead + piece], now=(i + piece) / SAMPLE_RATE)
            )
    out.append(gate.flush())
    assert abs(gate.delay_s - 0.12) <= 0.04
    echo = np.roll(loud_frames(system_audio), 6)[lead // FRAME :]
    passed = passed_frames(np.concatenate(out))
    assert passed[50:][echo[50 : len(passed)]].mean() < 0.2
