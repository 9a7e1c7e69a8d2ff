"""The window grid: exact windows whatever the delivery, bounded memory, and chunked decoding
that equals whole-signal decoding for a model whose frames depend only on their own samples."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import BASE_960H_VOCAB

from engine.config import PROFILES, TranscribeOptions
from engine.ctc import Vocab, decode_frames
from engine.frames import RunsOwnWindows
from engine.model import FrameOutput
from engine.transcribe import transcribe_array, transcribe_blocks
from engine.windows import Grid, Window, Windower

FRAME = 320
FIELD = 400  # wav2vec2's receptive field in samples
SMALL = Grid(frame_samples=FRAME, left=3, centre=5, right=2)
GRIDS = [SMALL, Grid(FRAME, left=0, centre=1, right=1)] + [
    Grid.from_profile(p) for p in PROFILES.values()
]
VOCAB = Vocab(
    tokens=tuple(sorted(BASE_960H_VOCAB, key=BASE_960H_VOCAB.get)), blank_id=0, delimiter_id=4
)


def noise(num_samples: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, num_samples).astype(np.float32)


def collect(windower: Windower, audio: np.ndarray, sizes: list[int]) -> list[Window]:
    windows: list[Window] = []
    pos = 0
    for size in sizes:
        windower.push(audio[pos : pos + size])
        pos += size
        windows += windower.ready()
    assert pos >= audio.size
    return windows + windower.finish()


def fixed_sizes(total: int, size: int) -> list[int]:
    return [size] * (-(-total // size))


def random_sizes(total: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    sizes = []
    while sum(sizes) < total:
        sizes.append(int(rng.choice([0, 1, 17, 319, 320, 321, 1000, 5000, 24000])))
    return sizes


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g.left}-{g.centre}-{g.right}")
@pytest.mark.parametrize("num_samples", [0, 1, 319, 320, 321, 400, 16000, 3 * 16000 + 77])
def test_windows_tile_the_frames_exactly_once(grid: Grid, num_samples: int) -> None:
    audio = noise(num_samples, seed=num_samples)
    windows = collect(Windower(grid), audio, [num_samples])
    padded = np.concatenate(
        [
            np.zeros(grid.left * FRAME, np.float32),
            audio,
            np.zeros(len(windows) * grid.centre * FRAME + grid.window_samples, np.float32),
        ]
    )
    covered: list[int] = []
    for k, window in enumerate(windows):
        assert window.index == k and window.final
        assert window.samples.shape == (grid.window_samples,) and window.samples.dtype == np.float32
        assert window.first_frame == k * grid.centre
        assert window.keep_from == grid.left and 1 <= window.keep <= grid.centre
        start = grid.start(k) + grid.left * FRAME  # index into `padded`
        np.testing.assert_array_equal(window.samples, padded[start : start + grid.window_samples])
        covered += range(window.first_frame, window.first_frame + window.keep)
    total_frames = -(-num_samples // FRAME)
    assert covered == list(range(total_frames))
    # The model's output for a window has enough frames for the kept slice.
    model_frames = (grid.window_samples - FIELD) // FRAME + 1
    assert all(w.keep_from + w.keep <= model_frames for w in windows)


def test_finish_pads_with_zeros_after_the_audio() -> None:
    audio = np.ones(2 * 16000 + 100, dtype=np.float32)
    windows = collect(Windower(SMALL), audio, [audio.size])
    last = windows[-1]
    end_in_window = audio.size - SMALL.start(last.index)
    assert np.all(last.samples[:end_in_window] == 1.0)
    assert np.all(last.samples[end_in_window:] == 0.0)
    assert windows[0].samples[: SMALL.left * FRAME].tolist() == [0.0] * (SMALL.left * FRAME)
    assert sum(w.keep for w in windows) == -(-audio.size // FRAME)
    # Each window knows which of its samples are audio: not the padding on either side.
    assert windows[0].valid == (SMALL.left * FRAME, SMALL.window_samples)
    assert last.valid == (0, end_in_window)
    assert all(w.valid == (0, SMALL.window_samples) for w in windows[1:-2])


def test_a_partial_window_marks_the_audio_received_so_far() -> None:
    windower = Windower(SMALL)
    windower.push(np.ones(500, dtype=np.float32))
    peek = windower.peek()
    assert peek is not None and not peek.final
    assert peek.valid == (SMALL.left * FRAME, SMALL.left * FRAME + 500)
    assert np.all(peek.samples[slice(*peek.valid)] == 1.0)


def test_a_partial_window_may_see_less_context_than_the_grid() -> None:
    windower = Windower(SMALL)
    audio = np.arange(SMALL.end(0) + 700, dtype=np.float32)
    windower.push(audio)
    windower.ready()  # window 0 is final; window 1 is partly there
    whole, short = windower.peek(), windower.peek(left=1)
    assert whole is not None and short is not None
    assert (short.index, short.first_frame, short.keep) == (1, whole.first_frame, whole.keep)
    assert short.keep_from == 1 and whole.keep_from == SMALL.left
    cut = (SMALL.left - 1) * FRAME  # the samples the short window leaves out
    assert len(short.samples) == len(whole.samples) - cut
    assert np.array_equal(short.samples, whole.samples[cut:])
    assert short.valid == (whole.valid[0], whole.valid[1] - cut)
    assert windower.peek(left=SMALL.left + 5).keep_from == SMALL.left  # never more than the grid


def test_normalisation_ignores_padding() -> None:
    """A short utterance in a long window is normalised as if it were alone (the way the model
    was trained), and the padding stays silent."""
    from engine.model import normalise

    speech = noise(8000, seed=3) * 0.2 + 0.05
    window = np.zeros(64000, dtype=np.float32)
    window[16000:24000] = speech
    out = normalise(window[None], 5e-3, np.array([[16000, 24000]]))[0]
    np.testing.assert_allclose(
        out[16000:24000], normalise(speech[None], 5e-3)[0], rtol=1e-4, atol=1e-5
    )
    assert not out[:16000].any() and not out[24000:].any()
    # Over the whole window the same speech would come out louder (more than 2.5 times here).
    assert np.std(normalise(window[None], 5e-3)[0][16000:24000]) > 2.5 * np.std(out[16000:24000])


@pytest.mark.parametrize(
    "grid", [SMALL, Grid.from_profile(PROFILES["low_latency"])], ids=["small", "low_latency"]
)
def test_any_delivery_gives_the_same_windows(grid: Grid) -> None:
    audio = noise(36800, seed=1)
    whole = collect(Windower(grid), audio, [audio.size])
    deliveries = {
        "1": fixed_sizes(audio.size, 1),
        "160": fixed_sizes(audio.size, 160),
        "592": fixed_sizes(audio.size, 592),
        "16000": fixed_sizes(audio.size, 16000),
        "random": random_sizes(audio.size, seed=2),
    }
    for name, sizes in deliveries.items():
        windows = collect(Windower(grid), audio, sizes)
        assert len(windows) == len(whole), name
        for a, b in zip(windows, whole):
            assert (a.index, a.first_frame, a.keep_from, a.keep, a.final) == (
                b.index,
                b.first_frame,
                b.keep_from,
                b.keep,
                b.final,
            ), name
            np.testing.assert_array_equal(a.samples, b.samples, err_msg=name)


def test_windows_become_ready_as_soon_as_their_right_context_arrives() -> None:
    windower = Windower(SMALL)
    windower.push(np.zeros(SMALL.end(0) - 1, np.float32))
    assert windower.ready() == []
    windower.push(np.zeros(1, np.float32))
    assert [w.index for w in windower.ready()] == [0]
    assert windower.finalised_samples == SMALL.centre * FRAME


def test_push_after_finish_is_an_error() -> None:
    windower = Windower(SMALL)
    windower.finish()
    with pytest.raises(RuntimeError):
        windower.push(np.zeros(10, np.float32))


def test_memory_is_bounded_for_long_streams() -> None:
    grid = Grid.from_profile(PROFILES["file"])
    windower = Windower(grid)
    block = noise(16000, seed=3)
    held_max = 0
    taken = 0
    for _ in range(600):  # ten minutes in one-second blocks
        windower.push(block)
        taken += len(windower.ready())
        held = windower._buffer.size + sum(c.size for c in windower._chunks)
        held_max = max(held_max, held)
    assert taken >= (600 * 16000 - grid.window_samples) // (grid.centre * FRAME)
    assert held_max < grid.window_samples + block.size


# --- chunked decoding equals whole decoding ------------------------------------------------

BLANK_LEVEL = 600  # integer RMS (in 16-bit steps) under which a frame is blank
DELIMITER_LEVEL = 2500  # under this (and above BLANK_LEVEL) the frame is "|"


def label_frames(signal: np.ndarray, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame j's (id, prob) from the samples [320j, 320j + 400) of ``signal`` only.

    Integer arithmetic, so the result does not depend on where the samples sit in memory.
    """
    ints = np.round(signal.astype(np.float64) * 32767).astype(np.int64)
    views = np.lib.stride_tricks.sliding_window_view(ints, FIELD)[::FRAME][:n_frames]
    energy = (views * views).sum(axis=1) // FIELD  # exact mean square
    level = np.sqrt(energy.astype(np.float64)).astype(np.int64)
    ids = np.where(
        level < BLANK_LEVEL, 0, np.where(level < DELIMITER_LEVEL, 4, 5 + (level // 700) % 27)
    )
    probs = ((level % 97) + 3).astype(np.float32) / np.float32(100)
    return ids, probs


class FakeFrameModel(RunsOwnWindows):
    """A FrameModel whose frame labels are a pure function of each frame's own raw samples (no
    per-window normalisation), with wav2vec2's frame count for a window."""

    vocab = VOCAB
    frame_samples = FRAME
    name = "fake"

    def __init__(self) -> None:
        self.windows_seen = 0

    def frames(self, windows: np.ndarray, valid: np.ndarray | None = None) -> FrameOutput:
        windows = np.asarray(windows)
        assert windows.ndim == 2
        self.windows_seen += windows.shape[0]
        n = (windows.shape[1] - FIELD) // FRAME + 1
        labelled = [label_frames(w, n) for w in windows]
        return FrameOutput(
            ids=np.stack([i for i, _ in labelled]), probs=np.stack([p for _, p in labelled])
        )


def bursts(seconds: float, seed: int) -> np.ndarray:
    """Noise bursts of random loudness and length between silences of random length."""
    rng = np.random.default_rng(seed)
    out = []
    total = 0
    while total < seconds * 16000:
        n = int(rng.integers(800, 12000))
        if rng.random() < 0.4:
            piece = (
                np.zeros(n, np.float32)
                if rng.random() < 0.5
                else rng.normal(0, 1e-4, n).astype(np.float32)
            )
            if rng.random() < 0.3:
                piece = np.zeros(
                    int(rng.integers(9000, 20000)), np.float32
                )  # a pause longer than the word gap
        else:
            envelope = np.repeat(rng.uniform(0.0, 0.9, n // 400 + 1), 400)[:n]
            piece = (rng.uniform(-1, 1, n) * envelope).astype(np.float32)
        out.append(piece)
        total += piece.size
    return np.concatenate(out)[: int(seconds * 16000)]


def whole_signal_words(audio: np.ndarray) -> list:
    n_frames = -(-audio.size // FRAME)
    padded = np.concatenate([audio, np.zeros(FIELD, np.float32)])
    ids, probs = label_frames(padded, n_frames)
    return decode_frames(VOCAB, ids, probs, gap_frames=25)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_chunked_decoding_equals_whole_decoding(profile: str) -> None:
    audio = bursts(37.3, seed=4)
    expected = whole_signal_words(audio)
    assert len(expected) > 30  # words form and break
    assert len({w.text for w in expected}) > 10
    model = FakeFrameModel()
    transcript = transcribe_array(model, audio, TranscribeOptions(profile=profile))
    assert transcript.words == expected
    assert model.windows_seen > 0


@pytest.mark.parametrize("profile", ["low_latency", "file"])
def test_chunked_decoding_is_independent_of_blocks_and_batches(profile: str) -> None:
    audio = bursts(21.1, seed=5)
    expected = whole_signal_words(audio)
    sizes = random_sizes(audio.size, seed=6)
    starts = np.cumsum([0] + sizes[:-1])
    blocks = [audio[s : s + n] for s, n in zip(starts, sizes)]
    for batch_size in (1, 3, 8):
        options = TranscribeOptions(profile=profile, batch_size=batch_size)
        transcript = transcribe_blocks(FakeFrameModel(), blocks, options)
        assert transcript.words == expected, batch_size
        assert transcript.duration == pytest.approx(audio.size / 16000)


def test_whole_decoding_ends_at_the_last_frame() -> None:
    # A word still sounding when the audio stops is completed by finish(), ending at the audio's
    # last frame, in both paths.
    audio = (np.random.default_rng(7).uniform(-1, 1, 16000 * 3 + 123) * 0.8).astype(np.float32)
    expected = whole_signal_words(audio)
    words = transcribe_array(FakeFrameModel(), audio, TranscribeOptions(profile="balanced")).words
    assert words == expected
    assert words[-1].end == pytest.approx(-(-audio.size // FRAME) * 0.02)


def test_power_saving_grid_decides_twice_the_audio_per_window():
    from engine.config import get_profile

    for name in ("low_latency", "balanced", "accurate"):
        plain, saver = get_profile(name), get_profile(name, power_saver=True)
        assert saver.centre_s == 2 * plain.centre_s
        assert (saver.left_s, saver.right_s, saver.name) == (plain.left_s, plain.right_s, name)
    assert get_profile("file", power_saver=True) == get_profile("file")
