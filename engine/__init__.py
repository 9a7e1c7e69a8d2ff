"""Live Captions engine: CTC speech recognition (wav2vec2, HuBERT, Parakeet, OmniASR, ... any
model transformers' AutoModelForCTC loads) for files and live streams, GUI-free.

The names below are the engine's face for the front ends: load a model, run a scheduler over
it, open streams, transcribe files, read the results.
"""

from .catalogue import CatalogueModel, catalogue
from .config import (
    DEFAULT_MODEL,
    DEMO_MODEL,
    DecodeOptions,
    LmOptions,
    ModelOptions,
    TranscribeOptions,
    WindowProfile,
)
from .ctc import Word
from .errors import AudioError, Cancelled, LiveCaptionsError, ModelLoadError
from .frames import FrameModel, WindowRunner
from .model import Recognizer, load_recognizer
from .scheduler import Scheduler, Stream, TooManyStreams
from .streaming import Event, EventType, StreamOptions
from .transcribe import transcribe_array, transcribe_file
from .transcript import Segment, Transcript

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MODEL",
    "DEMO_MODEL",
    "AudioError",
    "Cancelled",
    "CatalogueModel",
    "DecodeOptions",
    "Event",
    "EventType",
    "FrameModel",
    "LiveCaptionsError",
    "LmOptions",
    "ModelLoadError",
    "ModelOptions",
    "Recognizer",
    "Scheduler",
    "Segment",
    "Stream",
    "StreamOptions",
    "TooManyStreams",
    "Transcript",
    "TranscribeOptions",
    "WindowProfile",
    "WindowRunner",
    "Word",
    "catalogue",
    "load_recognizer",
    "transcribe_array",
    "transcribe_file",
    "__version__",
]
