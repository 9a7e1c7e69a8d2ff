"""``transcribe --translate-to``: bilingual files from the command line with the tiny speech model
and a tiny random MarianMT; a translation model that cannot be loaded is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pysubs2
import pytest
import srt

from live_captions.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["transcribe", "--no-progress", "--threads", "1", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_bilingual_srt_and_json(
    capsys: pytest.CaptureFixture[str],
    hello_wav: Path,
    tiny_model_dir: Path,
    marian_dir: Path,
    tmp_path: Path,
) -> None:
    common = ["--model", tiny_model_dir, "--translate-to", "zh", "--translation-model", marian_dir]
    code, _, err = run(capsys, hello_wav, *common, "-o", tmp_path / "x.srt")
    assert code == 0, err
    assert f"translation: {marian_dir.name} (CTranslate2, int8) into zh" in err
    cues = list(srt.parse((tmp_path / "x.srt").read_text(encoding="utf-8")))
    assert cues
    for cue in cues:
        original, translated = cue.content.split("\n")
        assert original and translated
    subs = pysubs2.load(str(tmp_path / "x.srt"))
    assert [e.plaintext for e in subs] == [c.content for c in cues]

    code, out, err = run(capsys, hello_wav, *common, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["translation_language"] == "zh"
    assert [s["translation"] for s in data["segments"]] == [c.content.split("\n")[1] for c in cues]


def test_without_translate_to_files_stay_as_they_were(
    capsys: pytest.CaptureFixture[str], hello_wav: Path, tiny_model_dir: Path
) -> None:
    code, out, err = run(capsys, hello_wav, "--model", tiny_model_dir, "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert "translation_language" not in data
    assert all("translation" not in s for s in data["segments"])


def test_a_translation_model_that_cannot_be_loaded(
    capsys: pytest.CaptureFixture[str], hello_wav: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys,
        hello_wav,
        "--model",
        tiny_model_dir,
        "--translate-to",
        "zh",
        "--translation-model",
        tmp_path / "nowhere",
    )
    assert code == 1 and out == ""
    assert "error: translation model folder" in err and "does not exist" in err
    assert "--translation-model" in err.splitlines()[-1]  # the hint
    assert "Traceback" not in err
    code, _, err = run(capsys, hello_wav, "--model", tiny_model_dir, "--translate-to", "fi")
    assert code == 1 and "no catalogue model translates 'en' into 'fi'" in err
    code, _, err = run(capsys, hello_wav, "--translation-model", tmp_path)
    assert code == 1 and "--translation-model needs --translate-to" in err


def listen_lines(args: list[object], model_dir: Path, marian_dir: Path) -> list[str]:
    """stdout of a real ``listen`` process with these arguments, translated into Chinese by the
    Marian model, one thread: its lines."""
    import subprocess
    import sys

    args = ["listen", *args, "--model", model_dir, "--threads", "1"]
    args += ["--translate-to", "zh", "--translation-model", marian_dir]
    live = subprocess.run(
        [sys.executable, "-m", "live_captions", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert live.returncode == 0, live.stderr
    return live.stdout.splitlines()


def test_listen_prints_each_sentence_translation_and_keeps_both(
    hello_wav: Path, tiny_model_dir: Path, marian_dir: Path, tmp_path: Path
) -> None:
    import numpy as np
    import soundfile as sf
    from helpers import read_wav

    from engine.translation import Ct2Translator

    speech = read_wav(hello_wav)
    pause = np.zeros(16000 * 2, np.float32)
    wav = tmp_path / "two.wav"
    sf.write(str(wav), np.concatenate([speech, pause, speech]), 16000)
    out = tmp_path / "live.txt"
    args = ["--input", wav, "--fast", "--output", out]
    lines = listen_lines(args, tiny_model_dir, marian_dir)
    captions = [line for line in lines if not line.startswith("  ")]
    translations = [line[2:] for line in lines if line.startswith("  ")]
    assert captions and len(translations) == len(captions)
    # Each sentence's translation, under it: the same model's translation of the printed line.
    assert all(translations)
    assert Ct2Translator(marian_dir).translate(captions) == translations
    kept = out.read_text(encoding="utf-8").splitlines()
    assert sorted(kept) == sorted(captions + ["  " + t for t in translations])


def test_listen_translates_each_labelled_source(
    hello_wav: Path, tiny_model_dir: Path, marian_dir: Path, tmp_path: Path
) -> None:
    """Two labelled sources, one translation worker: every line's translation comes after it,
    indented and with the line's label, and is the model's translation of that line."""
    import numpy as np
    import soundfile as sf
    from helpers import read_wav

    from engine.translation import Ct2Translator

    speech = read_wav(hello_wav)
    pause = np.zeros(16000 * 3, np.float32)
    files = []
    for name, parts in (("you", [speech, pause, pause]), ("others", [pause, speech, pause])):
        files.append(tmp_path / f"{name}.wav")
        sf.write(str(files[-1]), np.concatenate(parts), 16000)
    out = tmp_path / "live.txt"
    args = ["--input", files[0], "--label", "You", "--input", files[1]]
    args += ["--label", "Others", "--fast", "--output", out]
    lines = listen_lines(args, tiny_model_dir, marian_dir)
    captions = [line for line in lines if not line.startswith("  ")]
    assert {line.split(": ", 1)[0] for line in captions} == {"You", "Others"}
    translator = Ct2Translator(marian_dir)
    for caption in captions:
        label, text = caption.split(": ", 1)
        translated = f"  {label}: {translator.translate([text])[0]}"
        assert translated in lines[lines.index(caption) + 1 :], (caption, lines)
    translations = [line for line in lines if line.startswith("  ")]
    assert len(translations) == len(captions)
    assert out.read_text(encoding="utf-8").splitlines() == lines
