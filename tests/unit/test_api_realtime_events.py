"""The Realtime protocol models: partial session updates, error parameters, and server events that
the ``openai`` package's own types accept."""

from __future__ import annotations

import json

import pytest
from openai.types.beta.realtime import TranscriptionSessionUpdatedEvent
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter

from engine.api.realtime_events import (
    PCM,
    PCMA,
    Cleared,
    Committed,
    Completed,
    Delta,
    DurationUsage,
    ErrorEvent,
    RealtimeError,
    SessionConfig,
    SessionEvent,
    SessionUpdate,
    SpeechStarted,
    SpeechStopped,
    TranscriptionSessionUpdate,
    apply_update,
    beta_session,
    delta_text,
    ga_session,
    parse_client_event,
)

SERVER_EVENTS = TypeAdapter(RealtimeServerEvent)


def update(session: dict) -> SessionConfig:
    event = parse_client_event({"type": "session.update", "session": session})
    assert isinstance(event, SessionUpdate)
    return apply_update(SessionConfig(), event, 192_000)


def test_only_the_fields_sent_change() -> None:
    assert SessionConfig().rate == 24_000 and SessionConfig().turn_detection == "server_vad"
    off = update({"type": "transcription", "audio": {"input": {"turn_detection": None}}})
    assert off.turn_detection is None and off.rate == 24_000
    rate = update({"type": "transcription", "audio": {"input": {"format": {"rate": 16000}}}})
    assert rate.rate == 16_000 and rate.format == PCM and rate.turn_detection == "server_vad"
    gap = update(
        {
            "type": "transcription",
            "audio": {
                "input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 500}}
            },
        }
    )
    assert gap.silence_duration_ms == 500
    language = update(
        {"type": "transcription", "audio": {"input": {"transcription": {"language": "en"}}}}
    )
    assert language.language == "en" and language.prompt is None
    assert update({"type": "transcription"}) == SessionConfig()


def test_beta_formats() -> None:
    def beta(session: dict) -> SessionConfig:
        event = parse_client_event({"type": "transcription_session.update", "session": session})
        assert isinstance(event, TranscriptionSessionUpdate)
        return apply_update(SessionConfig(turn_detection=None), event, 192_000)

    assert beta({"input_audio_format": "pcm16"}) == SessionConfig(turn_detection=None)
    alaw = beta({"input_audio_format": "g711_alaw", "turn_detection": {"type": "server_vad"}})
    assert (alaw.format, alaw.rate, alaw.turn_detection) == (PCMA, 8000, "server_vad")
    other = beta({"input_audio_format": {"type": "audio/pcm", "rate": 48000}})
    assert other.rate == 48_000
    assert beta_session(other, "sess_1", "demo")["input_audio_format"] == {
        "type": "audio/pcm",
        "rate": 48000,
    }


@pytest.mark.parametrize(
    ("message", "param"),
    [
        ([1, 2], "type"),
        ({"audio": "AAAA"}, "type"),
        ({"type": "conversation.item.create"}, "type"),
        ({"type": "input_audio_buffer.append"}, "audio"),
        ({"type": "input_audio_buffer.append", "audio": 5}, "audio"),
        (
            {"type": "session.update", "session": {"type": "transcription", "include": "x"}},
            "session.include",
        ),
        (
            {
                "type": "session.update",
                "session": {"audio": {"input": {"turn_detection": {"silence_duration_ms": 5}}}},
            },
            "session.audio.input.turn_detection.silence_duration_ms",
        ),
    ],
)
def test_bad_events_name_their_parameter(message: object, param: str) -> None:
    with pytest.raises(RealtimeError) as caught:
        parse_client_event(message)
    assert caught.value.param == param and caught.value.message


@pytest.mark.parametrize("rate", [0, -1, 1, 7999, 192_001])
def test_sample_rates_out_of_range_are_refused(rate: int) -> None:
    # rate 0 was taken as "not sent" and became 24000 (issue 30)
    with pytest.raises(RealtimeError) as caught:
        update({"type": "transcription", "audio": {"input": {"format": {"rate": rate}}}})
    assert caught.value.param == "session.audio.input.format.rate"


def test_server_events_validate_against_the_openai_types() -> None:
    model = "facebook/wav2vec2-base-960h"
    events = [
        SessionEvent(type="session.created", session=ga_session(SessionConfig(), "sess_1", model)),
        SessionEvent(
            type="session.updated",
            session=ga_session(SessionConfig(turn_detection=None), "sess_1", model),
        ),
        SpeechStarted(audio_start_ms=320, item_id="item_1"),
        Delta(item_id="item_1", delta="Hello"),
        SpeechStopped(audio_end_ms=1200, item_id="item_1"),
        Committed(item_id="item_1", previous_item_id=None),
        Completed(item_id="item_1", transcript="Hello", usage=DurationUsage(seconds=1.2)),
        Cleared(),
        ErrorEvent.of(RealtimeError("bad", param="audio", event_id="e1")),
    ]
    for event in events:
        data = json.loads(event.model_dump_json())
        parsed = SERVER_EVENTS.validate_python(data)
        assert parsed.type == data["type"]
    beta = SessionEvent(
        type="transcription_session.updated",
        session=beta_session(SessionConfig(), "sess_1", model),
    )
    data = json.loads(beta.model_dump_json())
    data["session"]["client_secret"] = {"value": "", "expires_at": 0}  # only REST sessions have one
    assert (
        TranscriptionSessionUpdatedEvent.model_validate(data).session.input_audio_format == "pcm16"
    )


def test_deltas_join_like_the_caption_text() -> None:
    from engine.ctc import Word
    from engine.pipeline import CaptionPipeline
    from engine.streaming import Event, EventType
    from engine.transcript import caption_text

    for pieces in (
        [["HELLO", "WORLD"], ["I", "AM", "HERE"]],
        [["我", "用"], ["PYTHON"], ["写", "代码"]],
    ):
        pipeline = CaptionPipeline()
        sent: list[str] = []
        for units in pieces:
            words = tuple(Word(u, 0.0, 0.1, 1.0) for u in units)
            sent += [delta_text(u) for u in pipeline.handle(Event(EventType.FINAL, 0.1, words))]
        assert "".join(sent) == caption_text([u for p in pieces for u in p])
    assert "".join(sent) == "我用python写代码"  # no spaces next to CJK characters
