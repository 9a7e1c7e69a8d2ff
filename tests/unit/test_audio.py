"""Decoding real files of many formats to 16 kHz mono, resampling, PCM, and bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import have, read_wav

from engine.audio import (
    Resampler,
    float_to_pcm16,
    iter_audio,
    load_audio,
    pcm16_to_float,
    resample,
    to_mono,
)
from engine.errors import AudioError

RATE = 16000
STEREO = ["-af", "pan=stereo|c0=c0|c1=c0"]  # the mono signal in both channels, same level
needs_ffmpeg = pytest.mark.skipif(
    not have("ffmpeg"), reason="ffmpeg is needed to encode test files"
)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def best_correlation(a: np.ndarray, b: np.ndarray, max_lag: int = 160) -> tuple[float, int]:
    """Highest correlation of a and b over shifts of up to ``max_lag`` samples (10 ms)."""
    n = min(a.size, b.size) - max_lag
    best = (-1.0, 0)
    for lag in range(-max_lag, max_lag + 1):
        x = a[max(lag, 0) : max(lag, 0) + n]
        y = b[max(-lag, 0) : max(-lag, 0) + n]
        best = max(best, (float(np.corrcoef(x, y)[0, 1]), lag))
    return best


@pytest.fixture(scope="module")
def speech(hello_wav: Path) -> np.ndarray:
    return read_wav(hello_wav)


@pytest.fixture(scope="module")
def encoded(hello_wav: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same speech in many containers and codecs."""
    if not have("ffmpeg"):
        pytest.skip("ffmpeg is needed to encode test files")
    folder = tmp_path_factory.mktemp("encoded")
    src = str(hello_wav)
    files = {"wav16k": hello_wav}
    recipes = {
        "wav48k_stereo": ("wav48k_stereo.wav", ["-ar", "48000", *STEREO]),
        "flac": ("speech.flac", []),
        "aiff": ("speech.aiff", []),
        "ogg_vorbis": ("speech.ogg", ["-c:a", "libvorbis"]),
        "opus": ("speech.opus", ["-c:a", "libopus"]),
        "mp3": ("speech.mp3", ["-c:a", "libmp3lame"]),
        "m4a_aac": ("speech.m4a", ["-c:a", "aac"]),
        "mp4_aac": ("speech.mp4", ["-c:a", "aac"]),
        "m4a_aac_48k_stereo": ("speech48.m4a", ["-ar", "48000", *STEREO, "-c:a", "aac"]),
        "mkv_opus": ("speech.mkv", ["-c:a", "libopus"]),
        "webm_opus": ("speech.webm", ["-c:a", "libopus"]),
        "mp3_44k_stereo": ("speech44.mp3", ["-ar", "44100", *STEREO, "-c:a", "libmp3lame"]),
    }
    for key, (name, args) in recipes.items():
        ffmpeg("-i", src, *args, str(folder / name))
        files[key] = folder / name
    return files


LOSSLESS = ["wav16k", "wav48k_stereo", "flac", "aiff"]
LOSSY = [
    "ogg_vorbis",
    "opus",
    "mp3",
    "m4a_aac",
    "mp4_aac",
    "m4a_aac_48k_stereo",
    "mkv_opus",
    "webm_opus",
    "mp3_44k_stereo",
]


@pytest.mark.parametrize("key", LOSSLESS + LOSSY)
def test_formats_decode_to_16k_mono(key: str, encoded: dict[str, Path], speech: np.ndarray) -> None:
    audio = load_audio(encoded[key])
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert np.all(np.isfinite(audio)) and np.max(np.abs(audio)) <= 1.5
    tolerance = 0.05 if key in LOSSLESS else 0.06  # lossy encoders pad the start and end
    assert abs(audio.size - speech.size) / RATE <= tolerance, (
        f"{audio.size} vs {speech.size} samples"
    )
    assert abs(db(audio) - db(speech)) <= 1.5
    if key in LOSSLESS:
        n = min(audio.size, speech.size)
        assert np.corrcoef(audio[:n], speech[:n])[0, 1] > 0.999
    else:
        correlation, lag = best_correlation(audio, speech)
        assert correlation > 0.9, (correlation, lag)


