"""What the app knows of an audio input, from whichever sound module listed it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputDevice:
    name: str  # shown to the user and remembered in the settings
    index: int | None  # the sound module's device index; None: the system default input
    channels: int  # input channels the device offers
    sample_rate: int  # its native rate; capture runs at it and the worker resamples
    loopback: bool = False  # records what the computer plays, not a microphone
    pulse_source: str = ""  # PulseAudio/PipeWire source selected through the ALSA "pulse" device
    soundcard_id: str = ""  # recorded through the soundcard package (WASAPI loopback)
    wasapi: bool = False  # a WASAPI input: opened with WASAPI converting rate and channels
