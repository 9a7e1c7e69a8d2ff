"""Known CTC checkpoints by language (wav2vec2, Parakeet, OmniASR, ...), as data, for choosing a
model.

Every figure is the one the model's card on the Hugging Face hub publishes (greedy decoding,
no language model), with the test set it was measured on; an entry without figures says "see
the model card" rather than guess (the card publishes none, or none were copied). Any other hub
id or local folder works as well: the catalogue only helps to choose. Sizes are the
architecture's parameter counts (wav2vec 2.0 paper: base 95 M, large 317 M); the download is
about 4 bytes per parameter. ``cpu_cost`` is the architecture's compute per audio second with
random weights relative to base-960h's, measured in one run on this project's CPU
(bench/family_speed.py, PyTorch float32, 2 threads, a 10 s window; see docs/models.md): a
ratio, because the machine it was measured on is shared.

The default model (``config.DEFAULT_MODEL``, base-960h) is the same on the CPU and on CUDA. On
the CPU it is the cheapest to run here (Parakeet 0.6b costs 3.6x as much under load) and the
smallest download (378 MB against 2.4 GB); the bundle, the offline tests and a fresh install's
first download name it. On CUDA, where any of them keeps up, :func:`recommended` ranks by the
cards' error rates instead, so the first-run dialog offers Parakeet CTC 1.1b first there and the
user chooses it at the first start (docs/models.md, Defaults).

Front ends read it through :func:`catalogue`, :func:`languages`, :func:`for_language`,
:func:`recommended` (the first-run dialog's order) and :func:`find`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import DEFAULT_MODEL, DEMO_MODEL

NO_FIGURES = "error rates: see the model card"  # an entry without published figures


@dataclass(frozen=True)
class ErrorRate:
    metric: str  # "WER" (words) or "CER" (characters)
    percent: float  # as published, in percent
    test_set: str  # what it was measured on

    def __str__(self) -> str:
        return f"{self.metric} {self.percent:g} % ({self.test_set})"


@dataclass(frozen=True)
class CatalogueModel:
    model: str  # hub id (or "demo"), what ModelOptions.name takes
    language: str  # BCP 47 code of the speech it understands: "en", "zh-CN", ...
    language_name: str  # the language in English
    native_name: str  # the language in itself
    parameters_m: float  # millions of parameters (base 95, large 317)
    licence: str  # SPDX id of the weights' licence, as the card states it
    error_rates: tuple[ErrorRate, ...]  # published figures; empty: none published
    note: str = ""  # what a user should know before choosing it
    family: str = "wav2vec2"  # the config's model_type (engine.families)
    cpu_cost: float | None = None  # CPU compute per audio second, x base-960h's (family_speed)

    @property
    def download(self) -> str:
        """About how much a download of it is ("1.3 GB", "8 MB")."""
        megabytes = self.parameters_m * 4
        return f"{megabytes / 1000:.1f} GB" if megabytes >= 100 else f"{megabytes:.0f} MB"

    @property
    def size(self) -> str:
        return f"{self.parameters_m:g} M parameters, about {self.download}"

    @property
    def published(self) -> str:
        """The card's error rates in one line, or where to look for them."""
        return "; ".join(str(e) for e in self.error_rates) or NO_FIGURES

    @property
    def speed(self) -> str:
        """The CPU speed measured here, or ""."""
        if self.cpu_cost is None:
            return ""
        return f"CPU cost {self.cpu_cost:.1f}x the default model's"

    def lines(self) -> list[str]:
        """Language; size and licence; error rates; the note (if any): one per line."""
        head = [f"{self.language_name} ({self.native_name})", f"{self.size} · {self.licence}"]
        extra = [line for line in (self.speed, self.note) if line]
        return [*head, self.published, *extra]

    def summary(self) -> str:
        return " · ".join(self.lines())


