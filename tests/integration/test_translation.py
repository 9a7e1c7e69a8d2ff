"""Translation of caption sentences (engine.translation) on tiny random MarianMT checkpoints with
real sentencepiece vocabularies: loading (folder, hub, errors), our translations against
transformers' own generate, the background worker, and bilingual files read back by subtitle
tools."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers.fakehub import FakeHub, not_a_speech_model

from devkit.tiny_marian import SOURCE_TEXT
from engine.config import TranslationOptions
from engine.ctc import Word
from engine.formats import render
from engine.hub import DownloadStatus
from engine.pipeline import CaptionPipeline, CaptionUpdate, UpdateKind, caption_stages
from engine.transcript import Segment, Transcript
from engine.translation import (
    CATALOGUE,
    Ct2Translator,
    Result,
    TorchTranslator,
    TranslationError,
    TranslationStage,
    TranslationWorker,
    choose_model,
    load_translator,
    max_length,
    translate_transcript,
)

TEXTS = [SOURCE_TEXT[0], "is this the right way", SOURCE_TEXT[3]]


def reference(folder: Path, texts: Sequence[str], prefix: str = "") -> list[str]:
    """transformers' own tokenizer and generate on each sentence alone: greedy, the length
    limit of that sentence (a translation must not depend on what it is batched with)."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(str(folder))
    model = MarianMTModel.from_pretrained(str(folder)).eval()
    out = []
    for text in texts:
        ids = tokenizer([prefix + text], return_tensors="pt")
        with torch.inference_mode():
            generated = model.generate(
                **ids, num_beams=1, do_sample=False, max_length=max_length(ids.input_ids.shape[1])
            )
        out.append(tokenizer.decode(generated[0], skip_special_tokens=True).strip())
    return out


def test_torch_translation_equals_generate(marian_dir: Path) -> None:
    expected = reference(marian_dir, TEXTS)
    assert all(expected)  # the random model writes something
    assert TorchTranslator(marian_dir).translate(TEXTS) == expected


def test_ctranslate2_float32_equals_generate(marian_dir: Path) -> None:
    """The converted model decodes the same tokens as transformers (float32, greedy), for a
    batch of texts of different lengths."""
    translator = Ct2Translator(marian_dir, compute_type="float32")
    assert translator.translate(TEXTS) == reference(marian_dir, TEXTS)


