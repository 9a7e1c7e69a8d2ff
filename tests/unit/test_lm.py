"""Beam search with a word n-gram language model and custom words (engine.lm)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.config import LmOptions
from engine.ctc import Vocab, Word
from engine.errors import ModelLoadError
from engine.lm import BeamDecoder, SpanCutter, as_typed, typed_forms
from engine.lm_files import find_lm, load_lm, parse_hotwords, split_hotwords
from tools.demo_model.ngram import KneserNey

ROOT = Path(__file__).resolve().parents[2]


CORPUS = [s.split() for s in ["A B C", "A B D", "B C A", "C A B D", "A A B", "D C B A", "B B"]]


@pytest.mark.parametrize("min_count", [1, 2])
def test_kneser_ney_distributions_sum_to_one(min_count):
    model = KneserNey(CORPUS, order=3, min_count=min_count)
    events = ["A", "B", "C", "D", "</s>", "<unk>"]
    for context in [(), ("<s>",), ("A",), ("A", "B"), ("<s>", "A"), ("B", "C"), ("X",)]:
        assert sum(model.prob((*context, w)) for w in events) == pytest.approx(1.0, abs=1e-9)
    # pruning drops the trigrams seen once, and the backoff weights make up for them
    assert (len(model.probs[3]) < len(KneserNey(CORPUS, 3).probs[3])) == (min_count == 2)


def test_kenlm_reads_the_arpa_file_as_written(tmp_path):
    """KenLM's score of a sentence equals the writer's own probabilities."""
    model = KneserNey(CORPUS, order=3, min_count=2)
    model.write_arpa(tmp_path / "lm.arpa")
    lm = load_lm(tmp_path / "lm.arpa")
    assert lm.file.unigrams == {"A", "B", "C", "D"}
    state, total = lm.kenlm.start(False), 0.0
    words = ["A", "B", "D", "C"]
    for word in words:
        state, score = lm.kenlm.score(state, lm.index[word])
        total += score
    state, end = lm.kenlm.finish(state)
    expected = sum(
        math.log10(model.prob(tuple((["<s>", "<s>"] + words + ["</s>"])[max(0, i - 2) : i + 1])))
        for i in range(2, len(words) + 3)
    )
    assert total + end == pytest.approx(expected, abs=1e-3)


def test_unreadable_lm_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        find_lm(tmp_path / "missing.arpa")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no .arpa or .bin"):
        find_lm(tmp_path / "empty")
    (tmp_path / "bad.arpa").write_text("this is not an ARPA file\n")
    with pytest.raises(ModelLoadError, match="cannot be read"):
        load_lm(tmp_path / "bad.arpa")


def test_hub_language_model_folder_layout(tmp_path):
    """A Wav2Vec2ProcessorWithLM folder: attrs.json's weights and unigrams.txt are read."""
    folder = tmp_path / "language_model"
    folder.mkdir()
    KneserNey(CORPUS, order=2).write_arpa(folder / "lm.arpa")
    (folder / "attrs.json").write_text('{"alpha": 0.7, "beta": 2.5, "unk_score_offset": -9}')
    (folder / "unigrams.txt").write_text("A\nB\nC\nD\n")
    found = find_lm(folder)
    assert (found.alpha, found.beta, found.unk_score) == (0.7, 2.5, -9.0)
    assert found.unigrams == {"A", "B", "C", "D"}


def spans_of(cutter: SpanCutter, ids: np.ndarray, logp: np.ndarray, size: int) -> list:
    got = []
    for i in range(0, len(ids), size):
        got += cutter.feed(ids[i : i + size], logp[i : i + size])
    got.append(cutter.flush())
    return [(s.first, s.log_probs.tolist(), s.sentence_ends) for s in got]


def test_spans_are_cut_at_pauses_whatever_the_pieces():
    blank = 0
    ids = np.array([0, 1, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 4, 4, 0])
    logp = np.arange(len(ids), dtype=np.float32)[:, None].repeat(3, axis=1)
    spans = spans_of(SpanCutter(blank, gap_frames=3), ids, logp, len(ids))
    assert [(first, len(frames), ends) for first, frames, ends in spans] == [
        (0, 6, True),
        (6, 4, True),
        (10, 6, True),
    ]
    for size in (1, 2, 5):
        assert spans_of(SpanCutter(blank, gap_frames=3), ids, logp, size) == spans


