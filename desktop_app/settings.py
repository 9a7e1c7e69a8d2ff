"""The app's settings: QSettings behind a small typed class.

Each setting is a typed field with a default; reading converts the stored value back to the
field's type (INI files store everything as text), and a value that cannot be converted reads
as the default, so a hand-edited or stale settings file never breaks the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QRect, QSettings

from engine.config import (
    DEFAULT_LIVE_PROFILE,
    DEFAULT_MODEL,
    DecodeOptions,
    LmOptions,
    TranslationOptions,
    parse_script,
)
from engine.lm import DEFAULT_ALPHA, DEFAULT_BETA
from engine.punctuation import PunctuationOptions

from . import APP_NAME, ORGANISATION

T = TypeVar("T", str, int, float, bool)


class _Field(Generic[T]):
    """A setting stored under ``key``, read back as ``type(default)``."""

    def __init__(self, key: str, default: T) -> None:
        self.key = key
        self.default: T = default

    def __get__(self, obj: Settings | None, owner: type) -> T:
        if obj is None:
            return self  # type: ignore[return-value]  # the descriptor itself, read on the class
        raw = obj.qsettings.value(self.key, self.default)
        return _convert(raw, self.default)

    def __set__(self, obj: Settings, value: T) -> None:
        obj.qsettings.setValue(self.key, type(self.default)(value))


def _convert(raw: Any, default: T) -> T:
    kind = type(default)
    try:
        if kind is bool:
            if isinstance(raw, str):
                return raw.strip().lower() in ("true", "1", "yes", "on")
            return bool(raw)
        return kind(raw)
    except (TypeError, ValueError):
        return default


MAX_LABEL = 40  # characters of an input's label

# How the overlay tells two inputs' lines apart: the label before each, a colour per input, or
# both.
SOURCE_MARKS = ("label", "color", "both")


@dataclass(frozen=True)
class InputOptions:
    """The inputs captioned: a device, and a second one captioned at once, each line then
    labelled. The main window's pickers and the Settings dialog both read and write these."""

    device: str = ""  # device name; empty: the system default input
    label: str = ""  # empty: "You" for a microphone, "Others" for system audio
    second_device: str = ""  # device name; empty: no second input
    second_label: str = ""  # as ``label``, for the second input

    def __post_init__(self) -> None:
        for name in ("label", "second_label"):  # one line, as long as the picker takes
            text = " ".join(str(getattr(self, name)).split())[:MAX_LABEL]
            object.__setattr__(self, name, text)


@dataclass(frozen=True)
class OverlayStyle:
    """How the caption overlay looks."""

    font_family: str  # empty: the system's default sans-serif font
    font_size: int  # points
    text_color: str  # "#rrggbb", final text
    partial_color: str  # "#rrggbb", the unfinal tail
    background_color: str  # "#rrggbb"
    opacity: float  # background opacity, 0 (invisible) to 1 (opaque)
    lines: int  # 1 to 5 lines of text, fixed
    # Two inputs: how their lines are told apart (SOURCE_MARKS), and each input's colour
    # ("#rrggbb", first and second; readable on the default background).
    source_mark: str = "label"
    source_colors: tuple[str, str] = ("#ffd75e", "#7fd4ff")