def test_lossless_16k_wav_is_exact(encoded: dict[str, Path], speech: np.ndarray) -> None:
    np.testing.assert_array_equal(load_audio(encoded["wav16k"]), speech)
    np.testing.assert_array_equal(load_audio(encoded["flac"]), speech)


@pytest.mark.parametrize("key", ["wav48k_stereo", "m4a_aac", "mp3"])
def test_small_blocks_equal_one_block(key: str, encoded: dict[str, Path]) -> None:
    whole = np.concatenate(list(iter_audio(encoded[key], block_s=60)))
    blocks = list(iter_audio(encoded[key], block_s=0.07))
    assert len(blocks) > 10
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    np.testing.assert_allclose(np.concatenate(blocks), whole, atol=1e-6)


def test_unknown_extension_with_valid_audio_inside(
    encoded: dict[str, Path], tmp_path: Path
) -> None:
    for key in ("wav16k", "m4a_aac"):
        renamed = tmp_path / f"{key}.unknownext"
        renamed.write_bytes(encoded[key].read_bytes())
        np.testing.assert_allclose(load_audio(renamed), load_audio(encoded[key]), atol=1e-6)


def test_misnamed_mp3_with_wav_extension(encoded: dict[str, Path], tmp_path: Path) -> None:
    misnamed = tmp_path / "really_an_mp3.wav"
    misnamed.write_bytes(encoded["mp3"].read_bytes())
    audio = load_audio(misnamed)
    assert abs(audio.size - load_audio(encoded["mp3"]).size) / RATE <= 0.06


# --- resampling and PCM ---------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_streaming_resampler_equals_whole_resample(rate: int) -> None:
    rng = np.random.default_rng(rate)
    signal = rng.normal(0, 0.1, rate * 2 + 17).astype(np.float32)
    whole = resample(signal, rate)
    assert abs(whole.size - signal.size * RATE / rate) <= 1
    resampler = Resampler(rate)
    pieces, pos = [], 0
    while pos < signal.size:
        n = int(rng.integers(1, 3000))
        pieces.append(resampler(signal[pos : pos + n]))
        pos += n
    pieces.append(resampler(np.zeros(0, np.float32), last=True))
    streamed = np.concatenate(pieces)
    assert streamed.size == whole.size
    np.testing.assert_allclose(streamed, whole, atol=1e-6)


def test_resampling_keeps_a_tone() -> None:
    t = np.arange(48000) / 48000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = resample(tone, 48000)
    expected = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    np.testing.assert_allclose(out[200:-200], expected[200:-200], atol=2e-3)


def test_resampler_passes_16k_through_and_rejects_bad_rates() -> None:
    x = np.linspace(-1.0, 1.0, 10, dtype=np.float32)
    np.testing.assert_array_equal(Resampler(RATE)(x), x)
    with pytest.raises(AudioError):
        Resampler(0)


def test_to_mono_averages_channels() -> None:
    block = np.array([[1.0, 0.0], [0.5, -0.5]], dtype=np.float32)
    np.testing.assert_array_equal(to_mono(block), [0.5, 0.0])
    np.testing.assert_array_equal(to_mono(np.array([0.25], np.float32)), [0.25])


def test_pcm16_round_trip() -> None:
    every_value = np.arange(-32768, 32768, dtype="<i2").tobytes()
    samples = pcm16_to_float(every_value)
    assert samples.dtype == np.float32 and samples.min() == -1.0 and samples.max() < 1.0
    assert float_to_pcm16(samples) == every_value
    clipped = np.frombuffer(float_to_pcm16(np.array([2.0, -2.0, 1.0], np.float32)), "<i2")
    assert clipped.tolist() == [32767, -32768, 32767]


def test_pcm16_odd_byte_count() -> None:
    with pytest.raises(AudioError, match="even number of bytes"):
        pcm16_to_float(b"\x00\x01\x02")


