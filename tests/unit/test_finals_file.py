"""One writer of final text to a file (``listen --output`` and the app's session transcripts):
flushed at each final, fsynced at each line's end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import finals_file
from engine.ctc import Word
from engine.finals_file import FinalsFile
from engine.pipeline import CaptionPipeline
from engine.streaming import Event, EventType


def words(*texts: str, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(t, start + i * 0.5, start + i * 0.5 + 0.4, 0.9) for i, t in enumerate(texts))


def feed(out: FinalsFile, pipeline: CaptionPipeline, *events: Event) -> None:
    for event in events:
        for update in pipeline.handle(event):
            out.write(update)


def test_each_final_is_flushed_and_each_line_end_is_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []  # the file's text on disk at each fsync
    path = tmp_path / "out" / "finals.txt"

    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(path.read_text(encoding="utf-8"))

    monkeypatch.setattr(finals_file.os, "fsync", fsync, raising=True)
    pipeline = CaptionPipeline()
    with FinalsFile(path) as out:
        feed(out, pipeline, Event(EventType.FINAL, 0.4, words("HELLO")))
        assert path.read_text(encoding="utf-8") == "Hello"  # flushed: a killed process keeps it
        feed(out, pipeline, Event(EventType.FINAL, 0.9, words("WORLD", start=0.5)))
        assert synced == []
        feed(out, pipeline, Event(EventType.UTTERANCE_END, 1.4))
        assert synced == ["Hello world\n"]  # on the disk at the utterance's end
        feed(out, pipeline, Event(EventType.FINAL, 3.0, words("我", "好", start=2.0)))
        feed(out, pipeline, Event(EventType.END, 3.5))
        assert synced == ["Hello world\n", "Hello world\n我好\n"]
    assert path.read_text(encoding="utf-8") == "Hello world\n我好\n"


def test_lines_can_carry_their_time_since_an_origin(tmp_path: Path) -> None:
    pipeline = CaptionPipeline()
    pipeline.begin_stream(100.0)
    with FinalsFile(tmp_path / "t.txt", origin=100.0) as out:
        feed(out, pipeline, Event(EventType.FINAL, 0.4, words("ONE")))
        feed(out, pipeline, Event(EventType.UTTERANCE_END, 0.5))
        feed(out, pipeline, Event(EventType.FINAL, 62.4, words("TWO", "I", start=62.0)))
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == (
        "[00:00:00] One\n[00:01:02] Two I\n"
    )


def test_lines_can_carry_the_time_of_day_they_were_said(tmp_path: Path) -> None:
    """The app's session files: ``started`` is the time of day at ``origin``."""
    import datetime as dt

    pipeline = CaptionPipeline()
    pipeline.begin_stream(100.0)
    started = dt.datetime(2026, 12, 7, 23, 59, 30)
    with FinalsFile(tmp_path / "t.txt", origin=100.0, started=started) as out:
        feed(out, pipeline, Event(EventType.FINAL, 0.4, words("ONE")))
        feed(out, pipeline, Event(EventType.UTTERANCE_END, 0.5))
        feed(out, pipeline, Event(EventType.FINAL, 62.4, words("TWO", "I", start=62.0)))
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == (
        "[23:59:30] One\n[00:00:32] Two I\n"
    )
