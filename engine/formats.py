"""Export transcripts as TXT, SRT, WebVTT and JSON."""

from __future__ import annotations

import json

from .transcript import Segment, Transcript
from .units import join_units, wrap_units

FORMATS = ("txt", "srt", "vtt", "json")


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _wrap(segment: Segment, cased: bool, width: int = 42) -> str:
    """A caption as at most two balanced lines of about ``width`` display columns, broken
    between units (a CJK line holds about 21 characters)."""
    lines = wrap_units(segment.shown(cased), width)
    return "\n".join(join_units(line) for line in lines)


def _cue(segment: Segment, cased: bool) -> str:
    """A cue's text: the caption on up to two lines; with a translation, the caption on its
    first line and the translation on the second (bilingual subtitles)."""
    if not segment.translation:
        return _wrap(segment, cased)
    return f"{_one_line(segment.text(cased))}\n{_one_line(segment.translation)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())  # a line break inside would make a third line


def to_txt(transcript: Transcript, cased: bool = True) -> str:
    """One line per caption; with translations, each caption's translation on the next line."""
    lines = []
    for s in transcript.segments:
        lines.append(s.text(cased))
        if s.translation is not None:
            lines.append(_one_line(s.translation))
    return "\n".join(lines) + ("\n" if lines else "")


def to_srt(transcript: Transcript, cased: bool = True) -> str:
    blocks = []
    for i, seg in enumerate(transcript.segments, 1):
        blocks.append(
            f"{i}\n{_clock(seg.start, ',')} --> {_clock(seg.end, ',')}\n{_cue(seg, cased)}\n"
        )
    return "\n".join(blocks)


def to_vtt(transcript: Transcript, cased: bool = True) -> str:
    blocks = ["WEBVTT\n"]
    for seg in transcript.segments:
        blocks.append(f"{_clock(seg.start, '.')} --> {_clock(seg.end, '.')}\n{_cue(seg, cased)}\n")
    return "\n".join(blocks)


def to_dict(transcript: Transcript, cased: bool = True) -> dict[str, object]:
    return {
        "source": transcript.source,
        "model": transcript.model,
        "duration": round(transcript.duration, 3),
        "text": transcript.text(cased),
        "segments": [s.to_dict(cased) for s in transcript.segments],
        "notes": list(transcript.notes),
        **(
            {"translation_language": transcript.translation_language}
            if transcript.translation_language
            else {}
        ),
    }


def to_json(transcript: Transcript, cased: bool = True) -> str:
    return json.dumps(to_dict(transcript, cased), indent=2, ensure_ascii=False) + "\n"


def render(transcript: Transcript, fmt: str, cased: bool = True) -> str:
    writers = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return writers[fmt](transcript, cased)
