"""Exceptions the engine raises for problems a user can fix.

Front ends catch :class:`LiveCaptionsError` and show its message; anything else is a bug. The
message is English; an error a front end may word in its own language (the desktop app's
translations) also carries ``code``, a stable id of what happened, and ``params``, the values
its message names (a model, an address), so the front end can write it from a template.
"""

from __future__ import annotations


class LiveCaptionsError(Exception):
    """Base class: the message is written for the user, not the developer."""

    def __init__(self, message: str = "", *, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code  # what happened, as a stable id ("hub_unreachable"); "" for none
        self.params = params  # the values the message names, by name


class AudioError(LiveCaptionsError):
    """An input could not be read or decoded as audio."""


class ModelLoadError(LiveCaptionsError):
    """The requested model could not be found, downloaded or loaded."""


class LanguageModelError(ModelLoadError):
    """A language model or a list of custom words could not be read or used (a kind of
    ModelLoadError: front ends that load a model with its LM catch both alike)."""


class PunctuationModelError(ModelLoadError):
    """A punctuation model could not be found, downloaded or used."""


class TranslationError(ModelLoadError):
    """A translation model could not be found, downloaded or loaded, or a target language is
    not one (a kind of ModelLoadError; live captions go on without translation)."""


class Cancelled(LiveCaptionsError):
    """The caller asked to stop a long operation."""


class EngineStopped(LiveCaptionsError):
    """The engine (its scheduler) stopped before the work asked of it was done."""
