"""`live-captions listen`: the terminal front end of the streaming path."""

from __future__ import annotations

import subprocess
import sys
import threading

import jiwer
import numpy as np
import pytest
import soundfile as sf

from live_captions.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "live_captions", *args], capture_output=True, text=True, timeout=300
    )


def test_replayed_file_gives_the_file_transcription(tiny_model_dir, hello_wav, tmp_path):
    out = tmp_path / "live.txt"
    live = run_cli(
        "listen",
        "--input",
        str(hello_wav),
        "--fast",
        "--output",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--dtype",
        "float32",
        "--threads",
        "1",
    )
    assert live.returncode == 0, live.stderr
    assert "Traceback" not in live.stderr
    batch = run_cli(
        "transcribe",
        str(hello_wav),
        "--profile",
        "balanced",
        "--no-progress",
        "--model",
        str(tiny_model_dir),
        "--dtype",
        "float32",
        "--threads",
        "1",
    )
    assert batch.returncode == 0, batch.stderr
    assert out.read_text().split() == batch.stdout.split()
    # Not a terminal: each utterance is printed once, when it ends.
    assert live.stdout.split() == batch.stdout.split()


def test_bad_input_file_is_a_clear_error(tiny_model_dir, tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    result = run_cli(
        "listen", "--input", str(bad), "--fast", "--model", str(tiny_model_dir), "--threads", "1"
    )
    assert result.returncode == 1
    assert "notes.wav" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


class FakeInputStream:
    """Stands in for sounddevice.InputStream (the sound card is outside the project): plays a
    stereo recording through the real callback from its own thread, then becomes inactive, as
    a device that is unplugged does."""

    audio: np.ndarray = np.zeros(0, np.float32)

    def __init__(self, *, device, channels, samplerate, dtype, callback) -> None:
        self.callback = callback
        self.rate = samplerate
        self.thread = threading.Thread(target=self._play, daemon=True)

    @property
    def active(self) -> bool:
        return self.thread.is_alive()

    def _play(self) -> None:
        block = self.rate // 10
        for i in range(0, len(self.audio), block):
            chunk = self.audio[i : i + block]
            self.callback(np.stack([chunk, chunk], axis=1), len(chunk), None, None)

    def __enter__(self) -> FakeInputStream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join()


def test_microphone_at_48_khz_gives_the_file_transcription(
    tiny_model_dir, tiny_recognizer, hello_wav, tmp_path, monkeypatch
):
    import sounddevice
    import soxr

    from engine.config import TranscribeOptions
    from engine.transcribe import transcribe_array

    audio, rate = sf.read(str(hello_wav), dtype="float32")
    FakeInputStream.audio = soxr.resample(audio, rate, 48_000).astype(np.float32)
    monkeypatch.setattr(sounddevice, "InputStream", FakeInputStream)
    monkeypatch.setattr(
        sounddevice,
        "query_devices",
        lambda device=None, kind=None: {"default_samplerate": 48_000.0, "name": "fake card"},
    )
    out = tmp_path / "mic.txt"
    code = main(
        ["listen", "--model", str(tiny_model_dir), "--dtype", "float32", "--output", str(out)]
    )
    assert code == 0
    # What the card delivered, resampled back to 16 kHz, transcribed as a file with the same grid.
    heard = soxr.resample(FakeInputStream.audio, 48_000, 16_000).astype(np.float32)
    expected = transcribe_array(tiny_recognizer, heard, TranscribeOptions(profile="balanced")).text(
        cased=False
    )
    heard_text = out.read_text().strip().lower()
    # Resampling block by block differs from resampling at once in the last bits, which can flip
    # a near-tie of the random model: close, not equal (equality is tested on exact samples).
    assert heard_text and jiwer.cer(expected.lower(), heard_text) <= 0.3


@pytest.mark.demo_model
def test_each_pause_starts_a_new_line(speech_dir, tmp_path):
    """Three sentences with 1.2 s pauses: three lines on stdout and in the output file."""
    from helpers import SENTENCES, have, sentences_with_pauses

    if not have("flite"):
        pytest.skip("flite is needed for the demo model's voice")
    out = tmp_path / "live.txt"
    wav = sentences_with_pauses(speech_dir)
    args = ("--fast", "--model", "demo", "--dtype", "float32", "--threads", "1")
    live = run_cli("listen", "--input", str(wav), "--output", str(out), *args)
    assert live.returncode == 0, live.stderr
    assert len(live.stdout.strip().splitlines()) == len(SENTENCES), live.stdout
    assert len(out.read_text().strip().splitlines()) == len(SENTENCES)


def _padded(wav, out, before_s: float, between_s: float | None = None, after_s: float = 1.5):
    """``wav`` after ``before_s`` of silence (and again after ``between_s`` more, if given)."""
    audio, rate = sf.read(str(wav), dtype="float32")
    parts = [np.zeros(round(before_s * rate), np.float32), audio]
    if between_s is not None:
        parts += [np.zeros(round(between_s * rate), np.float32), audio]
    parts.append(np.zeros(round(after_s * rate), np.float32))
    sf.write(str(out), np.concatenate(parts), rate, subtype="PCM_16")
    return out


def test_two_labelled_replays_interleave_in_time_order(tiny_model_dir, hello_wav, tmp_path):
    """You speaks at 0 s and again after a long pause; Others speaks in that pause. The lines
    come labelled, in the order of the audio (not of arrival), the same every time."""
    duration = len(sf.read(str(hello_wav))[0]) / sf.info(str(hello_wav)).samplerate
    you = _padded(hello_wav, tmp_path / "you.wav", 0.0, between_s=duration + 4.0)
    others = _padded(hello_wav, tmp_path / "others.wav", duration + 2.0)
    model = ("--model", str(tiny_model_dir), "--dtype", "float32", "--threads", "1")
    runs = []
    for n in range(2):
        out = tmp_path / f"both{n}.txt"
        result = run_cli(
            "listen",
            *("--input", str(you), "--label", "You"),
            *("--input", str(others), "--label", "Others", "--fast"),
            *("--output", str(out), *model),
        )
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stdout.splitlines()
        assert lines == out.read_text().splitlines()
        runs.append(lines)
    assert runs[0] == runs[1]
    labels = [line.split(": ", 1)[0] for line in runs[0]]
    assert all(line.split(": ", 1)[1].strip() for line in runs[0])
    runs_of_labels = [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label]
    assert runs_of_labels == ["You", "Others", "You"], runs[0]
    # Each source's lines are what that file alone gives.
    alone = run_cli("listen", "--input", str(others), "--fast", *model)
    assert alone.returncode == 0, alone.stderr
    heard = " ".join(line.split(": ", 1)[1] for line in runs[0] if line.startswith("Others: "))
    assert heard.split() == alone.stdout.split()


def test_a_failing_source_leaves_the_other_captioning(tiny_model_dir, hello_wav, tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    result = run_cli(
        "listen",
        *("--input", str(bad), "--label", "Others"),
        *("--input", str(hello_wav), "--label", "You", "--fast"),
        *("--model", str(tiny_model_dir), "--dtype", "float32", "--threads", "1"),
    )
    assert result.returncode == 1  # one source failed
    assert "Traceback" not in result.stderr
    assert "Others" in result.stderr and "notes.wav" in result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("You: ") for line in lines)


@pytest.mark.parametrize("labels", [(), ("You",), ("You", "Others", "Third"), ("You", "")], ids=str)
def test_label_count_must_match_the_sources(tiny_model_dir, hello_wav, labels):
    label_args = [arg for label in labels for arg in ("--label", label)]
    result = run_cli(
        "listen",
        *("--input", str(hello_wav), "--input", str(hello_wav), *label_args, "--fast"),
        *("--model", str(tiny_model_dir)),
    )
    assert result.returncode == 2
    assert "--label" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.demo_model
def test_the_echo_of_the_others_is_dropped_from_the_microphone(speech_dir, tmp_path):
    """The microphone hears the computer's speakers (the others' three sentences, delayed and
    dulled by a room), then the user speaks alone. With --echo-source the microphone's lines
    are the user's words (the gate leaks at most a word or two in its first second); without
    it they carry the echo too."""
    from helpers import read_wav, say, sentences_with_pauses

    from devkit.speech import room_echo

    system = read_wav(sentences_with_pauses(speech_dir))
    user = read_wav(
        say(
            "good morning everybody thank you for joining the meeting",
            speech_dir / "user.wav",
            voice="flite:rms",
        )
    )
    gap = np.zeros(16000, np.float32)
    others = np.concatenate([system, gap, 0 * user, gap])
    voice = np.concatenate([0 * system, gap, user, gap])
    noise = np.random.default_rng(1).standard_normal(len(voice)).astype(np.float32) * 0.0005
    files = {}
    for name, audio in (("others", others), ("mic", voice + room_echo(others) + noise)):
        files[name] = tmp_path / f"{name}.wav"
        sf.write(str(files[name]), audio, 16000, subtype="PCM_16")
    sf.write(str(tmp_path / "voice.wav"), voice + noise, 16000, subtype="PCM_16")
    model = ("--model", "demo", "--dtype", "float32", "--threads", "1", "--fast")

    def words_of(result: subprocess.CompletedProcess, label: str) -> list[str]:
        assert result.returncode == 0, result.stderr
        lines = [line.split(": ", 1)[1] for line in result.stdout.splitlines()]
        mine = [line for line in result.stdout.splitlines() if line.startswith(f"{label}: ")]
        assert lines
        return [w.strip(".,?!").lower() for line in mine for w in line.split(": ", 1)[1].split()]

    def listen(echo: str) -> subprocess.CompletedProcess:
        return run_cli(
            "listen",
            *("--input", str(files["mic"]), "--label", "You"),
            *("--input", str(files["others"]), "--label", "Others"),
            *("--echo-source", echo, *model),
        )

    alone = run_cli("listen", "--input", str(tmp_path / "voice.wav"), *model)
    assert alone.returncode == 0, alone.stderr
    users = [w.strip(".,?!").lower() for w in alone.stdout.split()]
    assert len(users) >= 5, alone.stdout
    gated = listen("Others")
    assert "[echo: " in gated.stderr
    you = words_of(gated, "You")
    assert you[-len(users) :] == users and len(you) - len(users) <= 2, (you, users)
    assert words_of(gated, "Others")  # the others' own lines are untouched
    echoed = words_of(listen("none"), "You")
    assert len(echoed) - len(users) >= 6, echoed


@pytest.mark.parametrize(
    "args",
    [
        ("--echo-source", "Nobody"),
        ("--echo-source", "You", "--input", "x.wav", "--label", "Third"),
    ],
    ids=["unknown label", "three sources"],
)
def test_echo_source_must_name_one_of_two_sources(tiny_model_dir, hello_wav, args):
    result = run_cli(
        "listen",
        *("--input", str(hello_wav), "--label", "You"),
        *("--input", str(hello_wav), "--label", "Others"),
        *args,
        *("--model", str(tiny_model_dir), "--fast"),
    )
    assert result.returncode == 2
    assert "--echo-source" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["listen"], ["serve"], ["transcribe", "x.wav"]])