def test_inside_speech_spans_end_at_word_boundaries():
    """Past min_frames a span ends at the next word delimiter frame (the sentence goes on);
    the pause after such a cut still ends the sentence; the cuts do not depend on the pieces."""
    blank, delimiter = 0, 5
    ids = np.array([0, 1, 0, 5, 2, 0, 5, 3, 3, 5, 0, 0, 0, 4, 4, 4, 5, 2, 5, 0])
    logp = np.log(np.full((len(ids), 6), 0.02, np.float32))
    logp[np.arange(len(ids)), ids] = np.log(0.95)
    logp[16, 5] = np.log(0.6)  # an unsure boundary (maybe inside a word): no cut there
    cutter = SpanCutter(blank, gap_frames=3, delimiter_id=delimiter, min_frames=4)
    spans = spans_of(cutter, ids, logp, len(ids))
    assert [(first, len(frames), ends) for first, frames, ends in spans] == [
        (0, 4, False),
        (4, 6, False),
        # The delimiter at 9 is no speech: with the blanks at 10 and 11 it is the pause.
        (10, 2, True),
        (12, 7, False),
        (19, 1, True),
    ]
    for size in (1, 3, 7):
        cutter = SpanCutter(blank, gap_frames=3, delimiter_id=delimiter, min_frames=4)
        assert spans_of(cutter, ids, logp, size) == spans


def kat_frames(tokens: tuple[str, ...]) -> tuple[Vocab, np.ndarray]:
    """Frames that greedily spell K-A-T (C a close second to K) over ``tokens``, which are
    blank, delimiter, A, C, K, T in either case."""
    vocab = Vocab(tokens=tokens, blank_id=0, delimiter_id=1)
    rows = [{0: 0.9}, {4: 0.55, 3: 0.45}, {0: 0.9}, {2: 0.9}, {5: 0.9}, {0: 0.9}, {1: 0.9}]
    logp = np.full((len(rows), len(tokens)), math.log(0.01), np.float32)
    for i, row in enumerate(rows):
        for token, p in row.items():
            logp[i, token] = math.log(p)
    return vocab, logp


def test_custom_word_wins_over_a_close_spelling():
    """Frames that greedily spell KAT: listed, CAT comes out instead, without an LM."""
    vocab, logp = kat_frames(("<pad>", "|", "A", "C", "K", "T"))
    plain = BeamDecoder(vocab, LmOptions(), None).decode(logp)
    listed = BeamDecoder(vocab, LmOptions(hotwords=("cat",)), None).decode(logp)
    assert [w.text for w in plain] == ["KAT"]
    assert [w.text for w in listed] == ["CAT"]
    assert (listed[0].start, listed[0].end) == (0.02, 0.1)


def test_the_demo_lm_ships_with_its_measured_weights():
    lm = load_lm("demo")
    assert len(lm.file.unigrams) > 10_000
    assert (lm.file.alpha, lm.file.beta, lm.file.unk_score) == (0.4, 1.5, -12.0)


def test_custom_words_are_spelled_in_the_model_s_case():
    """A lower-case vocabulary (many fine-tunes) gets lower-case custom words."""
    vocab, logp = kat_frames(("<pad>", "|", "a", "c", "k", "t"))
    listed = BeamDecoder(vocab, LmOptions(hotwords=("Cat",)), None).decode(logp)
    assert [w.text for w in listed] == ["cat"]


def test_custom_words_leave_as_typed_where_the_captions_casing_would_lose_it():
    forms = typed_forms(("Tamsinet", "NASA", "kubernetes", "New York"))
    assert forms == {("TAMSINET",): ("Tamsinet",), ("NEW", "YORK"): ("New", "York")}
    assert typed_forms(("Tamsinet",), lower=True) == {("tamsinet",): ("Tamsinet",)}
    texts = ["A", "NEW", "CAR", "IN", "NEW", "YORK", "TAMSINET"]
    words = [Word(t, i, i + 0.5, 0.9) for i, t in enumerate(texts)]
    assert [w.text for w in as_typed(words, forms)] == [
        "A",
        "NEW",
        "CAR",
        "IN",
        "New",
        "York",
        "Tamsinet",
    ]
    assert [(w.start, w.end) for w in as_typed(words, forms)] == [(w.start, w.end) for w in words]