def test_ctranslate2_int8_is_converted_once_and_loads_from_the_cache(
    marian_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVE_CAPTIONS_CT2_CACHE", str(tmp_path / "ct2"))
    first = Ct2Translator(marian_dir).translate(TEXTS)
    entries = list((tmp_path / "ct2").iterdir())
    assert len(entries) == 1 and (entries[0] / "model.bin").is_file()
    stamp = (entries[0] / "model.bin").stat().st_mtime_ns
    assert Ct2Translator(marian_dir).translate(TEXTS) == first
    assert (entries[0] / "model.bin").stat().st_mtime_ns == stamp
    assert all(isinstance(t, str) and t for t in first)


def test_prefix_is_put_before_every_sentence(marian_dir: Path) -> None:
    """Multi-target OPUS-MT models (en-zh) need the target's token first (>>cmn_Hans<<)."""
    prefixed = TorchTranslator(marian_dir, prefix="welcome ").translate(TEXTS[:1])
    assert prefixed == reference(marian_dir, TEXTS[:1], prefix="welcome ")


def test_catalogue_pairs_and_licences() -> None:
    assert choose_model(TranslationOptions(target="zh"), "en") == (
        "Helsinki-NLP/opus-mt-en-zh",
        ">>cmn_Hans<< ",
    )
    assert choose_model(TranslationOptions(target="en"), "zh-CN")[0] == "Helsinki-NLP/opus-mt-zh-en"
    for pair in CATALOGUE:
        assert pair.scores and "NC" not in pair.licence  # nothing non-commercial by default
        assert "BLEU" in pair.summary() and "chr-F" in pair.summary()
    with pytest.raises(TranslationError, match="--translation-model"):
        choose_model(TranslationOptions(target="fi"), "en")


@pytest.mark.parametrize("target", ["", "chinese", "z1"])
def test_a_target_that_is_not_a_language_is_refused(target: str) -> None:
    with pytest.raises(TranslationError, match="language code"):
        load_translator(TranslationOptions(target=target, model="x"))


def test_models_that_cannot_be_loaded_say_why(tmp_path: Path) -> None:
    with pytest.raises(TranslationError, match="does not exist"):
        load_translator(TranslationOptions(target="zh", model=str(tmp_path / "missing")))
    with pytest.raises(TranslationError, match="no config.json"):
        load_translator(TranslationOptions(target="zh", model=str(tmp_path)))
    bert = not_a_speech_model(tmp_path / "bert")
    with pytest.raises(TranslationError, match="not a MarianMTModel translation model"):
        load_translator(TranslationOptions(target="zh", model=str(bert)))
    with pytest.raises(TranslationError, match="not in the local Hugging Face cache"):
        load_translator(
            TranslationOptions(target="zh", model="acme/missing", local_files_only=True)
        )


def test_a_broken_model_folder_is_a_translation_error(marian_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_bytes((marian_dir / "config.json").read_bytes())
    with pytest.raises(TranslationError, match="has no source.spm, target.spm, vocab.json"):
        load_translator(TranslationOptions(target="zh", model=str(broken)))
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        (broken / name).write_bytes((marian_dir / name).read_bytes())
    (broken / "model.safetensors").write_bytes(b"not weights")
    for backend in ("torch", "ctranslate2"):
        with pytest.raises(TranslationError, match="cannot be loaded"):
            load_translator(TranslationOptions(target="zh", model=str(broken), backend=backend))


def test_download_from_the_hub_then_offline(
    marian_dir: Path, hub_cache: Path, tmp_path: Path
) -> None:
    bert = not_a_speech_model(tmp_path / "bert")
    with FakeHub({"acme/opus-mt-en-xx": marian_dir, "acme/bert": bert}) as hub:
        seen: list[DownloadStatus] = []
        options = TranslationOptions(
            target="xx", model="acme/opus-mt-en-xx", backend="torch", hub_endpoint=hub.url
        )
        translator = load_translator(options, "en", seen.append)
        assert seen and seen[-1].done == seen[-1].total > 0
        assert translator.translate(TEXTS[:1]) == reference(marian_dir, TEXTS[:1])
        with pytest.raises(TranslationError, match="not a MarianMTModel"):
            load_translator(
                TranslationOptions(target="xx", model="acme/bert", hub_endpoint=hub.url)
            )
        assert not hub.requests("GET", "/acme/bert/resolve/main/model.safetensors")
        fetched = len(hub.requests("GET", "/resolve/"))
    offline = TranslationOptions(
        target="xx", model="acme/opus-mt-en-xx", backend="torch", local_files_only=True
    )
    assert load_translator(offline).translate(TEXTS[:1]) == reference(marian_dir, TEXTS[:1])
    assert fetched >= 5  # config, weights, two sentencepiece models, vocabulary


class Recorder:
    """A translator that upper-cases, records its batches and can be held or made to fail."""

    description = "recorder"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.fail = False
        self.threads: list[str] = []  # the thread of each call

    def translate(self, texts: Sequence[str]) -> list[str]:
        self.threads.append(threading.current_thread().name)
        self.hold.wait(30)
        self.batches.append(list(texts))
        if self.fail:
            raise RuntimeError("out of memory")
        return [t.upper() for t in texts]


def collect(worker: TranslationWorker, count: int) -> list[Result]:
    results: list[Result] = []
    deadline = time.monotonic() + 30
    while len(results) < count and time.monotonic() < deadline:
        results += worker.poll()
        worker.wait(0.1)
    return results


def test_worker_translates_in_order_in_batches_without_blocking() -> None:
    recorder = Recorder()
    recorder.hold.clear()
    worker = TranslationWorker(recorder, max_pending=4)
    try:
        worker.submit(0, "first")  # taken at once (or with the next ones), then held
        for key in range(1, 6):
            worker.submit(key, f"sentence {key}")  # never blocks, even past max_pending
        recorder.hold.set()
        results = collect(worker, 6)
    finally:
        worker.close()
    by_key = {r.key: r for r in results}
    assert sorted(by_key) == list(range(6))
    translated = [r for r in results if r.text]
    skipped = [r for r in results if not r.text]
    assert all(r.text == r.source_text.upper() for r in translated)
    assert all(r.error == "translation fell behind" for r in skipped)
    assert len(translated) >= 4  # max_pending waited; the rest said they were skipped
    assert max(len(b) for b in recorder.batches) > 1  # what waited went in one batch
    assert [r.key for r in translated] == sorted(r.key for r in translated)


def test_a_failing_translator_gives_errors_and_the_worker_goes_on() -> None:
    recorder = Recorder()
    worker = TranslationWorker(recorder)
    try:
        recorder.fail = True
        worker.submit("a", "one")
        failed = collect(worker, 1)
        recorder.fail = False
        worker.submit("b", "two")
        ok = collect(worker, 1)
    finally:
        worker.close()
    assert failed[0].text == "" and "out of memory" in failed[0].error
    assert ok[0].text == "TWO" and ok[0].key == "b"


def test_files_translate_through_the_worker_beside_a_stream() -> None:
    """A file's texts go through the worker that serves the streams (its thread is the
    translator's one caller): in batches, never dropped, though the queue is small and a
    stream's sentences wait in it too; a closed worker is a TranslationError."""
    recorder = Recorder()
    recorder.hold.clear()
    worker = TranslationWorker(recorder, max_pending=5, max_batch=3)
    texts = [f"file line {n}" for n in range(10)]
    done: list[list[str]] = []
    try:
        worker.submit("live 0", "live one")
        file = threading.Thread(target=lambda: done.append(worker.translate(texts)))
        file.start()
        worker.submit("live 1", "live two")
        recorder.hold.set()
        file.join(30)
        results = collect(worker, 2)
    finally:
        worker.close()
    assert done == [[t.upper() for t in texts]]  # every line, in order
    assert {r.key: r.text for r in results} == {"live 0": "LIVE ONE", "live 1": "LIVE TWO"}
    assert set(recorder.threads) == {"translation"} and max(len(b) for b in recorder.batches) <= 3
    with pytest.raises(TranslationError, match="stopped"):
        worker.translate(["too late"])


def bilingual(translator: Recorder) -> Transcript:
    times = {"HELLO": (0.5, 0.9), "WORLD": (1.0, 1.4), "GOOD": (3.0, 3.3), "BYE": (3.4, 3.8)}
    words = [Word(text, start, end, 0.9) for text, (start, end) in times.items()]
    transcript = Transcript(
        (Segment(0.5, 1.4, tuple(words[:2])), Segment(3.0, 3.8, tuple(words[2:]))), 4.0
    )
    return translate_transcript(transcript, translator, "xx")


def test_bilingual_srt_and_vtt_read_back_by_subtitle_tools(tmp_path: Path) -> None:
    import pysubs2
    import srt

    transcript = bilingual(Recorder())
    cues = list(srt.parse(render(transcript, "srt")))
    assert [c.content.split("\n") for c in cues] == [
        ["Hello world", "HELLO WORLD"],
        ["Good bye", "GOOD BYE"],
    ]
    assert cues[1].start.total_seconds() == 3.0
    for fmt in ("srt", "vtt"):
        path = tmp_path / f"x.{fmt}"
        path.write_text(render(transcript, fmt), encoding="utf-8")
        events = pysubs2.load(str(path))
        assert [e.plaintext.split("\n") for e in events] == [
            ["Hello world", "HELLO WORLD"],
            ["Good bye", "GOOD BYE"],
        ]


def test_bilingual_json_and_txt() -> None:
    transcript = bilingual(Recorder())
    data = json.loads(render(transcript, "json"))
    assert data["translation_language"] == "xx"
    assert [s["translation"] for s in data["segments"]] == ["HELLO WORLD", "GOOD BYE"]
    assert render(transcript, "txt") == "Hello world\nHELLO WORLD\nGood bye\nGOOD BYE\n"
    plain = Transcript((Segment(0.5, 1.4, transcript.segments[0].words),), 2.0)
    assert "translation" not in json.loads(render(plain, "json"))["segments"][0]


def test_stage_passes_updates_on_and_answers_each_sentence_at_poll() -> None:
    recorder = Recorder()
    worker = TranslationWorker(recorder)
    stage = TranslationStage(worker, "xx")
    try:
        final = CaptionUpdate(UpdateKind.FINAL, 1.0, units=("hello",))
        sentences = [
            CaptionUpdate(UpdateKind.SENTENCE, 1.0, units=("hello", "world")),
            CaptionUpdate(UpdateKind.SENTENCE, 2.0),
        ]
        assert stage.push(final) == [final]  # passed on unchanged, at once
        assert [stage.push(s) for s in sentences] == [[s] for s in sentences]
        assert stage.flush() == []
        worker.wait()
        out = stage.poll()
    finally:
        worker.close()
    assert [u.kind for u in out] == [UpdateKind.TRANSLATION, UpdateKind.TRANSLATION]
    assert out[0] == CaptionUpdate(
        UpdateKind.TRANSLATION,
        1.0,
        units=("hello", "world"),
        translation="HELLO WORLD",
        language="xx",
    )
    assert out[0].text == "HELLO WORLD" and out[0].source_text == "hello world"
    assert out[1].translation == "" and out[1].units == ()  # an empty sentence: nothing to say
    assert stage.pending == 0 and stage.poll() == []


def test_pipeline_with_translation_gives_each_sentence_translated_after_its_finals() -> None:
    """The real pipeline: casing, sentences (closed at a line end without punctuation), then
    translation; the TRANSLATION update comes at poll, after the finals it covers."""
    from engine.streaming import Event, EventType

    recorder = Recorder()
    worker = TranslationWorker(recorder)
    pipeline = CaptionPipeline(caption_stages(translation=TranslationStage(worker, "xx")))
    times = {"HELLO": (0.5, 0.9), "WORLD": (1.0, 1.4), "GOOD": (3.0, 3.3), "BYE": (3.4, 3.8)}
    words = [Word(text, start, end, 0.9) for text, (start, end) in times.items()]
    updates = []
    try:
        for event in (
            Event(EventType.FINAL, 1.5, tuple(words[:2])),
            Event(EventType.UTTERANCE_END, 1.4),
            Event(EventType.FINAL, 3.9, tuple(words[2:])),
            Event(EventType.END, 4.0),
        ):
            updates += pipeline.handle(event)
        worker.wait()
        updates += pipeline.poll()
    finally:
        worker.close()
    translations = [u for u in updates if u.kind is UpdateKind.TRANSLATION]
    assert [(u.source_text, u.translation) for u in translations] == [
        ("Hello world", "HELLO WORLD"),
        ("Good bye", "GOOD BYE"),
    ]
    assert [(u.start, u.end) for u in translations] == [(0.5, 1.4), (3.0, 3.8)]
    last_final = max(i for i, u in enumerate(updates) if u.kind is UpdateKind.FINAL)
    assert updates.index(translations[0]) > last_final
