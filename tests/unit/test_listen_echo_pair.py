"""Which two sources the echo gate sits between (live_captions/listen_sources.echo_pair)."""

from __future__ import annotations

import argparse

import pytest

from live_captions.listen_sources import echo_pair

NAMES = {"3": "USB Microphone", "5": "Monitor of Built-in Audio", "7": "Headset Microphone"}


def sources(*pairs: tuple[str | None, str | None, str]) -> list[tuple[argparse.Namespace, str]]:
    return [(argparse.Namespace(input=i, input_device=d), label) for i, d, label in pairs]


def name(device: str) -> str:
    return NAMES[device]


def test_a_microphone_and_a_monitor_device_are_gated_by_default():
    both = sources((None, "3", "You"), (None, "5", "Others"))
    assert echo_pair(both, None, name) == (0, 1)
    assert echo_pair(list(reversed(both)), None, name) == (1, 0)
    assert echo_pair(both, "none", name) is None


def test_no_default_without_exactly_one_system_audio_device_or_with_files():
    assert echo_pair(sources((None, "3", "A"), (None, "7", "B")), None, name) is None
    assert echo_pair(sources(("a.wav", None, "A"), (None, "5", "B")), None, name) is None
    three = sources((None, "3", "A"), (None, "5", "B"), (None, "7", "C"))
    assert echo_pair(three, None, name) is None


def test_echo_source_names_the_system_audio_by_its_label():
    files = sources(("mic.wav", None, "You"), ("call.wav", None, "Others"))
    assert echo_pair(files, "Others", name) == (0, 1)
    assert echo_pair(files, "You", name) == (1, 0)
    with pytest.raises(ValueError, match="not one of the labels"):
        echo_pair(files, "Nobody", name)
