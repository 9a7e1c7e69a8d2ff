"""Decode audio files to 16 kHz mono float32, resample, and convert PCM.

Files are decoded block by block, so an hour-long recording never sits in memory as a whole
before it is needed. soundfile reads the formats libsndfile knows (WAV, FLAC, OGG, MP3); PyAV,
which bundles FFmpeg on every platform, reads everything else (M4A/AAC, Opus, MP4, WebM, MKV).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Union

import numpy as np
import soxr

from .config import SAMPLE_RATE
from .errors import AudioError

log = logging.getLogger("engine.audio")

BLOCK_SECONDS = 30.0
MIN_SAMPLE_RATE = 8_000  # lower input rates are not speech a model can hear
MAX_SAMPLE_RATE = 192_000  # the highest rate audio hardware records at
# A file to decode: a path, or a binary file object that can seek (an upload's spooled file).
AudioSource = Union[str, "os.PathLike[str]", BinaryIO]
# Extensions libsndfile handles reliably; anything else goes straight to FFmpeg.
_SOUNDFILE_EXTENSIONS = {".wav", ".flac", ".ogg", ".oga", ".aiff", ".aif"}
# The FFmpeg demuxers a file may be read with: audio and video containers that hold their media
# themselves. Playlists, SDP and stream descriptions (hls, dash, concat, sdp, rtp, rtsp, ...)
# would open other files or network sockets that the file names: an upload of 100 bytes of SDP
# made the server listen for RTP on ports the client chose. Nothing but the file itself is read
# (protocol_whitelist), whatever a container's references say.
FFMPEG_FORMATS = (
    "wav,w64,flac,mp3,ogg,mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,aac,ac3,eac3,amr,amrnb,amrwb,"
    "asf,aiff,au,caf,avi,mpegts,flv,wv,ape,tta,dts,truehd,mlp,voc,xwma,tak,shorten,mpc,mpc8"
)
_FFMPEG_OPTIONS = {"format_whitelist": FFMPEG_FORMATS, "protocol_whitelist": "file"}


class AudioLimitError(AudioError):
    """The input is readable but outside the limits the caller set (rate, length)."""


@dataclass(frozen=True)
class AudioLimits:
    """What an input may hold; checked on the header before decoding and again while decoding,
    so that a header that lies changes nothing."""

    min_rate: int = MIN_SAMPLE_RATE  # lowest input sample rate, Hz
    max_rate: int = MAX_SAMPLE_RATE  # highest input sample rate, Hz
    max_seconds: float | None = None  # longest audio; None: any length

    def check_rate(self, rate: int, name: str) -> None:
        if not self.min_rate <= rate <= self.max_rate:
            raise AudioLimitError(
                f"{name}: unsupported sample rate {rate} Hz "
                f"(the server accepts {self.min_rate} to {self.max_rate} Hz)"
            )

    def check_seconds(self, seconds: float, name: str) -> None:
        if self.max_seconds is not None and seconds > self.max_seconds:
            raise AudioLimitError(
                f"{name}: {seconds:.0f} s of audio is over the limit of {self.max_seconds:g} s"
            )


@dataclass(frozen=True)
class AudioInfo:
    sample_rate: int  # Hz of the first audio track, as its header says
    seconds: float  # duration as the header says; 0 when it does not say


def check_samples(samples: np.ndarray) -> np.ndarray:
    """The one check every input's samples pass (files, uploads, WebSocket frames, WAV
    messages, microphones: they all decode through :class:`Resampler`): NaN or infinity is an
    :class:`AudioError`; finite values beyond full scale are clipped to [-1, 1], as playing
    them or converting them to PCM would (and as the model's statistics need: 3e38 squared
    overflows float32)."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.size and not np.isfinite(samples).all():
        raise AudioError("the audio holds NaN or infinite sample values")
    if samples.size and float(np.abs(samples).max()) > 1.0:
        samples = np.clip(samples, -1.0, 1.0)
    return samples


def _check_path(path: Path) -> None:
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty")


