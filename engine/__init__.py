"""Live Captions engine: wav2vec2 speech recognition for files and live streams, GUI-free."""

from .config import DEFAULT_MODEL, ModelOptions, TranscribeOptions, WindowProfile
from .ctc import Word
from .errors import AudioError, Cancelled, LiveCaptionsError, ModelLoadError
from .model import Recognizer, load_recognizer
from .transcribe import transcribe_array, transcribe_file
from .transcript import Segment, Transcript

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MODEL",
    "AudioError",
    "Cancelled",
    "LiveCaptionsError",
    "ModelLoadError",
    "ModelOptions",
    "Recognizer",
    "Segment",
    "Transcript",
    "TranscribeOptions",
    "WindowProfile",
    "Word",
    "load_recognizer",
    "transcribe_array",
    "transcribe_file",
    "__version__",
]
