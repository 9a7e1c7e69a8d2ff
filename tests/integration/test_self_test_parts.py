"""--self-test's checks of the parts a frozen build can lose (live_captions/self_test.py): they
pass in a working install, a failing one is named and fails the test, and on Windows the
system-audio check joins them."""

from __future__ import annotations

import pytest

from live_captions import self_test


def test_the_parts_work_here() -> None:
    lines: list[str] = []
    assert self_test.run_checks(lines.append), lines
    assert [line.split(":")[0] for line in lines] == [
        "audio and video files",
        "language models",
        "Chinese scripts",
    ]
    assert "语言模型" in lines[1] and "漢字" in lines[2]


def test_a_missing_part_fails_and_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_opencc() -> str:
        raise ImportError("No module named 'opencc'")

    monkeypatch.setattr(self_test, "check_opencc", no_opencc)
    lines: list[str] = []
    assert not self_test.run_checks(lines.append)
    assert "Chinese scripts: FAILED (ImportError: No module named 'opencc')" in lines


def test_windows_adds_system_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "win32")
    assert [name for name, _ in self_test.checks()][-1] == "system audio"
    monkeypatch.setattr("desktop_app.loopback.soundcard_module", lambda: None)
    with pytest.raises(RuntimeError, match="cannot be imported"):
        self_test.check_soundcard()
