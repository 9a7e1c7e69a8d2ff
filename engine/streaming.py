"""The online processor: audio in small pieces, partial and final words out.

``StreamState`` holds one stream's windows and decoders and never runs a model: it hands out
windows (``take_work``) and turns their frames into events (``complete``). ``OnlineProcessor``
runs a state against a model synchronously (``push`` then ``finish``); the scheduler runs many
states against one model, batching their windows.

Final words come from the same grid, the same frames and the same decoder as file
transcription, so for the same audio and profile the final words equal the file's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from .config import SAMPLE_RATE, DecodeOptions, get_profile
from .ctc import Word
from .model import FrameModel
from .stitch import is_silent, make_stitcher, run_windows, wants_log_probs
from .units import join_units
from .windows import Grid, Window, Windower


class EventType(str, Enum):
    """What an engine event says. A ``str`` enum: its value is the wire name of the event."""

    PARTIAL = "partial"  # the whole unfinal tail, replacing the previous partial
    FINAL = "final"  # newly final words
    SPEECH_STARTED = "speech_started"  # the first words of an utterance are coming
    UTTERANCE_END = "utterance_end"  # a pause long enough ended the utterance
    OVERLOAD = "overload"  # the stream fell behind (message says how far)
    ERROR = "error"  # the stream ended with an error (message says why)
    END = "end"  # the stream ended after its last words

    def __str__(self) -> str:
        return self.value


EVENT_TYPES = tuple(t.value for t in EventType)
# The last stretch of a window's right context, where a word that starts may not show yet (the
# model hears too little of it): a pause seen in the right context counts up to before it.
EDGE_S = 0.2


@dataclass(frozen=True)
class StreamOptions:
    profile: str = "balanced"  # latency profile: low_latency, balanced or accurate
    # New audio between partial results. Each final window's right context gives one (no pass
    # of its own), and no partial pass runs just before a final window: in the balanced profile
    # two partial passes per second of audio, against three or four every 0.3 s before, with
    # fewer revisions and at most 10 % more word delay (bench/partial_stability.py; 0.5 s:
    # one pass a second, but 40 % more delay; docs/performance.md).
    partial_interval_s: float = 0.4
    partials: bool = True  # compute partial results at all
    # Context before the unfinal audio in a partial pass (the grid's left context at most):
    # a partial is revised by its final anyway, and its pass costs what audio it holds
    # (docs/performance.md, The CPU a live stream costs).
    partial_context_s: float = 0.5
    # Partial windows of their own between finals (a forward pass each). False: partials come
    # only from the final windows' right context, which costs nothing (one per window centre).
    partial_passes: bool = True
    # Power-saving mode: no partial passes (partials only from the finals' right context) and
    # the profile's power-saving grid, half the final windows (config.get_profile).
    power_saver: bool = False
    # Show a partial word only once two consecutive partial results agree on it (and on every
    # word before it): the caption then rarely changes its mind, at the cost of one partial
    # interval of delay. False shows each partial result as it comes.
    stable_partials: bool = True
    utterance_gap_s: float = 0.8  # silence after a final word that ends an utterance
    decode: DecodeOptions = field(default_factory=DecodeOptions)  # CTC word decoding


class Timed:
    """Start and end of something with ``words`` at a ``time``: its words' span, else the time
    (an engine Event, a caption update)."""

    words: tuple[Word, ...]
    time: float

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else self.time

    @property
    def end(self) -> float:
        return self.words[-1].end if self.words else self.time


@dataclass(frozen=True)
class Event(Timed):
    type: EventType  # a plain string is accepted and checked (EventType(value))
    time: float  # stream time in seconds the event refers to
    words: tuple[Word, ...] = ()  # caption units; partial: the whole unfinal tail; final: new
    message: str = ""  # error and overload: what happened, for the user
    lag_s: float = 0.0  # overload and error: how far behind the audio the stream was, seconds

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", EventType(self.type))

    @property
    def text(self) -> str:
        return join_units(w.text for w in self.words)


class StreamState:
    """One stream's position on the grid, its decoders and its events. No model, no threads."""

    def __init__(self, model: FrameModel, options: StreamOptions = StreamOptions()) -> None:
        self.options = options
        self.grid = Grid.from_profile(
            get_profile(options.profile, options.power_saver), model.frame_samples
        )
        self.windower = Windower(self.grid)
        self.stitcher = make_stitcher(model, options.decode)
        self.wants_log_probs = wants_log_probs(self.stitcher)
        # Ids that are speech: the word delimiter "|" is not (models emit it inside pauses too),
        # nor the blank or special tokens.
        vocab = model.vocab
        self._spoken = np.array([vocab.is_char(i) for i in range(len(vocab.tokens))], bool)
        self._frame_s = model.frame_samples / SAMPLE_RATE
        self._partial_step = int(options.partial_interval_s * SAMPLE_RATE)
        self._partial_left = max(
            0, round(options.partial_context_s * SAMPLE_RATE / model.frame_samples)
        )
        self._partial_at = 0  # samples received when the last partial was taken
        self._last_partial: tuple[str, ...] = ()  # texts of the last partial event sent
        self._hypothesis: tuple[str, ...] = ()  # texts of the last partial result computed
        self._in_speech = False
        self._last_final_end = 0.0
        self._last_voice_end = 0.0  # end of the last non-blank final frame, seconds

    @property
    def received_s(self) -> float:
        return self.windower.received / SAMPLE_RATE

    @property
    def lag_s(self) -> float:
        """Audio received but not yet final, in seconds."""
        return (self.windower.received - self.windower.finalised_samples) / SAMPLE_RATE

    def add_audio(self, samples: np.ndarray) -> None:
        self.windower.push(samples)

    def take_work(
        self, partial: bool = True, pass_s: float = 0.0, whole_partial: bool = False
    ) -> list[Window]:
        """Final windows that are ready, then a partial window when one is due. ``pass_s``:
        what a forward pass takes now (the scheduler measures it); no partial pass is started
        that the next final window's audio would arrive during (its right context gives the
        partial then, and the final need not wait for the partial). A partial window has
        ``partial_context_s`` of context, or the grid's with ``whole_partial`` (the shape of a
        final window, to ride along in its batch where batching is cheap: CUDA)."""
        windows = self.windower.ready()
        options = self.options
        if windows and options.partials:  # the newest one's right context gives a partial
            self._partial_at = max(self._partial_at, self.grid.end(windows[-1].index))
        if partial and options.partials and self._partial_passes and self._partial_due(pass_s):
            peek = self.windower.peek(None if whole_partial else self._partial_left)
            # Only the audio after the left context is new to this window: no partial for silence.
            if peek is not None and not is_silent(
                peek.samples[peek.keep_from * self.grid.frame_samples :],
                self.options.decode.silence_level,
            ):
                windows.append(peek)
                self._partial_at = self.windower.received
        return windows

    def finish_work(self) -> list[Window]:
        """End of stream: every remaining window."""
        return self.windower.finish()

    def complete(
        self,
        window: Window,
        ids: np.ndarray,
        probs: np.ndarray,
        log_probs: np.ndarray | None = None,
    ) -> list[Event]:
        """Events for a window's frames; final windows must arrive in grid order."""
        if not window.final:
            return self._partial_event(self.stitcher.peek(window, ids, probs))
        events: list[Event] = []
        kept = ids[window.keep_slice]
        start_s = window.first_frame * self._frame_s
        words = self.stitcher.add(window, ids, probs, log_probs)
        if words:
            events += self._final_event(words)
        # An utterance ends after a long enough run of frames without speech (blank or word
        # delimiter) following the last voiced one. A right context without speech counts too:
        # the pause is seen as soon as the words before it are final, a window sooner.
        voiced = np.flatnonzero(self._is_spoken(kept))
        if voiced.size:
            self._last_voice_end = start_s + (voiced[-1] + 1) * self._frame_s
        end_s = start_s + len(kept) * self._frame_s
        pause = self._quiet_until(window, ids, end_s) - self._last_voice_end
        if (
            self._in_speech
            and pause >= self.options.utterance_gap_s
            and not self.stitcher.pending()
        ):
            events.append(Event(EventType.UTTERANCE_END, self._last_final_end))
            self._in_speech = False
            self._last_partial = self._hypothesis = ()
        return events + self._context_partial(window, ids, probs)

    def close(self) -> list[Event]:
        """After the last final window: flush the word in progress and end the utterance."""
        events = self._final_event(self.stitcher.finish())
        if self._in_speech:
            events.append(Event(EventType.UTTERANCE_END, self._last_final_end))
            self._in_speech = False
        events.append(Event(EventType.END, self.received_s))
        return events

    def _quiet_until(self, window: Window, ids: np.ndarray, end_s: float) -> float:
        """How far the silence after the kept frames is known to reach: through the window's
        right context (its audio received, less ``EDGE_S`` at its edge) when no frame there is
        speech, else to the kept frames' end."""
        stop = min(len(ids), window.valid[1] // self.grid.frame_samples)
        right = ids[window.keep_slice.stop : stop]
        seen = right.size * self._frame_s - EDGE_S
        if seen <= 0 or self._is_spoken(right).any():
            return end_s
        return end_s + seen

    def _is_spoken(self, ids: np.ndarray) -> np.ndarray:
        """True for frames whose id spells something (ids beyond the vocabulary count too)."""
        known = ids < len(self._spoken)
        return np.where(known, self._spoken[np.where(known, ids, 0)], True)

    def _final_event(self, words: list[Word]) -> list[Event]:
        if not words:
            return []
        events = self._speech_started(words[0].start)
        events.append(Event(EventType.FINAL, words[-1].end, tuple(words)))
        self._last_final_end = words[-1].end
        self._last_partial = ()
        # The tail's first words are final now: the hypothesis goes on after them.
        done = tuple(w.text for w in words)
        agreed = self._hypothesis[: len(done)] == done
        self._hypothesis = self._hypothesis[len(done) :] if agreed else ()
        return events

    def _partial_event(self, words: list[Word]) -> list[Event]:
        texts = tuple(w.text for w in words)
        # Without partial passes each partial covers new audio: there is no second look to
        # agree with, so the right context's words show as they are.
        if self.options.stable_partials and self._partial_passes:
            # Words agreed on, and never fewer than shown now: a word the new result disagrees
            # with is replaced in place rather than taken away (a shrinking line flickers).
            agreed = _common_prefix(texts, self._hypothesis)
            agreed = max(agreed, min(len(self._last_partial), len(texts)))
            self._hypothesis = texts
            words, texts = words[:agreed], texts[:agreed]
        if not words or texts == self._last_partial:
            return []
        self._last_partial = texts
        return self._speech_started(words[0].start) + [
            Event(EventType.PARTIAL, words[-1].end, tuple(words))
        ]

    def _speech_started(self, time: float) -> list[Event]:
        if self._in_speech:
            return []
        self._in_speech = True
        return [Event(EventType.SPEECH_STARTED, time)]

    def _context_partial(self, window: Window, ids: np.ndarray, probs: np.ndarray) -> list[Event]:
        """The partial result of a final window's right context (:meth:`context_tail`)."""
        tail = self.context_tail(window, len(ids))
        if tail is None:
            return []
        return self._partial_event(self.stitcher.peek(tail, ids, probs))

    def context_tail(self, window: Window, frames: int) -> Window | None:
        """The right context of a final window of ``frames`` labelled frames, as a partial
        window: the frames after its centre are the start of the unfinal tail, labelled already,
        so the newest final window gives a partial without a forward pass of its own. None after
        the end of the audio, for a final window that a newer one (taken in the same round)
        already follows, and when partials are off."""
        grid = self.grid
        newest = window.index == self.windower.next_index - 1
        if not (self.options.partials and newest and window.final and window.keep == grid.centre):
            return None
        if self.windower.finished:
            return None
        return Window(
            window.index + 1,
            window.samples,
            first_frame=window.first_frame + window.keep,
            keep_from=window.keep_from + window.keep,
            keep=min(grid.right, frames - window.keep_from - window.keep),
            final=False,
            valid=window.valid,
        )

    @property
    def _partial_passes(self) -> bool:
        return self.options.partial_passes and not self.options.power_saver

    def _partial_due(self, pass_s: float = 0.0) -> bool:
        received = self.windower.received
        if received - self._partial_at < self._partial_step:
            return False
        # No partial pass just before a final window: its right context gives the partial.
        margin = max(self._partial_step // 2, int(pass_s * SAMPLE_RATE))
        return self.grid.end(self.windower.next_index) - received >= margin


class OnlineProcessor:
    """A stream against a model, synchronously: ``push(samples)`` returns the events it causes;
    ``finish()`` flushes. No threads; the scheduler is the threaded, many-stream version."""

    def __init__(self, model: FrameModel, options: StreamOptions = StreamOptions()) -> None:
        self.model = model
        self.state = StreamState(model, options)

    def push(self, samples: np.ndarray) -> list[Event]:
        self.state.add_audio(samples)
        return self._run(self.state.take_work())

    def finish(self) -> list[Event]:
        events = self._run(self.state.finish_work())
        return events + self.state.close()

    def _run(self, windows: list[Window]) -> list[Event]:
        if not windows:
            return []
        events: list[Event] = []
        level = self.state.options.decode.silence_level
        frames = run_windows(self.model, windows, level, self.state.wants_log_probs)
        for window, out in zip(windows, frames):
            events += self.state.complete(window, *out)
        return events


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def final_words(events: list[Event]) -> list[Word]:
    return [w for e in events if e.type is EventType.FINAL for w in e.words]