class Resampler:
    """Streaming mono resampler to 16 kHz (soxr, high quality)."""

    def __init__(self, in_rate: int, out_rate: int = SAMPLE_RATE) -> None:
        if in_rate <= 0:
            raise AudioError(f"invalid sample rate {in_rate}")
        self.in_rate = in_rate
        self._stream = (
            None
            if in_rate == out_rate
            else soxr.ResampleStream(in_rate, out_rate, 1, dtype="float32")
        )

    def __call__(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        """Checked (see :func:`check_samples`) and resampled samples."""
        samples = np.ascontiguousarray(check_samples(samples))
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=last)


def to_mono(block: np.ndarray) -> np.ndarray:
    """Mix a (frames, channels) block down to one channel."""
    if block.ndim == 1:
        return block.astype(np.float32, copy=False)
    return block.mean(axis=1, dtype=np.float32)


def resample(samples: np.ndarray, in_rate: int, out_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Resample a whole mono signal."""
    if in_rate == out_rate:
        return np.asarray(samples, dtype=np.float32)
    return soxr.resample(np.asarray(samples, dtype=np.float32), in_rate, out_rate, quality="HQ")


def pcm16_to_float(data: bytes) -> np.ndarray:
    """Little-endian signed 16-bit PCM bytes to float32 in [-1, 1)."""
    if len(data) % 2:
        raise AudioError("PCM16 data must have an even number of bytes")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def _g711_tables() -> dict[str, np.ndarray]:
    """ITU-T G.711 expansion of all 256 codes to 16-bit sample values."""
    codes = np.arange(256)
    u = ~codes & 0xFF
    mu = ((((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84
    a = codes ^ 0x55
    exponent, mantissa = (a >> 4) & 7, a & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return {
        "mulaw": np.where(u & 0x80, -mu, mu).astype(np.float32) / 32768.0,
        "alaw": np.where(a & 0x80, magnitude, -magnitude).astype(np.float32) / 32768.0,
    }


_G711 = _g711_tables()


def g711_to_float(data: bytes, law: str) -> np.ndarray:
    """G.711 bytes (``law`` is ``mulaw`` or ``alaw``, one byte a sample) to float32 in [-1, 1)."""
    return _G711[law][np.frombuffer(data, dtype=np.uint8)]


def float_to_pcm16(samples: np.ndarray) -> bytes:
    clipped = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0 - 1.0 / 32768)
    return (clipped * 32768.0).astype("<i2").tobytes()


def _soundfile_blocks(
    source: str | BinaryIO, name: str, block_s: float
) -> Generator[tuple[np.ndarray, int], None, None]:
    import soundfile as sf

    with sf.SoundFile(source) as f:
        rate, declared = f.samplerate, f.frames
        size = max(1, int(block_s * rate))
        done = 0
        try:
            while True:
                # read() returns only what really decoded; blocks() pads a short read with
                # whatever its reused buffer held before.
                block = f.read(size, dtype="float32", always_2d=True)
                if not len(block):
                    break
                done += len(block)
                yield to_mono(block), rate
        except sf.LibsndfileError as exc:
            if done == 0:
                raise AudioError(f"{name}: the audio could not be decoded ({exc})") from None
            log.warning("%s: decoding stopped early: %s", name, exc)
        if done < declared:
            log.warning(
                "%s: the file ends early (%.1f of %.1f s)", name, done / rate, declared / rate
            )


def _open_container(source: str | BinaryIO, name: str) -> Any:
    """An FFmpeg input restricted to :data:`FFMPEG_FORMATS` and to the file itself."""
    import av

    try:
        return av.open(source, mode="r", container_options=_FFMPEG_OPTIONS)
    except av.error.ArgumentError:  # FFmpeg found a format that is not on the list
        raise AudioError(
            f"{name}: not an audio or video file; playlists, SDP files and other descriptions "
            "of streams elsewhere are not read"
        ) from None
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"{name}: not a readable audio or video file ({exc.strerror or exc})"
        ) from None


def _pyav_blocks(
    source: str | BinaryIO, name: str, block_s: float
) -> Generator[tuple[np.ndarray, int], None, None]:
    import av

    container = _open_container(source, name)
    with container:
        if not container.streams.audio:
            raise AudioError(f"{name}: the file has no audio track")
        stream = container.streams.audio[0]
        # Planar float at the native rate, channels averaged as to_mono() does (FFmpeg's own
        # downmix adds correlated channels at -3 dB each: +3 dB); soxr resamples afterwards.
        converter = av.AudioResampler(format="fltp")
        pending: list[np.ndarray] = []
        pending_len = 0
        rate = 0
        try:
            for frame in container.decode(stream):
                rate = frame.sample_rate
                for out in converter.resample(frame):
                    pending.append(out.to_ndarray().mean(axis=0, dtype=np.float32))
                    pending_len += out.samples
                if pending_len >= block_s * rate:
                    yield np.concatenate(pending), rate
                    pending, pending_len = [], 0
        except av.error.FFmpegError as exc:
            # A truncated or damaged file: keep what decoded, say what happened.
            log.warning("%s: decoding stopped early: %s", name, exc)
            if rate == 0:
                raise AudioError(f"{name}: the audio could not be decoded ({exc})") from None
        for out in converter.resample(None):
            pending.append(out.to_ndarray().mean(axis=0, dtype=np.float32))
        if pending:
            yield np.concatenate(pending), rate


def _open(source: AudioSource, name: str | None) -> tuple[str | BinaryIO, str, str]:
    """(what the decoders open, the name for messages, the lower-case suffix)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        _check_path(path)
        return str(path), name or str(path), path.suffix.lower()
    source.seek(0)
    label = name or "the upload"
    if not source.read(1):
        raise AudioError(f"{label}: the file is empty")
    source.seek(0)
    return source, label, Path(label).suffix.lower()


def _soundfile_reads(opened: str | BinaryIO, suffix: str, name: str) -> bool:
    """Whether libsndfile reads it (tried first for its extensions, and for file objects)."""
    import soundfile as sf

    if isinstance(opened, str) and suffix not in _SOUNDFILE_EXTENSIONS:
        return False
    try:
        sf.info(opened)
        return True
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        log.debug("%s: soundfile cannot read it (%s); trying FFmpeg", name, exc)
        return False
    finally:
        if not isinstance(opened, str):
            opened.seek(0)


def probe_audio(source: AudioSource, name: str | None = None) -> AudioInfo:
    """The sample rate and duration a file's header declares, without decoding it."""
    opened, label, suffix = _open(source, name)
    if _soundfile_reads(opened, suffix, label):
        import soundfile as sf

        info = sf.info(opened)
        if not isinstance(opened, str):
            opened.seek(0)
        return AudioInfo(int(info.samplerate), float(info.frames) / max(1, info.samplerate))
    import av

    try:
        with _open_container(opened, label) as container:
            if not container.streams.audio:
                raise AudioError(f"{label}: the file has no audio track")
            stream = container.streams.audio[0]
            seconds = container.duration / 1_000_000 if container.duration else 0.0
            return AudioInfo(int(stream.rate or 0), seconds)
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"{label}: not a readable audio or video file ({exc.strerror or exc})"
        ) from None
    finally:
        if not isinstance(opened, str):
            opened.seek(0)


