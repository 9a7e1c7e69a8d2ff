"""Options for the engine, as frozen dataclasses passed whole."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

DEFAULT_MODEL = "facebook/wav2vec2-base-960h"
DEMO_MODEL = "demo"
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class ModelOptions:
    name: str = DEFAULT_MODEL  # hub id, local folder, or "demo" for the bundled demo model
    device: str = "auto"  # "auto", "cpu" or "cuda"
    dtype: str = "auto"  # "auto", "float32", "float16", "bfloat16" or "int8" (CPU only)
    backend: str = "auto"  # "auto" (ONNX Runtime on the CPU, PyTorch on CUDA), "onnx", "torch"
    threads: int | None = None  # torch CPU threads; None keeps torch's default
    local_files_only: bool = False  # never contact the hub, use only the local cache
    hub_endpoint: str | None = (
        None  # hub or mirror to download from; None: HF_ENDPOINT, else huggingface.co
    )
    fallback_to_demo: bool = False  # use the demo model when this one cannot be had
    warmup: bool = True  # run one window through the model after loading
    # Power saving on the CPU: int8 weights (ONNX Runtime) and one thread, where dtype and
    # threads are left to the engine; live streams add no partial passes (StreamOptions).
    power_saver: bool = False


@dataclass(frozen=True)
class WindowProfile:
    """The window grid: each window is left context + centre + right context.

    Only the centre frames of a window are kept. File transcription and streaming use the
    same grid, so for the same profile they see exactly the same windows.
    """

    name: str  # the profile's name, as given on the command line
    left_s: float  # context before the centre, seconds
    centre_s: float  # audio whose text each window decides, seconds
    right_s: float  # context after the centre, seconds; finals wait for it

    @property
    def window_s(self) -> float:
        return self.left_s + self.centre_s + self.right_s


PROFILES: dict[str, WindowProfile] = {
    p.name: p
    for p in (
        WindowProfile("low_latency", left_s=1.0, centre_s=0.5, right_s=0.5),
        WindowProfile("balanced", left_s=1.5, centre_s=1.0, right_s=1.0),
        WindowProfile("accurate", left_s=2.0, centre_s=4.0, right_s=2.0),
        # 1 s of context each side: 1.11 window-seconds per audio second instead of 1.25 (2 s
        # each side), the same words on the demo model (docs/performance.md, File transcription)
        WindowProfile("file", left_s=1.0, centre_s=18.0, right_s=1.0),
    )
}
DEFAULT_LIVE_PROFILE = "balanced"
DEFAULT_FILE_PROFILE = "file"


def get_profile(name: str, power_saver: bool = False) -> WindowProfile:
    """The profile called ``name``; in power-saving mode a live profile's windows decide twice
    the audio each (half the forward passes: balanced runs 4.5 s windows every 2 s instead of
    3.5 s every second, and its finals come up to a second later; docs/performance.md). The
    file profile stays: its windows are long already, and longer ones cost more per second."""
    try:
        profile = PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown latency profile {name!r}; choose one of: {known}") from None
    if not power_saver or name == DEFAULT_FILE_PROFILE:
        return profile
    return replace(profile, centre_s=2 * profile.centre_s)


# Chinese output scripts and the OpenCC configuration that produces each from any Chinese text.
CHINESE_SCRIPTS: dict[str, str] = {
    "simplified": "t2s",  # Simplified Chinese
    "traditional": "s2t",  # Traditional Chinese (OpenCC standard)
    "taiwan": "s2tw",  # Traditional, Taiwan standard characters
    "hongkong": "s2hk",  # Traditional, Hong Kong standard characters
}


def check_script(script: str) -> str:
    """The Chinese script name, or ValueError with the choices; "" means no conversion."""
    if script and script not in CHINESE_SCRIPTS:
        choices = ", ".join(CHINESE_SCRIPTS)
        raise ValueError(f"unknown Chinese script {script!r}; choose one of: {choices}")
    return script


def parse_script(value: str) -> str:
    """A Chinese script as a person or a client names it, wherever it enters (the command line,
    Settings, an upload's form field, a WebSocket query): any case; "none" or "" for no
    conversion. ValueError with the choices for anything else."""
    name = value.strip().lower()
    return check_script("" if name == "none" else name)


@dataclass(frozen=True)
class LmOptions:
    """Beam-search decoding with a word n-gram language model and custom words (engine.lm).
    Used when an LM is set or found beside the model, or custom words are listed."""

    lm: str | None = None  # ARPA or KenLM binary file, a language_model/ folder, or "demo"
    use_model_lm: bool = True  # use the model folder's language_model/ when ``lm`` is None
    alpha: float | None = None  # LM weight; None: the LM's attrs.json, else the measured default
    beta: float | None = None  # word insertion bonus; None as alpha
    beam_size: int = 16  # hypotheses kept (bench/lm_grid.py: 32 was no better on held-out speech)
    beam_size_token: int = 8  # tokens tried per frame, the most likely ones
    beam_threshold: float = 25.0  # hypotheses this far (natural log) below the best are dropped
    unk_score: float | None = None  # added (natural log) for a word the LM does not know
    hotwords: tuple[str, ...] = ()  # words or phrases to favour (names, jargon)
    hotword_boost: float = 8.0  # log-score a listed word gains, spread over its letters
    # Inside speech, the words of at least this much audio are decided together, at the next
    # word boundary (finals need not wait for a pause); 0: only at pauses (more context, but
    # finals of continuous speech wait up to 30 s).
    span_s: float = 1.0


@dataclass(frozen=True)
class DecodeOptions:
    word_gap_s: float = 0.5  # a run of blank frames this long ends a word even without "|"
    silence_level: float = 1e-3  # windows whose peak is below this (about -60 dBFS) are skipped
    lm: LmOptions = field(default_factory=LmOptions)  # beam search with an LM / custom words
    # Chinese output script: "" as the model writes, or one of CHINESE_SCRIPTS, converted
    # unit by unit with OpenCC (engine.chinese).
    chinese: str = ""

    def __post_init__(self) -> None:
        check_script(self.chinese)


@dataclass(frozen=True)
class SegmentOptions:
    # About two caption lines of 42 display columns: 84 Latin characters, or 42 CJK characters
    # (two columns each), 21 a line, as Chinese subtitle practice has it (16 to 20).
    max_columns: int = 84
    pause_s: float = 0.6  # a silence this long between words starts a new segment
    max_duration_s: float = 7.0  # no caption stays longer on screen than this
    # Punctuated words: a sentence end closes a caption once it holds this share of
    # max_columns, and a caption too long breaks after its last sentence end (else its last
    # comma) where one leaves at least this share on each side.
    sentence_share: float = 0.4


@dataclass(frozen=True)
class TranscribeOptions:
    profile: str = DEFAULT_FILE_PROFILE  # window grid; see PROFILES
    power_saver: bool = False  # the profile's power-saving grid (get_profile), as live streams
    batch_size: int = 4  # windows per forward pass
    decode: DecodeOptions = field(default_factory=DecodeOptions)  # CTC word decoding
    segments: SegmentOptions = field(default_factory=SegmentOptions)  # caption grouping


@dataclass(frozen=True)
class TranslationOptions:
    """Translation of caption sentences (engine.translation); off while ``target`` is ""."""

    target: str = ""  # language to translate into (ISO 639-1: "zh", "de", ...); "": off
    model: str | None = None  # hub id or folder of a MarianMT model; None: the catalogue's pair
    backend: str = "auto"  # "auto" (CTranslate2 when installed), "ctranslate2" or "torch"
    compute_type: str = "int8"  # CTranslate2's weights: "int8" or "float32"
    threads: int | None = 1  # CPU threads for translation (one: captions keep the rest)
    local_files_only: bool = False  # never contact the hub
    hub_endpoint: str | None = None  # hub or mirror; None: HF_ENDPOINT, else huggingface.co

    @property
    def enabled(self) -> bool:
        return bool(self.target)