def test_power_saver_is_an_option_of_the_commands_that_load_a_model(command):
    from live_captions.cli import build_parser
    from live_captions.options import model_options

    parser = build_parser()
    assert model_options(parser.parse_args([*command, "--power-saver"])).power_saver is True
    assert model_options(parser.parse_args(command)).power_saver is False


def saver_model_line() -> str:
    """How the model line names the power saver's dtype and backend on this CPU."""
    from engine.model import power_saver_dtype

    dtype = power_saver_dtype()
    return f"{dtype}, {'ONNX Runtime' if dtype == 'int8' else 'PyTorch'}"


def test_power_saver_listens_with_a_cheaper_dtype_and_final_windows_only(
    tiny_model_dir, hello_wav, tmp_path
):
    out = tmp_path / "live.txt"
    live = run_cli(
        "listen", "--input", str(hello_wav), "--fast", "--power-saver", "--output", str(out),
        "--model", str(tiny_model_dir),
    )  # fmt: skip
    assert live.returncode == 0, live.stderr
    assert saver_model_line() in live.stderr  # the model line
    assert out.read_text().strip()  # the tiny model's words
    # A file in power-saving mode: the same model, so the same words for the same grid.
    batch = run_cli(
        "-v", "transcribe", str(hello_wav), "--profile", "balanced", "--no-progress",
        "--power-saver", "--model", str(tiny_model_dir),
    )  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    assert saver_model_line() in batch.stderr  # the "loaded" log line
    assert out.read_text().split() == batch.stdout.split()
