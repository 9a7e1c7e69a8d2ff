"""Echo suppression for two sources: the computer's audio plays through its speakers into the
microphone, so the microphone's captions would repeat what the others said. :class:`EchoGate`
silences the stretches of the microphone's audio that the system audio explains (what it played
a moment before, as the room gives it back), and passes the rest: the user's own voice, also
while the others speak.

It works on band energies (20 ms frames, 24 mel bands), not on words and not on waveforms:
- not words: a weak model or a dull, reverberant echo makes the microphone's copy come out as
  other words (tried first: on a quiet, reverberant echo the demo model turned 17 echoed words
  into 17 different ones, and a rule matching words with their times dropped none); words also
  come late, and the echo would still cost the recogniser its time;
- not waveforms (correlation, an adaptive filter): those must model the room's response to the
  sample and lose it when the user talks at the same time (double talk) or the two devices'
  clocks drift; band energies only need a delay and a gain per band.
The delay: the lag (0 to ``max_delay_s``) whose system frames correlate best with the
microphone's, band by band, over the last seconds where the system audio sounded; searched
every half second, changed only for a clearly better one. The gain per band: a low percentile
of the microphone's energy over the predicted echo's (the system frame at the delay plus the
room's tail). A frame is echo when the prediction explains all but ``voice_share`` of its
energy; echo frames are silenced (the recogniser then skips them too), the user's voice passes
with 100 ms of margin. The microphone waits for the system audio of the same moment, and at the
start, while the delay is searched, for up to FIND_WITHIN_S of system sound (``max_wait_s``
bounds both live).

No threads inside; one lock, because the two sources' audio comes from two capture threads.
Measured in bench/echo_suppression.py and docs/performance.md ("Echo suppression").
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .config import SAMPLE_RATE

FRAME = SAMPLE_RATE // 50  # 20 ms of samples
FFT = 512
BANDS = 24
TAIL_DECAY = 0.6  # the room's tail: what is left of a sound after each 20 ms
ECHO_MARGIN = 4.0  # a frame's energy up to this many times the predicted echo is echo
MIN_CORRELATION = 0.2  # of log band energies, for a delay to count as found
SWITCH_MARGIN = 0.15  # a new delay must correlate this much better than the one in use
LOUD = 0.01  # system frames within 20 dB of the loudest in the history count as sound
SOUND_FLOOR = 0.01  # ... and above this (a frame's energy at -60 dBFS is about 0.003)
MAX_GAIN = 1.0  # the echo is never louder than what played, band by band
HANG = 5  # frames passed after the user's voice (100 ms)
SEARCH_EVERY = 25  # frames between delay searches (half a second)
# The microphone waits while the delay is searched, for at most this much system sound.
FIND_WITHIN_S = 2.0


@dataclass(frozen=True)
class EchoOptions:
    max_delay_s: float = 0.5  # the echo comes at most this long after the sound played
    reverb_s: float = 0.12  # the room's tail that the prediction adds up
    # A frame is the user's voice when at least this share of its energy is beyond the
    # predicted echo (two such frames running, and above the noise).
    voice_share: float = 0.5
    # The microphone waits at most this long for the system audio (live: a system source that
    # stalls, or delivers nothing while nothing plays); None waits until it comes or ends (a
    # replay: the same result every run).
    max_wait_s: float | None = 1.0
    history_s: float = 6.0  # the delay search and the gains look at this much of the past


def _band_edges() -> np.ndarray:
    """FFT bin edges of BANDS bands, evenly spaced in mel from 100 Hz to 7.6 kHz."""
    top = 2595 * np.log10(1 + 7600 / 700)
    mel = np.linspace(2595 * np.log10(1 + 100 / 700), top, BANDS + 1)
    hz = 700 * (10 ** (mel / 2595) - 1)
    return np.unique(np.round(hz / SAMPLE_RATE * FFT).astype(int))


_EDGES = _band_edges()
_WINDOW = np.hanning(FRAME).astype(np.float32)


def band_energies(frames: np.ndarray) -> np.ndarray:
    """(n, FRAME) samples -> (n, BANDS) energies."""
    spectrum = np.abs(np.fft.rfft(frames * _WINDOW, FFT)) ** 2
    return np.add.reduceat(spectrum, _EDGES[:-1], axis=1)[:, : len(_EDGES) - 1] + 1e-10


class EchoGate:
    """One microphone against one system-audio source, both 16 kHz mono float32 in pieces of
    any size, each source on its own clock from its first sample. ``system(samples)`` and
    ``microphone(samples)`` may come from two threads; ``microphone`` returns the microphone
    audio that is decided, echo stretches silenced (as many samples as came, later)."""

    def __init__(self, options: EchoOptions = EchoOptions()) -> None:
        self.options = options
        self._lock = threading.Lock()
        self._history = self._frames(options.history_s)
        self._reach = self._frames(options.max_delay_s) + self._frames(options.reverb_s) + 1
        self._sys_tail = np.zeros(0, np.float32)  # samples short of a whole frame
        self._mic_tail = np.zeros(0, np.float32)
        self._sys: deque[np.ndarray] = deque()  # system band energies, frames _sys_first on
        self._sys_first = 0
        self._sys_ended = False
        # Live capture: where each source's first sample was on the caller's clock; the offset
        # between them maps a microphone frame to the system frame of the same moment.
        self._sys_start: float | None = None
        self._mic_start: float | None = None
        self._offset = 0  # system frame = microphone frame + offset
        self._sys_sound_at: int | None = None  # the system audio's first sounding frame
        # Whole mic frames not yet decided, with their band energies.
        self._waiting: deque[tuple[np.ndarray, np.ndarray]] = deque()
        self._mic_frames = 0  # mic frames decided
        self._arrived = 0  # mic frames come
        self._mic_bands: deque[np.ndarray] = deque(maxlen=self._history)
        self._mic_loudness: deque[float] = deque(maxlen=self._history)
        self._gain = np.zeros(BANDS)  # echo energy per system energy, per band
        self.delay_frames = 0  # the echo's delay as found last, in 20 ms frames
        self._delay_found = False
        self._hang = 0  # frames still to pass after the user's voice
        self._voice_run = 0  # voice frames in a row
        self.frames_seen = 0  # (for measurements)
        self.frames_silenced = 0

    @staticmethod
    def _frames(seconds: float) -> int:
        return max(1, round(seconds * SAMPLE_RATE / FRAME))

    # input -----------------------------------------------------------------------------------
    def system(self, samples: np.ndarray, now: float | None = None) -> None:
        """System audio; ``now``: when it came (a live source's clock, seconds), else None."""
        with self._lock:
            if now is not None and self._sys_start is None:
                self._sys_start = now - len(samples) / SAMPLE_RATE
            self._sys_tail, frames = _split(self._sys_tail, samples)
            if len(frames):
                bands = band_energies(frames)
                loud = np.flatnonzero(bands.sum(axis=1) > SOUND_FLOOR)
                if self._sys_sound_at is None and len(loud):
                    self._sys_sound_at = self._sys_first + len(self._sys) + int(loud[0])
                self._sys.extend(bands)

    def system_ended(self) -> None:
        """The system source stopped: the microphone goes on without waiting for it."""
        with self._lock:
            self._sys_ended = True

    def microphone(self, samples: np.ndarray, now: float | None = None) -> np.ndarray:
        """The microphone audio that can be decided now, echo stretches silenced; ``now`` as
        for :meth:`system`."""
        with self._lock:
            if now is not None and self._mic_start is None:
                self._mic_start = now - len(samples) / SAMPLE_RATE
            self._mic_tail, frames = _split(self._mic_tail, samples)
            for frame, bands in zip(frames, band_energies(frames) if len(frames) else []):
                self._waiting.append((frame, bands))
                self._mic_bands.append(bands)
                self._mic_loudness.append(float(bands.sum()))
                self._arrived += 1
                # Searches every half second; every 0.1 s until the delay is found.
                if self._arrived % (SEARCH_EVERY if self._delay_found else 5) == 0:
                    self._search()
            return self._decide()

    def flush(self) -> np.ndarray:
        """The microphone's audio ended: everything still waiting, decided with what is known."""
        with self._lock:
            self._sys_ended = True
            out = self._decide()
            tail, self._mic_tail = self._mic_tail, np.zeros(0, np.float32)
            return np.concatenate([out, tail])

    @property
    def delay_s(self) -> float:
        return self.delay_frames * FRAME / SAMPLE_RATE

    # the rule --------------------------------------------------------------------------------
    def _decide(self) -> np.ndarray:
        out = []
        while self._waiting:
            wait = self.options.max_wait_s
            waited = wait is not None and len(self._waiting) >= self._frames(wait)
            if not self._aligned() and not self._sys_ended and not waited:
                break
            # Frame n's echo prediction reads system frames up to n + 1.
            missing = self._mic_frames + self._offset + 2 > self._sys_first + len(self._sys)
            if missing and not self._sys_ended and not waited:
                break
            if self._searching(self._mic_frames) and not self._sys_ended and not waited:
                break  # the system audio sounds, its echo's delay is not known yet: wait for it
            out.append(self._gate(*self._waiting.popleft(), self._mic_frames))
            self._mic_frames += 1
            # System frames no prediction or search will read again.
            oldest = self._mic_frames + self._offset - self._history - self._reach
            while self._sys and self._sys_first < oldest:
                self._sys.popleft()
                self._sys_first += 1
        return np.concatenate(out) if out else np.zeros(0, np.float32)

    def _searching(self, n: int) -> bool:
        """Mic frame n waits for the delay search: the system audio has sounded by then, no
        delay is found yet, and the search has not had FIND_WITHIN of system sound to find one
        (without an echo, a headset, it finds none)."""
        if self._delay_found or self._sys_sound_at is None:
            return False
        if n + self._offset + 1 < self._sys_sound_at:
            return False
        heard = self._sys_first + len(self._sys) - self._sys_sound_at
        return heard < self._frames(FIND_WITHIN_S)

    def _gate(self, frame: np.ndarray, mic: np.ndarray, n: int) -> np.ndarray:
        echo = self._gain * self._system_near(n)
        beyond = float(np.maximum(mic - ECHO_MARGIN * echo, 0.0).sum())  # not the echo
        loudness = float(mic.sum())
        noise = 4.0 * float(np.percentile(self._mic_loudness, 10))
        self.frames_seen += 1
        # The user's voice: energy the echo does not explain, two frames running (one alone is
        # more often the echo's own ups and downs).
        voice = beyond >= self.options.voice_share * loudness and beyond > noise
        self._voice_run = self._voice_run + 1 if voice else 0
        if self._voice_run >= 2:
            self._hang = HANG
            return frame
        if self._hang > 0:
            self._hang -= 1
            return frame
        if echo.sum() <= noise:  # no echo to speak of: nothing to silence
            return frame
        self.frames_silenced += 1
        return np.zeros_like(frame)

    def _aligned(self) -> bool:
        """The offset is known: no clock (replays: both start at 0), or both sources started."""
        if self._mic_start is None:
            return True
        if self._sys_start is None:
            return False
        self._offset = round((self._mic_start - self._sys_start) * SAMPLE_RATE / FRAME)
        return True

    def _system_at(self, frame: int) -> np.ndarray:
        """The system frame that sounded with microphone frame ``frame``."""
        i = frame + self._offset - self._sys_first
        return self._sys[i] if 0 <= i < len(self._sys) else np.zeros(BANDS)

    def _tail_sum(self, rows: list[np.ndarray] | np.ndarray, at: int) -> np.ndarray:
        """The sound at index ``at`` of ``rows`` (system frames) with the room's tail of the
        ones before it, and the next one (the two clocks are a frame apart at times)."""
        total = rows[at + 1].copy()
        for k in range(self._frames(self.options.reverb_s)):
            total += rows[at - k] * TAIL_DECAY**k
        return total

    def _system_near(self, n: int) -> np.ndarray:
        """The system audio that sounds in mic frame n, per band."""
        at = n - self.delay_frames
        rows = [self._system_at(f) for f in range(at - self._frames(self.options.reverb_s), at + 2)]
        return self._tail_sum(rows, len(rows) - 2)

    def _search(self) -> None:
        """The delay: the lag whose system frames best correlate with the microphone's, band by
        band (log energies, over the frames where the system audio sounded); the gains: a low
        percentile of the microphone's energy over the predicted echo's there (echo alone gives
        the lowest ratios, the user's voice on top higher ones)."""
        # The mic frames come so far whose system audio has come too.
        usable = self._sys_first + len(self._sys) - self._offset - 1 - (self._arrived - 1)
        mics = np.array(self._mic_bands)[: len(self._mic_bands) + min(0, usable)]
        if len(mics) < 10:
            return
        first = self._arrived - len(self._mic_bands)  # mic frame of mics[0]
        system = np.array(
            [self._system_at(f) for f in range(first - self._reach, first + len(mics) + 1)]
        )
        loudness = system.sum(axis=1)
        if loudness.max() <= SOUND_FLOOR:
            return  # the system audio has been silent
        floor = max(float(np.percentile(loudness, 50)) * 1e-3, 1e-9) / BANDS
        sounding = max(LOUD * float(loudness.max()), SOUND_FLOOR)
        log_mic = np.log(mics + floor)
        scores = {}
        for lag in range(self._frames(self.options.max_delay_s) + 1):
            rows = slice(self._reach - lag, self._reach - lag + len(mics))
            loud = loudness[rows] > sounding
            if loud.sum() < 10:
                continue
            a = log_mic[loud] - log_mic[loud].mean(axis=0)
            b = np.log(system[rows][loud] + floor)
            b -= b.mean(axis=0)
            scores[lag] = float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-20))
        if not scores:
            return
        best = max(scores, key=scores.__getitem__)
        in_use = scores.get(self.delay_frames, 0.0)
        margin = SWITCH_MARGIN if self._delay_found else 0.0
        if scores[best] >= MIN_CORRELATION and scores[best] >= in_use + margin:
            self.delay_frames, self._delay_found = best, True
        if not self._delay_found:
            return
        predicted = np.array(
            [self._tail_sum(system, self._reach - self.delay_frames + i) for i in range(len(mics))]
        )
        loud = predicted.sum(axis=1) > sounding
        if loud.sum() >= 10:
            ratio = np.percentile(mics[loud] / (predicted[loud] + floor), 30, axis=0)
            self._gain = np.minimum(ratio, MAX_GAIN)