_BASE, _LARGE = 95, 317
_LARGE_COST = 3.2  # wav2vec2-large (lv60, XLSR-53) against base, bench/family_speed.py
_CATALOGUE: tuple[CatalogueModel, ...] = (
    CatalogueModel(
        DEFAULT_MODEL,
        "en",
        "English",
        "English",
        _BASE,
        "Apache-2.0",
        (
            ErrorRate("WER", 3.4, "LibriSpeech test-clean"),
            ErrorRate("WER", 8.6, "LibriSpeech test-other"),
        ),
        "the default on the CPU and on CUDA: the smallest download and the cheapest to run; "
        "read audiobook speech, upper-case letters",
        cpu_cost=1.0,
    ),
    CatalogueModel(
        "facebook/wav2vec2-large-960h-lv60-self",
        "en",
        "English",
        "English",
        _LARGE,
        "Apache-2.0",
        (
            ErrorRate("WER", 1.9, "LibriSpeech test-clean"),
            ErrorRate("WER", 3.9, "LibriSpeech test-other"),
        ),
        "more accurate than base, slower and larger",
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "nvidia/parakeet-ctc-0.6b",
        "en",
        "English",
        "English",
        609,
        "CC-BY-4.0",
        (
            ErrorRate("WER", 1.87, "LibriSpeech test-clean"),
            ErrorRate("WER", 3.76, "LibriSpeech test-other"),
            ErrorRate("WER", 16.3, "AMI meetings, IHM test"),
            ErrorRate("WER", 14.14, "Earnings-22 test"),
        ),
        "FastConformer CTC (2024), trained on 64,000 hours of varied English (meetings, calls, "
        "talks): 80 ms frames, 1,024 word pieces, lower-case words",
        family="parakeet_ctc",
        cpu_cost=3.6,
    ),
    CatalogueModel(
        "nvidia/parakeet-ctc-1.1b",
        "en",
        "English",
        "English",
        1100,
        "CC-BY-4.0",
        (
            ErrorRate("WER", 1.83, "LibriSpeech test-clean"),
            ErrorRate("WER", 3.54, "LibriSpeech test-other"),
            ErrorRate("WER", 15.62, "AMI meetings, IHM test"),
            ErrorRate("WER", 13.69, "Earnings-22 test"),
        ),
        "the larger FastConformer CTC: more accurate than 0.6b on every test set of its card, "
        "about twice its cost",
        family="parakeet_ctc",
    ),
    CatalogueModel(
        DEMO_MODEL,
        "en",
        "English",
        "English",
        2.08,
        "MIT",
        (
            ErrorRate("CER", 10.8, "held-out espeak-ng en-us sentences"),
            ErrorRate("CER", 21.1, "held-out flite slt sentences"),
        ),
        "bundled, works offline; understands synthetic voices only, not people",
    ),
    CatalogueModel(
        "jonatasgrosman/wav2vec2-large-xlsr-53-chinese-zh-cn",
        "zh-CN",
        "Chinese (Mandarin)",
        "中文（普通话）",
        _LARGE,
        "Apache-2.0",
        (
            ErrorRate("CER", 19.03, "Common Voice zh-CN test"),
            ErrorRate("WER", 82.37, "Common Voice zh-CN test"),
        ),
        "simplified characters; traditional output through the Chinese option",
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "jonatasgrosman/wav2vec2-large-xlsr-53-japanese",
        "ja",
        "Japanese",
        "日本語",
        _LARGE,
        "Apache-2.0",
        (
            ErrorRate("CER", 20.16, "Common Voice ja test"),
            ErrorRate("WER", 81.80, "Common Voice ja test"),
        ),
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "jonatasgrosman/wav2vec2-large-xlsr-53-german",
        "de",
        "German",
        "Deutsch",
        _LARGE,
        "Apache-2.0",
        (
            ErrorRate("WER", 12.06, "Common Voice 6.0 de test"),
            ErrorRate("CER", 2.92, "Common Voice 6.0 de test"),
        ),
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "jonatasgrosman/wav2vec2-large-xlsr-53-french",
        "fr",
        "French",
        "Français",
        _LARGE,
        "Apache-2.0",
        (
            ErrorRate("WER", 17.65, "Common Voice 6.0 fr test"),
            ErrorRate("CER", 4.89, "Common Voice 6.0 fr test"),
        ),
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "jonatasgrosman/wav2vec2-large-xlsr-53-spanish",
        "es",
        "Spanish",
        "Español",
        _LARGE,
        "Apache-2.0",
        (
            ErrorRate("WER", 8.82, "Common Voice 6.0 es test"),
            ErrorRate("CER", 2.58, "Common Voice 6.0 es test"),
        ),
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "airesearch/wav2vec2-large-xlsr-53-th",
        "th",
        "Thai",
        "ไทย",
        _LARGE,
        "CC-BY-SA-4.0",
        (ErrorRate("CER", 2.81, "Common Voice 7.0 th, its authors' test-unique split"),),
        "shown without the word spaces the model was trained with, as Thai is written",
        cpu_cost=_LARGE_COST,
    ),
    CatalogueModel(
        "hf-audio/omniasr-ctc-300m-v2",
        "mul",
        "Many languages (1,600+, Chinese among them)",
        "Omnilingual",
        326,
        "Apache-2.0",
        (),
        "Omnilingual ASR's CTC model: 10,288 characters of more than 1,600 languages; it hears "
        "the language, none is chosen",
        family="omniasr_ctc",
        cpu_cost=2.0,
    ),
)