def iter_audio(
    source: AudioSource,
    block_s: float = BLOCK_SECONDS,
    *,
    name: str | None = None,
    limits: AudioLimits = AudioLimits(),
) -> Generator[np.ndarray, None, None]:
    """Yield a file's audio as consecutive 16 kHz mono float32 blocks.

    ``source`` is a path or a binary file object (read from its start); ``name`` names it in
    messages. The input rate and the decoded length are checked against ``limits`` as blocks
    come, whatever the header said. Raises :class:`AudioError` with a message for the user
    when the file cannot be read.
    """
    opened, label, suffix = _open(source, name)
    if _soundfile_reads(opened, suffix, label):
        blocks = _soundfile_blocks(opened, label, block_s)
    else:
        blocks = _pyav_blocks(opened, label, block_s)
    resampler: Resampler | None = None
    seconds = 0.0
    with closing(blocks):  # the file is closed when the caller stops reading, too
        for block, rate in blocks:
            if resampler is None:
                limits.check_rate(rate, label)
                resampler = Resampler(rate)
            seconds += len(block) / rate
            limits.check_seconds(seconds, label)
            try:
                out = resampler(block)
            except AudioError as exc:
                raise AudioError(f"{label}: {exc}") from None
            if out.size:
                yield out
    if resampler is not None:
        tail = resampler(np.zeros(0, dtype=np.float32), last=True)
        if tail.size:
            yield tail


