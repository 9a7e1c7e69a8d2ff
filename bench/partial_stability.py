"""How often partial captions change their mind: revisions per minute of audio and per word shown.

Spoken sentences (flite's slt voice, else espeak-ng's en-us; 1 s pauses between them) go
through ``OnlineProcessor`` in 100 ms pieces. Each partial shows the whole unfinal tail; its
words sit at fixed positions after the final words. A revision is counted when a word shown in
a partial is, in the next partial or final that covers its position, a different word, or is
gone (the next partial is shorter, or the utterance ended without it). The word in progress
growing ("HEL" -> "HELLO") is normal for a character model and is counted apart, as growth.

Both ways of showing partials run on the same audio: stable (the default: a word is shown once
two consecutive partial results agree on it) and raw (every partial result as it comes). For
each, the word delay is how much audio had arrived after a final word's end when that word
first appeared on screen (in a partial, else in its final): the algorithmic delay, compute
time excluded (bench/streaming_latency.py measures that, frame by frame, in real time).

With the demo model (engine/models/demo, used by default when it is there) the figures describe
a model that understands these voices. Random weights (the fallback) make them meaningless: the
output says which it was.

    nice -n 5 python -m bench.partial_stability --quick
    nice -n 5 python -m bench.partial_stability --model demo

The last line of stdout is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np

from bench.common import RESULTS
from bench.streaming_cost import add_common_args, load_model, torch_threads
from devkit.partials import RevisionCounter
from devkit.speech import have, read_wav, say
from engine.config import SAMPLE_RATE
from engine.model import DEMO_MODEL_DIR
from engine.streaming import OnlineProcessor, StreamOptions

SPEECH_DIR = RESULTS / "speech"
PIECE_S = 0.1
PAUSE_S = 1.0
SENTENCES = [
    "the weather will be warm and sunny for most of the week",
    "please turn off your phone before the meeting starts",
    "she bought three green apples at the market this morning",
    "the train to the city leaves every twenty minutes",
    "we need to finish the report before friday afternoon",
    "my brother plays the guitar in a small band",
    "the museum is closed on monday and open late on thursday",
    "can you tell me the way to the nearest station",
    "he forgot his keys at the office again yesterday",
    "the children were reading quietly in the library",
]


def speech(count: int) -> tuple[np.ndarray, list[str]]:
    """The first ``count`` sentences, spoken and joined with pauses (cached as WAVs)."""
    voice = "flite:slt" if have("flite") else "espeak:en-us"
    SPEECH_DIR.mkdir(parents=True, exist_ok=True)
    pause = np.zeros(int(PAUSE_S * SAMPLE_RATE), dtype=np.float32)
    pieces = [pause]
    for i, text in enumerate(SENTENCES[:count]):
        path = SPEECH_DIR / f"{voice.replace(':', '_')}_{i:02d}.wav"
        if not path.is_file():
            say(text, path, voice=voice)
        pieces += [read_wav(path).astype(np.float32), pause]
    return np.concatenate(pieces), SENTENCES[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser)
    parser.add_argument(
        "--sentences", type=int, default=None, help=f"how many (default {len(SENTENCES)}, quick 4)"
    )
    parser.add_argument(
        "--partial-context",
        type=float,
        default=StreamOptions.partial_context_s,
        help="seconds of context before the unfinal audio in a partial pass",
    )
    args = parser.parse_args()
    have_demo = (DEMO_MODEL_DIR / "model.safetensors").is_file()
    if args.model is None and have_demo:
        args.model = "demo"
    random_weights = args.model is None
    count = args.sentences or (4 if args.quick else len(SENTENCES))

    model = load_model(args)
    audio, texts = speech(count)
    audio_s = len(audio) / SAMPLE_RATE
    print(f"model {model.describe()}, profile {args.profile}, {count} sentences, {audio_s:.1f} s")
    if random_weights:
        print(
            "RANDOM WEIGHTS: the demo model is not there yet, so these figures say nothing about captions"
        )

    report: dict = {
        "bench": "partial_stability",
        "model": model.name,
        "weights": "random (figures meaningless)" if random_weights else "as loaded",
        "dtype": model.dtype,
        "backend": getattr(model, "backend", "torch"),
        "profile": args.profile,
        "threads": torch_threads(),
        "audio_s": round(audio_s, 1),
        "piece_s": PIECE_S,
        "partial_context_s": args.partial_context,
    }
    for name, stable in (("stable", True), ("raw", False)):
        options = StreamOptions(
            profile=args.profile,
            stable_partials=stable,
            partial_context_s=args.partial_context,
        )
        report[name] = measure(OnlineProcessor(model, options), audio, texts)
        print(
            f"{name}: {report[name]['revisions']} revisions, {report[name]['revisions_per_minute']} per minute, "
            f"{report[name]['revisions_per_shown_word']} per word shown; word delay median "
            f"{report[name]['word_delay_median_s']} s, p95 {report[name]['word_delay_p95_s']} s"
        )
    print(f"final text: {report['stable']['final_text'][:200]}")
    print(
        f"stable / raw revisions: {report['stable']['revisions'] / max(1, report['raw']['revisions']):.2f}"
    )
    report["load_avg_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report))


def measure(processor: OnlineProcessor, audio: np.ndarray, texts: list[str]) -> dict:
    """Feed the audio in PIECE_S pieces and follow what a caption display would show."""
    counter = RevisionCounter()
    piece = int(PIECE_S * SAMPLE_RATE)
    partials = 0
    for start in range(0, len(audio), piece):
        now = min(len(audio), start + piece) / SAMPLE_RATE
        for event in processor.push(audio[start : start + piece]):
            partials += event.type == "partial"
            counter.on_event(event, now)
    for event in processor.finish():
        counter.on_event(event, len(audio) / SAMPLE_RATE)
    minutes = len(audio) / SAMPLE_RATE / 60
    hypothesis = " ".join(counter.final_text).lower()
    delays = np.array(counter.delays or [np.nan])
    return {
        "partial_events": partials,
        "words_shown_in_partials": len(counter.shown),
        "final_words": counter.finals,
        "revisions": counter.revisions,
        "revisions_per_minute": round(counter.revisions / minutes, 1),
        "revisions_per_shown_word": round(counter.revisions / max(1, len(counter.shown)), 3),
        "growth_of_word_in_progress": counter.growth,
        "word_delay_median_s": round(float(np.median(delays)), 2),
        "word_delay_p95_s": round(float(np.percentile(delays, 95)), 2),
        "final_wer": _wer(" ".join(texts), hypothesis),
        "final_text": hypothesis,
    }


def _wer(reference: str, hypothesis: str) -> float | None:
    try:
        import jiwer
    except ImportError:
        return None
    return round(float(jiwer.wer(reference, hypothesis or "-")), 3)


if __name__ == "__main__":
    main()