class Settings:
    """Typed access to the app's QSettings. Pass a QSettings on an INI file in tests."""

    model = _Field("engine/model", DEFAULT_MODEL)
    compute_device = _Field("engine/compute_device", "auto")  # auto, cpu or cuda
    hub_endpoint = _Field("engine/hub_endpoint", "")  # hub or mirror; empty: HF_ENDPOINT or the hub
    backend = _Field("engine/backend", "auto")  # auto (ONNX Runtime on the CPU), onnx or torch
    profile = _Field("engine/profile", DEFAULT_LIVE_PROFILE)
    stable_partials = _Field("engine/stable_partials", True)  # partial words shown once agreed on
    # less CPU: int8 weights and one thread on the CPU, partial text from final windows only
    power_saver = _Field("engine/power_saver", False)
    # The inputs captioned (read and written whole as ``inputs``: InputOptions).
    _input_device = _Field("audio/input_device", "")
    _input_label = _Field("audio/input_label", "")
    _second_input_device = _Field("audio/second_input_device", "")
    _second_input_label = _Field("audio/second_input_label", "")
    all_host_apis = _Field("audio/all_host_apis", False)  # Windows: every host API's entries
    # Chinese output script (engine.config.CHINESE_SCRIPTS); empty: as the model writes.
    _chinese = _Field("engine/chinese", "")
    language = _Field("ui/language", "")  # interface language (language.LANGUAGES); "": system
    # Start/stop captions, in QKeySequence's portable text. Not Ctrl+Space: that switches the
    # Chinese input method on Windows.
    start_shortcut = _Field("ui/start_shortcut", "F9")
    # Language model and custom words (engine.lm): on by default, so a model's own
    # language_model/ is used; lm_path names another (empty: the model's own, if any).
    lm_enabled = _Field("lm/enabled", True)
    lm_path = _Field("lm/path", "")
    lm_custom_weights = _Field("lm/custom_weights", False)  # else the LM's attrs.json or defaults
    lm_alpha = _Field("lm/alpha", DEFAULT_ALPHA)
    lm_beta = _Field("lm/beta", DEFAULT_BETA)
    hotwords = _Field("lm/hotwords", "")  # one word or phrase per line
    hotword_boost = _Field("lm/hotword_boost", LmOptions.hotword_boost)

    # Punctuation and true casing of captions (engine.punctuation): on where a model exists for
    # the speech model's language; punctuation_model names one (empty: that default).
    punctuation_enabled = _Field("text/punctuation", True)
    punctuation_model = _Field("text/punctuation_model", "")
    # Translation of each sentence (engine.translation): off by default; the model is a hub id
    # or folder (empty: the catalogue's pair for the speech language and the target).
    translation_enabled = _Field("translation/enabled", False)
    translation_target = _Field("translation/target", "zh")
    translation_model = _Field("translation/model", "")
    translation_overlay = _Field("translation/overlay", "under")  # under the captions, or alone

    overlay_visible = _Field("overlay/visible", True)
    overlay_font_family = _Field("overlay/font_family", "")
    overlay_font_size = _Field("overlay/font_size", 26)
    overlay_text_color = _Field("overlay/text_color", "#ffffff")
    overlay_partial_color = _Field("overlay/partial_color", "#a8a8a8")
    overlay_background_color = _Field("overlay/background_color", "#101010")
    overlay_opacity = _Field("overlay/opacity", 0.7)
    overlay_lines = _Field("overlay/lines", 2)
    _overlay_source_mark = _Field("overlay/source_mark", OverlayStyle.source_mark)
    _overlay_first_color = _Field("overlay/first_color", OverlayStyle.source_colors[0])
    _overlay_second_color = _Field("overlay/second_color", OverlayStyle.source_colors[1])
    overlay_locked = _Field("overlay/locked", False)
    _overlay_rect = _Field("overlay/rect", "")  # "x,y,width,height"; empty: centred at the bottom

    api_enabled = _Field("api/enabled", False)
    api_port = _Field("api/port", 8765)
    api_token = _Field("api/token", "")

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.qsettings = qsettings if qsettings is not None else QSettings(ORGANISATION, APP_NAME)

    @classmethod
    def defaults(cls) -> Settings:
        """Settings that read every field as its default and store nothing."""
        return cls(_NoStore())  # type: ignore[arg-type]  # duck-types the QSettings calls we make

    @property
    def chinese(self) -> str:
        try:
            return parse_script(self._chinese)
        except ValueError:  # a value an older or newer version stored
            return ""

    @chinese.setter
    def chinese(self, value: str) -> None:
        self._chinese = value

    @property
    def inputs(self) -> InputOptions:
        return InputOptions(
            self._input_device,
            self._input_label,
            self._second_input_device,
            self._second_input_label,
        )

    @inputs.setter
    def inputs(self, inputs: InputOptions) -> None:
        self._input_device, self._input_label = inputs.device, inputs.label
        self._second_input_device = inputs.second_device
        self._second_input_label = inputs.second_label

    @property
    def lm_options(self) -> LmOptions:
        from engine.lm_files import split_hotwords

        custom = self.lm_custom_weights
        return LmOptions(
            lm=(self.lm_path.strip() or None) if self.lm_enabled else None,
            use_model_lm=self.lm_enabled,
            alpha=self.lm_alpha if custom else None,
            beta=self.lm_beta if custom else None,
            hotwords=split_hotwords(self.hotwords),
            hotword_boost=max(0.0, self.hotword_boost),
        )

    @property
    def decode_options(self) -> DecodeOptions:
        """How captions and file transcripts are decoded: script, language model, custom words."""
        return DecodeOptions(chinese=self.chinese, lm=self.lm_options)

    @property
    def punctuation_options(self) -> PunctuationOptions:
        return PunctuationOptions(
            enabled=self.punctuation_enabled, model=self.punctuation_model.strip()
        )

    @property
    def translation_options(self) -> TranslationOptions:
        """Translation as set (``target`` empty: off); downloads from the speech model's hub."""
        return TranslationOptions(
            target=self.translation_target.strip() if self.translation_enabled else "",
            model=self.translation_model.strip() or None,
            hub_endpoint=self.hub_endpoint or None,
        )

    @property
    def overlay_style(self) -> OverlayStyle:
        mark = self._overlay_source_mark
        return OverlayStyle(
            font_family=self.overlay_font_family,
            font_size=min(96, max(8, self.overlay_font_size)),
            text_color=self.overlay_text_color,
            partial_color=self.overlay_partial_color,
            background_color=self.overlay_background_color,
            opacity=min(1.0, max(0.0, self.overlay_opacity)),
            lines=min(5, max(1, self.overlay_lines)),
            source_mark=mark if mark in SOURCE_MARKS else OverlayStyle.source_mark,
            source_colors=(self._overlay_first_color, self._overlay_second_color),
        )

    @overlay_style.setter
    def overlay_style(self, style: OverlayStyle) -> None:
        self.overlay_font_family = style.font_family
        self.overlay_font_size = style.font_size
        self.overlay_text_color = style.text_color
        self.overlay_partial_color = style.partial_color
        self.overlay_background_color = style.background_color
        self.overlay_opacity = style.opacity
        self.overlay_lines = style.lines
        self._overlay_source_mark = style.source_mark
        self._overlay_first_color, self._overlay_second_color = style.source_colors

    @property
    def overlay_rect(self) -> QRect | None:
        try:
            x, y, w, h = (int(v) for v in self._overlay_rect.split(","))
        except ValueError:
            return None
        return QRect(x, y, w, h) if w > 0 and h > 0 else None

    @overlay_rect.setter
    def overlay_rect(self, rect: QRect) -> None:
        self._overlay_rect = f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}"

    def window_geometry(self, name: str) -> QByteArray:
        value = self.qsettings.value(f"windows/{name}")
        return value if isinstance(value, QByteArray) else QByteArray()

    def set_window_geometry(self, name: str, geometry: QByteArray) -> None:
        self.qsettings.setValue(f"windows/{name}", geometry)

    def reset(self) -> None:
        """Forget every setting: all read as their defaults again."""
        self.qsettings.clear()
        self.qsettings.sync()

    def sync(self) -> None:
        self.qsettings.sync()


class _NoStore:
    """A QSettings stand-in that holds nothing: every value reads as the default given."""

    def value(self, key: str, default: Any = None) -> Any:
        return default

    def setValue(self, key: str, value: Any) -> None:
        pass

    def clear(self) -> None:
        pass

    def sync(self) -> None:
        pass