def _split(tail: np.ndarray, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(new tail, whole frames) of ``tail`` followed by ``samples``."""
    data = np.concatenate([tail, np.asarray(samples, np.float32).reshape(-1)])
    whole = len(data) // FRAME * FRAME
    return data[whole:], data[:whole].reshape(-1, FRAME)


class AudioSink(Protocol):
    """Where a capture thread puts a source's audio: an engine :class:`~engine.scheduler.Stream`
    or one of the sides below wrapped around it."""

    @property
    def closed(self) -> bool: ...

    @property
    def lag_s(self) -> float: ...

    def push(self, samples: np.ndarray) -> bool: ...

    def finish(self) -> None: ...

    def close(self) -> None: ...


class Lockstep:
    """Two replayed files fed by two threads: the system audio runs at most one piece ahead of
    the microphone and the microphone never ahead of the system audio, so the gate hears them in
    the same order on every run, whatever the load (a live capture's clock does this for
    devices). A side that waits longer than ``timeout_s`` goes on (a stalled feeder)."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self._turn = threading.Condition()
        self._pushed = {"system": 0, "mic": 0}  # samples
        self._ended = {"system": False, "mic": False}

    def wait(self, side: str, samples: int) -> None:
        """Before ``side`` pushes ``samples`` samples: wait for its turn."""
        other = "mic" if side == "system" else "system"

        def turn() -> bool:
            if self._ended[other]:
                return True
            if side == "system":
                return self._pushed["system"] <= self._pushed["mic"]
            return self._pushed["system"] >= self._pushed["mic"] + samples

        with self._turn:
            self._turn.wait_for(turn, timeout=self.timeout_s)

    def pushed(self, side: str, samples: int) -> None:
        with self._turn:
            self._pushed[side] += samples
            self._turn.notify_all()

    def ended(self, side: str) -> None:
        with self._turn:
            self._ended[side] = True
            self._turn.notify_all()


class _Side:
    """One source's stream with the gate beside it (``clock``: live capture's clock;
    ``lockstep``: for two replayed files, never for a device's callback, which must not wait)."""

    side = ""

    def __init__(
        self,
        gate: EchoGate,
        stream: AudioSink,
        clock: Callable[[], float] | None = None,
        lockstep: Lockstep | None = None,
    ) -> None:
        self.gate, self.stream, self.clock, self.lockstep = gate, stream, clock, lockstep

    def _wait(self, samples: np.ndarray) -> None:
        if self.lockstep is not None:
            self.lockstep.wait(self.side, len(samples))

    def _pushed(self, samples: np.ndarray) -> None:
        if self.lockstep is not None:
            self.lockstep.pushed(self.side, len(samples))

    def _ended(self) -> None:
        if self.lockstep is not None:
            self.lockstep.ended(self.side)

    @property
    def closed(self) -> bool:
        return self.stream.closed

    @property
    def lag_s(self) -> float:
        return self.stream.lag_s

    def _now(self) -> float | None:
        return self.clock() if self.clock else None


class SystemSide(_Side):
    """The system audio's stream: the gate hears its audio too."""

    side = "system"

    def push(self, samples: np.ndarray) -> bool:
        self._wait(samples)
        self.gate.system(samples, self._now())
        self._pushed(samples)
        return self.stream.push(samples)

    def finish(self) -> None:
        self.gate.system_ended()
        self._ended()
        self.stream.finish()

    def close(self) -> None:
        self.gate.system_ended()
        self._ended()
        self.stream.close()


class MicrophoneSide(_Side):
    """The microphone's stream: its audio goes through the gate first."""

    side = "mic"

    def push(self, samples: np.ndarray) -> bool:
        self._wait(samples)
        out = self.gate.microphone(samples, self._now())
        self._pushed(samples)
        return self.stream.push(out) if len(out) else not self.stream.closed

    def finish(self) -> None:
        self._ended()
        rest = self.gate.flush()
        if len(rest) and not self.stream.closed:
            self.stream.push(rest)
        self.stream.finish()

    def close(self) -> None:
        self._ended()
        self.stream.close()