# --- bad input ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nothing.wav")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="folder"):
        load_audio(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    with pytest.raises(AudioError, match="empty"):
        load_audio(empty)


def test_text_file_named_wav(tmp_path: Path) -> None:
    fake = tmp_path / "notes.wav"
    fake.write_text("these are not the samples you are looking for\n" * 20)
    with pytest.raises(AudioError, match="not a readable audio") as info:
        load_audio(fake)
    assert "notes.wav" in str(info.value)


def test_random_bytes_named_mp3(tmp_path: Path) -> None:
    fake = tmp_path / "noise.mp3"
    fake.write_bytes(np.random.default_rng(1).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(AudioError) as info:
        load_audio(fake)
    assert "noise.mp3" in str(info.value)


@needs_ffmpeg
def test_container_without_audio(tmp_path: Path) -> None:
    video = tmp_path / "silent_film.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:s=32x32:d=0.5", "-c:v", "mpeg4", str(video))
    with pytest.raises(AudioError, match="no audio track") as info:
        load_audio(video)
    assert "silent_film.mp4" in str(info.value)


@needs_ffmpeg
def test_truncated_short_mp3(encoded: dict[str, Path], tmp_path: Path, speech: np.ndarray) -> None:
    data = encoded["mp3"].read_bytes()
    half = tmp_path / "half.mp3"
    half.write_bytes(data[: len(data) // 2])
    audio = load_audio(half)
    # What decodes is the start of the speech, not the whole length padded with silence.
    assert 0.25 * speech.size < audio.size < 0.75 * speech.size


@pytest.fixture(scope="module")
def long_signal(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, Path]:
    """70 s of a gliding, pulsing tone (no repeats), longer than the decoder's 30 s blocks."""
    t = np.arange(70 * RATE) / RATE
    signal = (
        0.3 * np.sin(2 * np.pi * (200 + 5 * t) * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.37 * t))
    )
    path = tmp_path_factory.mktemp("long") / "long.wav"
    sf.write(str(path), signal.astype(np.float32), RATE)
    return signal.astype(np.float32), path


def encode(source: Path, name: str, *args: str) -> Path:
    target = source.with_name(name)
    if not target.exists():
        ffmpeg("-i", str(source), *args, str(target))
    return target


def assert_prefix_of(audio: np.ndarray, signal: np.ndarray, lossy: bool) -> None:
    """``audio`` is a start of ``signal``: it never repeats or invents audio past the cut."""
    step = 5 * RATE
    for start in range(0, min(audio.size, signal.size) - RATE - 2000, step):  # 1 s every 5 s
        piece = slice(start + 1000, start + 1000 + RATE)
        correlation = float(np.corrcoef(audio[piece], signal[piece])[0, 1])
        assert correlation > (0.9 if lossy else 0.999), (
            f"audio at {start / RATE:.0f} s is not the source"
        )
    assert audio.size < 0.75 * signal.size, f"{audio.size / RATE:.1f} s decoded from a cut file"


@needs_ffmpeg
@pytest.mark.parametrize("codec", ["mp3", "flac", "ogg", "wav"])
def test_truncated_long_file_gives_its_start(codec: str, long_signal, tmp_path: Path) -> None:
    signal, wav = long_signal
    args = {"mp3": ["-c:a", "libmp3lame"], "ogg": ["-c:a", "libvorbis"]}.get(codec, [])
    full = wav if codec == "wav" else encode(wav, f"long.{codec}", *args)
    data = full.read_bytes()
    cut = tmp_path / f"cut.{codec}"
    cut.write_bytes(data[: len(data) * 6 // 10])
    # Every codec here decodes up to the cut (a FLAC to its last whole block: 30 of 70 s).
    audio = load_audio(cut)
    assert audio.size > 0.4 * signal.size
    assert_prefix_of(audio, signal, lossy=codec in ("mp3", "ogg"))


@needs_ffmpeg
def test_vbr_mp3_without_length_header(long_signal) -> None:
    # Without a Xing/Info header an MP3's length is not in the file; it must be decoded, not
    # estimated from the first frame's bitrate.
    signal, wav = long_signal
    mp3 = encode(wav, "long_vbr_noxing.mp3", "-c:a", "libmp3lame", "-q:a", "7", "-write_xing", "0")
    audio = load_audio(mp3)
    decoded_s, expected_s = audio.size / RATE, signal.size / RATE
    assert abs(decoded_s - expected_s) < 0.2, f"{decoded_s:.1f} s decoded of {expected_s:.0f} s"