def catalogue() -> tuple[CatalogueModel, ...]:
    """Every known checkpoint, English first, then by language name."""
    return _CATALOGUE


def languages() -> list[tuple[str, str]]:
    """(code, English name) of each language in the catalogue, in catalogue order."""
    seen: dict[str, str] = {}
    for entry in _CATALOGUE:
        seen.setdefault(entry.language, entry.language_name)
    return list(seen.items())


def for_language(language: str) -> list[CatalogueModel]:
    """The checkpoints for a language code; "zh" matches "zh-CN", "en-US" matches "en"."""
    wanted = language.replace("_", "-").lower()
    return [
        e
        for e in _CATALOGUE
        if e.language.lower() == wanted
        or e.language.lower().startswith(wanted + "-")
        or wanted.startswith(e.language.lower() + "-")
    ]


def recommended(language: str, cuda: bool = False) -> list[CatalogueModel]:
    """The catalogue (without the demo model) in the order to offer it to a user whose
    language is ``language`` ("zh_CN", "en-US", ...): that language's models first, then the
    multilingual ones, then English, then the rest. Among them, by the figures: on the CPU the
    cheapest to run (``cpu_cost``), then the smallest download, as captions must keep up with
    speech there; on CUDA, where any of them keeps up, the lowest published error rate first
    (the card's first figure), then the smallest download. Entries without figures follow
    those with them."""
    spoken = language.replace("_", "-").split("-")[0]  # zh_TW: Mandarin, as zh_CN
    own = {e.model for e in for_language(spoken)} if spoken else set()

    def group(entry: CatalogueModel) -> int:
        if entry.model in own:
            return 0
        return {"mul": 1, "en": 2}.get(entry.language, 3)

    def figures(entry: CatalogueModel) -> tuple[float, float]:
        if cuda:
            error = entry.error_rates[0].percent if entry.error_rates else float("inf")
            return (error, entry.parameters_m)
        cost = entry.cpu_cost if entry.cpu_cost is not None else float("inf")
        return (cost, entry.parameters_m)

    offered = [e for e in _CATALOGUE if e.model != DEMO_MODEL]
    return sorted(offered, key=lambda e: (group(e), figures(e)))


def find(model: str) -> CatalogueModel | None:
    """The catalogue's entry for a hub id (or "demo"), None for anything else."""
    return next((e for e in _CATALOGUE if e.model == model), None)


# punctuation models (issue 25) ----------------------------------------------------------------
@dataclass(frozen=True)
class PunctuationEntry:
    """A punctuation (and true-casing) model: a Hugging Face token-classification checkpoint
    whose labels engine.punctuation reads (marks, or mark and case)."""

    model: str  # hub id, or "demo" for the bundled demo model
    languages: tuple[str, ...]  # BCP 47 codes of the text it punctuates
    parameters_m: float  # millions of parameters
    licence: str  # SPDX id of the weights' licence, as the card states it
    cases: bool  # whether it restores case as well as punctuation
    note: str = ""  # what a user should know before choosing it

    def summary(self) -> str:
        what = "punctuation and case" if self.cases else "punctuation only"
        head = f"{', '.join(self.languages)} · {what} · {self.parameters_m:g} M · {self.licence}"
        return f"{head} · {self.note}" if self.note else head


DEMO_PUNCTUATION = "demo"
_PUNCTUATION: tuple[PunctuationEntry, ...] = (
    PunctuationEntry(
        "felflare/bert-restore-punctuation",
        ("en",),
        110,
        "MIT",
        True,
        "English default: bert-base-uncased fine-tuned on 560,000 Yelp reviews; marks "
        ". , ? ! : ; and capital letters; about 0.44 GB",
    ),
    PunctuationEntry(
        "oliverguhr/fullstop-punctuation-multilingual-base",
        ("en", "de", "fr", "it", "nl"),
        278,
        "MIT",
        False,
        "xlm-roberta-base fine-tuned on Europarl; marks . , ? : (no casing: sentences are "
        "capitalised); about 1.1 GB",
    ),
    PunctuationEntry(
        DEMO_PUNCTUATION,
        ("en",),
        0.9,
        "MIT",
        True,
        "bundled: a tiny model trained here on the demo speech model's fortune text, for "
        "demos and tests (tools/punctuation_model)",
    ),
)


def punctuation_catalogue() -> tuple[PunctuationEntry, ...]:
    return _PUNCTUATION


def punctuation_for_language(language: str) -> PunctuationEntry | None:
    """The first hub model that punctuates a language ("en-US" matches "en"), or None."""
    wanted = language.replace("_", "-").lower().split("-")[0]
    return next(
        (e for e in _PUNCTUATION if e.model != DEMO_PUNCTUATION and wanted in e.languages), None
    )
