"""``live-captions transcribe``: formats, output paths, bad input and bad models, in-process and as
a real subprocess, with the tiny random model (its words are gibberish; the structure is not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import srt
import webvtt

from engine import __version__
from live_captions.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs(hello_wav: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli-inputs")
    speech, rate = sf.read(str(hello_wav), dtype="float32")
    files = {"hello": hello_wav}
    files["other"] = folder / "other.wav"
    sf.write(str(files["other"]), speech[::-1].copy(), rate)
    files["silence"] = folder / "silence.wav"
    sf.write(str(files["silence"]), np.zeros(rate * 2, np.float32), rate)
    files["stereo48k"] = folder / "stereo48k.wav"
    up = np.repeat(speech, 3)  # 48 kHz by sample repetition: fine for a duration check
    sf.write(str(files["stereo48k"]), np.stack([up, up], axis=1), 48000)
    files["notes"] = folder / "notes.wav"
    files["notes"].write_text("not audio at all\n" * 10)
    files["garbage"] = folder / "garbage.mp3"
    files["garbage"].write_bytes(
        np.random.default_rng(0).integers(0, 256, 9000, dtype=np.uint8).tobytes()
    )
    return files


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    # One torch thread: the test machine is small and shared, and more threads only contend.
    code = main(["transcribe", "--no-progress", "--threads", "1", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def duration(path: Path) -> float:
    return sf.info(str(path)).duration


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json"])
def test_formats_on_stdout(fmt: str, capsys, inputs, tiny_model_dir: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, inputs["hello"], "--model", tiny_model_dir, "-f", fmt)
    assert code == 0, err
    assert "Traceback" not in err
    if fmt == "json":
        data = json.loads(out)
        assert data["source"] == "hello.wav"
        assert data["duration"] == pytest.approx(duration(inputs["hello"]), abs=0.01)
        assert data["model"] == str(tiny_model_dir)
        assert all(s["start"] <= s["end"] <= data["duration"] + 0.02 for s in data["segments"])
    elif fmt == "srt":
        subs = list(srt.parse(out))
        assert all(s.start <= s.end for s in subs)
        assert all(s.content.strip() for s in subs)
    elif fmt == "vtt":
        assert out.startswith("WEBVTT")
        path = tmp_path / "out.vtt"
        path.write_text(out)
        webvtt.read(str(path))
    else:
        assert "WEBVTT" not in out and "-->" not in out and not out.startswith("{")


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json"])
def test_format_from_the_output_extension(
    fmt: str, capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / f"result.{fmt}"
    code, out, err = run(capsys, inputs["hello"], "--model", tiny_model_dir, "-o", target)
    assert code == 0, err
    assert out == ""
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["source"] == "hello.wav"
    elif fmt == "srt":
        list(srt.parse(text))
        assert "WEBVTT" not in text
    elif fmt == "vtt":
        assert text.startswith("WEBVTT")
        webvtt.read(str(target))
    assert str(target) in err  # "hello.wav -> result.fmt"


def test_explicit_format_beats_the_extension(
    capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "result.txt"
    code, _, err = run(
        capsys, inputs["hello"], "--model", tiny_model_dir, "-o", target, "-f", "json"
    )
    assert code == 0, err
    assert json.loads(target.read_text())["source"] == "hello.wav"


def test_several_inputs_into_a_folder(capsys, inputs, tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, err = run(
        capsys,
        inputs["hello"],
        inputs["other"],
        "--model",
        tiny_model_dir,
        "-o",
        folder,
        "-f",
        "srt",
    )
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["hello.srt", "other.srt"]
    for p in folder.iterdir():
        list(srt.parse(p.read_text()))
    assert out == ""


def test_several_inputs_default_to_txt(
    capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    code, _, err = run(
        capsys, inputs["hello"], inputs["silence"], "--model", tiny_model_dir, "-o", folder
    )
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["hello.txt", "silence.txt"]


def test_one_input_into_an_existing_folder(
    capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, inputs["hello"], "--model", tiny_model_dir, "-o", tmp_path, "-f", "json"
    )
    assert code == 0, err
    assert json.loads((tmp_path / "hello.json").read_text())["source"] == "hello.wav"


def test_output_file_in_a_folder_that_does_not_exist_yet(
    capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "new" / "deeper" / "hello.srt"
    code, _, err = run(capsys, inputs["hello"], "--model", tiny_model_dir, "-o", target)
    # The folders are made, as for -o into a folder.
    assert code == 0, err
    assert srt.parse(target.read_text(encoding="utf-8"))


def test_inputs_with_the_same_name_do_not_overwrite_each_other(
    capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "talk.wav").write_bytes(inputs["hello"].read_bytes())
    (b / "talk.wav").write_bytes(inputs["other"].read_bytes())
    folder = tmp_path / "out"
    code, _, err = run(
        capsys,
        a / "talk.wav",
        b / "talk.wav",
        "--model",
        tiny_model_dir,
        "-o",
        folder,
        "-f",
        "json",
    )
    # Two transcripts in, two transcripts out: the second name gets a number.
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["talk-2.json", "talk.json"]
    sources = {json.loads((folder / n).read_text())["text"] for n in ("talk.json", "talk-2.json")}
    assert len(sources) == 2, "each file holds its own input's transcript"


@pytest.mark.parametrize("bad", ["notes", "garbage"])
def test_one_bad_file_among_good_ones(
    bad: str, capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    code, _, err = run(
        capsys,
        inputs["hello"],
        inputs[bad],
        inputs["other"],
        "--model",
        tiny_model_dir,
        "-o",
        folder,
        "-f",
        "json",
    )
    assert code == 1
    assert sorted(p.name for p in folder.iterdir()) == ["hello.json", "other.json"]
    assert inputs[bad].name in err and "error" in err
    assert "Traceback" not in err


def test_a_damaged_file_does_not_stop_the_batch(
    capsys, inputs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    # A FLAC cut short (an interrupted copy): reported as an error that names it (exit code 1),
    # and the files after it are still done, with no traceback.
    long = np.tile(sf.read(str(inputs["hello"]), dtype="float32")[0], 12)
    flac = tmp_path / "damaged.flac"
    sf.write(str(flac), long, 16000)
    flac.write_bytes(flac.read_bytes()[: flac.stat().st_size // 2])
    folder = tmp_path / "out"
    code, _, err = run(
        capsys, flac, inputs["hello"], "--model", tiny_model_dir, "-o", folder, "-f", "txt"
    )
    assert code == 1
    assert f"error: {flac}: the audio could not be decoded" in err
    assert sorted(p.name for p in folder.iterdir()) == ["hello.txt"]
    assert "Traceback" not in err


def test_silence_only(capsys, inputs, tiny_model_dir: Path) -> None:
    code, out, err = run(capsys, inputs["silence"], "--model", tiny_model_dir, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["duration"] == pytest.approx(2.0)
    assert data["segments"] == [] and data["text"] == ""


def test_48k_stereo_input(capsys, inputs, tiny_model_dir: Path) -> None:
    code, out, err = run(capsys, inputs["stereo48k"], "--model", tiny_model_dir, "-f", "json")
    assert code == 0, err
    assert json.loads(out)["duration"] == pytest.approx(duration(inputs["hello"]), abs=0.01)


def test_missing_model_folder(capsys, inputs, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "model"
    code, out, err = run(capsys, inputs["hello"], "--model", missing)
    assert code == 1
    assert out == ""
    assert str(missing) in err and "--model" in err and err.startswith("error:")
    assert "Traceback" not in err


def test_missing_input_file(capsys, tiny_model_dir: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path / "absent.wav", "--model", tiny_model_dir)
    assert code == 1
    assert "absent.wav" in err and "no such file" in err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"live-captions {__version__}"


def test_unknown_format_is_a_usage_error(capsys, inputs) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["transcribe", str(inputs["hello"]), "-f", "docx"])
    assert exit_info.value.code == 2
    assert "docx" in capsys.readouterr().err


def test_as_a_subprocess(inputs, tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "live_captions",
            "transcribe",
            str(inputs["hello"]),
            str(inputs["notes"]),
            "--model",
            str(tiny_model_dir),
            "-o",
            str(folder),
            "-f",
            "vtt",
            "--no-progress",
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "notes.wav" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["hello.vtt"]
    webvtt.read(str(folder / "hello.vtt"))