def load_audio(source: AudioSource) -> np.ndarray:
    """Decode a whole file to one 16 kHz mono float32 array."""
    blocks = list(iter_audio(source))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


# Raw audio frames of a live stream ---------------------------------------------------------------
# Names clients give the raw encodings (Deepgram says linear16, sherpa-onnx sends float32, the
# OpenAI Realtime API G.711 mu-law and A-law), and the bytes of one sample of each.
FRAME_ENCODINGS = {
    "pcm_s16le": "pcm_s16le",
    "linear16": "pcm_s16le",
    "pcm_f32le": "pcm_f32le",
    "float32": "pcm_f32le",
    "mulaw": "mulaw",
    "alaw": "alaw",
}
_SAMPLE_BYTES = {"pcm_s16le": 2, "pcm_f32le": 4, "mulaw": 1, "alaw": 1}


class FrameDecoder:
    """A live stream's frames to 16 kHz mono float32, resampled across frames: raw samples in
    ``encoding`` at ``sample_rate``, or, with ``wav_messages``, a frame that is a whole WAV file
    (clients of the first WebSocket design send one per message). A frame that is not audio
    raises :class:`AudioError` with a message for the client; the decoder goes on after it."""

    def __init__(
        self,
        encoding: str,
        sample_rate: int,
        *,
        wav_messages: bool = False,
        limits: AudioLimits = AudioLimits(),
    ) -> None:
        if encoding not in _SAMPLE_BYTES:
            raise AudioError(f"unsupported encoding {encoding!r}")
        self.encoding = encoding
        self.sample_rate = sample_rate
        self.wav_messages = wav_messages
        self.limits = limits
        self._raw = Resampler(sample_rate)
        self._wav: Resampler | None = None

    def decode(self, data: bytes) -> np.ndarray:
        if self.wav_messages and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
            return self._decode_wav(data)
        width = _SAMPLE_BYTES[self.encoding]
        if len(data) % width:
            raise AudioError(
                f"{self.encoding} frames must hold whole {width}-byte samples; got {len(data)} bytes"
            )
        if self.encoding == "pcm_s16le":
            samples = pcm16_to_float(data)
        elif self.encoding == "pcm_f32le":
            samples = np.frombuffer(data, dtype="<f4")
        else:
            samples = g711_to_float(data, self.encoding)
        return self._raw(samples)

    def _decode_wav(self, data: bytes) -> np.ndarray:
        import io

        import soundfile as sf

        try:
            block, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
            raise AudioError(f"a WAV message could not be decoded: {exc}") from None
        self.limits.check_rate(rate, "a WAV message")
        if self._wav is None or self._wav.in_rate != rate:
            tail = self._wav(np.zeros(0, np.float32), last=True) if self._wav else np.zeros(0)
            self._wav = Resampler(rate)
            return np.concatenate([tail, self._wav(to_mono(block))]).astype(np.float32)
        return self._wav(to_mono(block))

    def flush(self) -> np.ndarray:
        """The resamplers' last samples; the decoder starts afresh afterwards."""
        tails = [
            r(np.zeros(0, np.float32), last=True) for r in (self._raw, self._wav) if r is not None
        ]
        self._raw = Resampler(self.sample_rate)
        self._wav = None
        return np.concatenate(tails)