def test_request_custom_words_are_checked():
    assert parse_hotwords(None) == parse_hotwords("") == ()
    assert parse_hotwords(" Tamsinet ,  New   York,,") == ("Tamsinet", "New York")
    assert parse_hotwords(["Kubernetes", " a  b "]) == ("Kubernetes", "a b")
    # One reading everywhere (issue 23): a line break separates words in a request too.
    assert parse_hotwords("Kubernetes\nTamsinet") == split_hotwords("Kubernetes\nTamsinet")
    assert split_hotwords("Kubernetes\nTamsinet") == ("Kubernetes", "Tamsinet")
    for bad, message in [
        (42, "string of comma-separated words"),
        (["ok", 3], "must be strings"),
        ("x" * 65, "at most 64 characters"),
        (",".join(["w"] * 201), "at most 200 hotwords"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_hotwords(bad)


def test_kenlm_load_progress_goes_to_the_debug_log_and_warnings_stay(tmp_path):
    """KenLM writes its progress bar to stderr while it reads an ARPA file: it reaches the log
    at debug level instead; KenLM's own warnings and other output written meanwhile stay."""
    import subprocess

    model = KneserNey(CORPUS, order=2)
    model.write_arpa(tmp_path / "lm.arpa")
    (tmp_path / "no-unk.arpa").write_text(
        "\\data\\\nngram 1=4\nngram 2=1\n\n\\1-grams:\n-0.5\t<s>\t-0.3\n-0.6\t</s>\n"
        "-0.6\tA\t-0.3\n-0.6\tB\t-0.3\n\n\\2-grams:\n-0.2\tA B\n\n\\end\\\n"
    )
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='%(message)s')\n"
        "from engine.lm_files import load_lm\n"
        "print('before', file=sys.stderr, flush=True)\n"
        f"load_lm({str(tmp_path / 'lm.arpa')!r})\n"
        f"load_lm({str(tmp_path / 'no-unk.arpa')!r})\n"
        "print('after', file=sys.stderr, flush=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Reading" not in result.stderr and "****" not in result.stderr
    assert result.stderr.startswith("before") and result.stderr.rstrip().endswith("after")
    assert "missing <unk>" in result.stderr  # a warning about the file stays visible
    assert "KenLM: Reading" in result.stdout  # the progress, in the debug log


def test_an_lm_of_one_s_own_text_spells_as_the_model_does(tmp_path):
    """tools/demo_model/ngram.py --text: any text file becomes an ARPA file KenLM reads, in
    the upper-case spelling English wav2vec2 models write."""
    from tools.demo_model.ngram import build_text_lm

    text = tmp_path / "notes.txt"
    text.write_text("Call Tamsinet at nine.\n\nIt's the Kubernetes meeting, isn't it?\n")
    assert build_text_lm(text, tmp_path / "own.arpa", order=2) == 2
    lm = load_lm(tmp_path / "own.arpa")
    assert {"TAMSINET", "IT'S", "KUBERNETES", "ISN'T"} <= lm.file.unigrams
    assert all(w == w.upper() for w in lm.file.unigrams)


def test_a_vocabulary_without_words_decodes_greedily(caplog):
    """Characters of a script without spaces (no word delimiter): custom words and an LM are
    not used, with a log note, instead of failing every stream and upload."""
    from types import SimpleNamespace

    from engine.config import DecodeOptions
    from engine.stitch import LmStitcher, WindowStitcher, make_stitcher

    vocab = Vocab(tokens=("<pad>", "我", "你", "好"), blank_id=0, delimiter_id=None)
    model = SimpleNamespace(vocab=vocab, frame_samples=320)
    decode = DecodeOptions(lm=LmOptions(lm="demo", hotwords=("你好",)))
    with caplog.at_level("WARNING", logger="engine.stitch"):
        stitcher = make_stitcher(model, decode)  # type: ignore[arg-type]
    assert isinstance(stitcher, WindowStitcher) and not isinstance(stitcher, LmStitcher)
    assert "no word delimiter" in caplog.text
    hotwords_only = DecodeOptions(lm=LmOptions(hotwords=("你好",)))
    assert isinstance(make_stitcher(model, hotwords_only), WindowStitcher)  # type: ignore[arg-type]
