"""The model catalogue: data that front ends can rely on, and `live-captions models` as a real
process (the Settings dialog's offer: tests/desktop/test_settings_dialog.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine.catalogue import catalogue, find, for_language, languages
from engine.config import DEFAULT_MODEL, DEMO_MODEL

ROOT = Path(__file__).resolve().parents[2]


def test_entries_are_complete_and_unique() -> None:
    entries = catalogue()
    assert len({e.model for e in entries}) == len(entries)
    codes = {code for code, _ in languages()}
    assert {"en", "zh-CN", "ja", "de", "fr", "es"} <= codes
    for entry in entries:
        assert entry.licence and entry.language_name and entry.native_name
        assert entry.parameters_m > 0
        for rate in entry.error_rates:
            assert rate.metric in ("WER", "CER") and 0 < rate.percent < 100 and rate.test_set
        if not entry.error_rates:  # never a blank or "not published": where to look
            assert entry.published == "error rates: see the model card"
            assert "see the model card" in entry.summary()
        assert entry.family and (entry.cpu_cost is None or entry.cpu_cost > 0)
    assert find(DEFAULT_MODEL) is not None and find(DEMO_MODEL) is not None
    assert find("someone/unknown-model") is None


def test_every_family_of_the_catalogue_loads_through_the_engine() -> None:
    """Each entry's family is one the engine loads (AutoModelForCTC), and the multilingual
    model and Parakeet are offered beside the wav2vec2 fine-tunes, with their CPU cost."""
    from transformers.models.auto.modeling_auto import MODEL_FOR_CTC_MAPPING_NAMES

    assert {e.family for e in catalogue()} <= set(MODEL_FOR_CTC_MAPPING_NAMES)
    parakeet = find("nvidia/parakeet-ctc-0.6b")
    assert parakeet is not None and parakeet.family == "parakeet_ctc"
    assert "CPU cost" in parakeet.summary() and "WER 16.3 % (AMI" in parakeet.summary()
    assert [e.model for e in for_language("mul")] == ["hf-audio/omniasr-ctc-300m-v2"]


def test_lookup_by_language() -> None:
    assert [e.model for e in for_language("zh")] == [
        "jonatasgrosman/wav2vec2-large-xlsr-53-chinese-zh-cn"
    ]
    assert for_language("zh_CN") == for_language("zh-cn") == for_language("zh")
    english = [e.model for e in for_language("en-US")]
    assert english[0] == DEFAULT_MODEL and DEMO_MODEL in english
    assert for_language("tlh") == []
    summary = for_language("zh")[0].summary()
    assert "CER 19.03 %" in summary and "Apache-2.0" in summary and "317 M" in summary


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "live_captions", "models", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_models_command_lists_by_language() -> None:
    done = run()
    assert done.returncode == 0, done.stderr
    for entry in catalogue():
        assert entry.model in done.stdout
    omniasr = done.stdout.split("hf-audio/omniasr-ctc-300m-v2\n", 1)[1].splitlines()[0]
    assert omniasr.endswith("· error rates: see the model card")  # no figures copied
    assert done.stdout.index("English") < done.stdout.index("Chinese")
    chinese = run("--language", "zh", "--json")
    assert chinese.returncode == 0
    rows = json.loads(chinese.stdout)
    assert [r["model"] for r in rows] == [e.model for e in for_language("zh")]
    assert rows[0]["error_rates"][0] == {
        "metric": "CER",
        "percent": 19.03,
        "test_set": "Common Voice zh-CN test",
    }
    unknown = run("--language", "tlh")
    assert unknown.returncode == 1 and "zh-CN" in unknown.stderr and "--model" in unknown.stderr
