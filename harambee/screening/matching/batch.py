"""Upper bounds of many (query, candidate name) scores at once, in arrays.

`scorer.score_bound` gives, for one query and one candidate name, a bound of the name score
that is cheap next to the full alignment; screening aligns only the candidates whose bound
reaches the threshold (a few in a thousand). Computed pair by pair in Python, that bound was
most of the time of a batch. Here it is computed for every pair of a batch together: the token
cells of all pairs laid end to end in flat arrays, each distinct pair of words scored once
(rapidfuzz `cpdist`: one C++ call for all of them), the rules of `scorer._token_sim` and
`scorer._skel_sim` applied as array operations, each token's best cell taken with
`np.maximum.reduceat`, joins and coverages as in `scorer._align_bound`. The result is the same
bound, to float rounding (tests compare it with `score_bound` pair by pair).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA, Indel, Levenshtein
from rapidfuzz.process import cpdist

from .normalize import NormName, Token
from .scorer import (
    _BOUND_SLACK,
    INITIAL,
    JOINED_FACTOR,
    SHORT,
    SKELETON_FACTOR,
    TOKEN_CUTOFF,
)

_JOIN_MIN = 0.8  # a join counts from this similarity (see scorer._joins)
_SKEL_CUTOFF = 0.75  # see scorer._skel_sim
_LONG_ENOUGH = 0.9  # below this bound, letters end to end are compared too


def _objects(values: list[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _ints(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _first(text: str) -> int:
    return ord(text[0]) if text else -1


class Vocabulary:
    """Ids of the texts, keys, sounds and skeletons of the list names' words: equality of two
    words' features becomes a comparison of integers. A query's feature that no list word has
    gets -2 (never equal); a missing sound gets -1."""

    def __init__(self) -> None:
        self.text: dict[str, int] = {}
        self.key: dict[str, int] = {}
        self.phon: dict[str, int] = {}
        self.skel: dict[str, int] = {}

    def learn(self, tokens: Sequence[Token]) -> None:
        for t in tokens:
            self.text.setdefault(t.text, len(self.text))
            self.key.setdefault(t.key, len(self.key))
            self.skel.setdefault(t.skel, len(self.skel))
            if t.phon:
                self.phon.setdefault(t.phon, len(self.phon))


@dataclass
class Words:
    """Comparison features of distinct words, one array element per word."""

    text: np.ndarray
    key: np.ndarray
    skel: np.ndarray
    text_len: np.ndarray
    key_len: np.ndarray
    skel_len: np.ndarray
    text_first: np.ndarray
    key_first: np.ndarray
    text_id: np.ndarray
    key_id: np.ndarray
    phon_id: np.ndarray
    skel_id: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, tokens: Sequence[Token], vocabulary: Vocabulary) -> Words:
        texts = [t.text for t in tokens]
        keys = [t.key for t in tokens]
        skels = [t.skel for t in tokens]
        phon = vocabulary.phon
        return cls(
            text=_objects(texts),
            key=_objects(keys),
            skel=_objects(skels),
            text_len=_ints([len(x) for x in texts]),
            key_len=_ints([len(x) for x in keys]),
            skel_len=_ints([len(x) for x in skels]),
            text_first=_ints([_first(x) for x in texts]),
            key_first=_ints([_first(x) for x in keys]),
            text_id=_ints([vocabulary.text.get(x, -2) for x in texts]),
            key_id=_ints([vocabulary.key.get(x, -2) for x in keys]),
            phon_id=_ints([phon.get(t.phon, -2) if t.phon else -1 for t in tokens]),
            skel_id=_ints([vocabulary.skel.get(x, -2) for x in skels]),
            weight=np.array([t.weight for t in tokens], dtype=np.float64),
        )


@dataclass
class Names:
    """A list of names as arrays: their words (by number in a `Words`), the spans of adjacent
    words that may join (see `normalize.join_spans`), and what the bound needs of each name."""

    words: Words
    ptr: np.ndarray  # name -> its words in `word`
    word: np.ndarray
    weight: np.ndarray  # sum of token weights (1.0 when zero)
    keys_joined: np.ndarray  # the keys end to end
    texts_joined: np.ndarray  # the words end to end
    abjad: np.ndarray
    loose: np.ndarray
    span_ptr: np.ndarray  # name -> its spans
    span_key: np.ndarray  # joined keys of the span's end tokens
    span_skel: np.ndarray  # joined skeletons
    span_key_len: np.ndarray
    span_skel_len: np.ndarray
    span_start: np.ndarray  # position of the span's first token in its name
    span_len: np.ndarray  # 2 or 3 tokens

    @classmethod
    def of(cls, norms: Sequence[NormName], vocabulary: Vocabulary, *, learn: bool) -> Names:
        number_of: dict[str, int] = {}
        tokens: list[Token] = []
        word: list[int] = []
        ptr = [0]
        span_key: list[str] = []
        span_skel: list[str] = []
        span_start: list[int] = []
        span_len: list[int] = []
        span_ptr = [0]
        for norm in norms:
            for token in norm.tokens:
                number = number_of.get(token.text)
                if number is None:
                    number = number_of[token.text] = len(tokens)
                    tokens.append(token)
                word.append(number)
            ptr.append(len(word))
            for run, joined_key, joined_skel in norm.spans:
                span_key.append(joined_key)
                span_skel.append(joined_skel)
                span_start.append(run[0])
                span_len.append(len(run))
            span_ptr.append(len(span_key))
        if learn:
            vocabulary.learn(tokens)
        return cls(
            words=Words.of(tokens, vocabulary),
            ptr=_ints(ptr),
            word=_ints(word),
            weight=np.array([sum(t.weight for t in n.tokens) or 1.0 for n in norms]),
            keys_joined=_objects(["".join(t.key for t in n.tokens) for n in norms]),
            texts_joined=_objects([n.joined for n in norms]),
            abjad=np.array([n.abjad for n in norms], dtype=bool),
            loose=np.array([n.loose for n in norms], dtype=bool),
            span_ptr=_ints(span_ptr),
            span_key=_objects(span_key),
            span_skel=_objects(span_skel),
            span_key_len=_ints([len(x) for x in span_key]),
            span_skel_len=_ints([len(x) for x in span_skel]),
            span_start=_ints(span_start),
            span_len=_ints(span_len),
        )


def _grid(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cells of `rows[p] x cols[p]` grids laid end to end, row by row: (p, row, column)."""
    sizes = rows * cols
    pair = np.repeat(np.arange(len(sizes)), sizes)
    offset = np.arange(int(sizes.sum())) - (np.cumsum(sizes) - sizes)[pair]
    width = cols[pair]
    row = offset // width
    return pair, row, offset - row * width


def _similarity(scorer: Any, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if not len(left):
        return np.zeros(0)
    return np.asarray(cpdist(left, right, scorer=scorer, dtype=np.float64, workers=1))


def _token_sims(q: Words, c: Words, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`scorer._token_sim` of query words `a` and list words `b`, pair by pair."""
    qtl, ctl, qkl, ckl = q.text_len[a], c.text_len[b], q.key_len[a], c.key_len[b]
    key_osa = _similarity(OSA.normalized_similarity, q.key[a], c.key[b])
    qp = q.phon_id[a]
    phonetic = (qp >= 0) & (qp == c.phon_id[b]) & (q.key_first[a] == c.key_first[b])
    long_score = np.where(phonetic, np.maximum(key_osa, 0.85), key_osa)
    long_score = np.where(long_score >= TOKEN_CUTOFF, long_score, 0.0)
    short_score = np.where(phonetic & (np.minimum(qkl, ckl) >= SHORT), 0.85, 0.0)
    qk = q.key_id[a]
    score = np.where(
        (qk >= 0) & (qk == c.key_id[b]),
        0.95,
        np.where((qkl <= SHORT) | (ckl <= SHORT), short_score, long_score),
    )
    # A typo can hide a variant the key folds: the letters as written, where they may add.
    written = np.flatnonzero((score < 0.95) & (qtl > SHORT) & (ctl > SHORT))
    if len(written):
        text_osa = _similarity(OSA.normalized_similarity, q.text[a[written]], c.text[b[written]])
        text_score = np.where(text_osa >= TOKEN_CUTOFF, text_osa, 0.0)
        score[written] = np.maximum(score[written], text_score)
    initial = (qtl == 1) | (ctl == 1)
    score = np.where(initial, np.where(q.text_first[a] == c.text_first[b], INITIAL, 0.0), score)
    qt = q.text_id[a]
    return np.where((qt >= 0) & (qt == c.text_id[b]), 1.0, score)


def _skel_sims(q: Words, c: Words, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`scorer._skel_sim` of query words `a` and list words `b`, pair by pair."""
    qs = q.skel_id[a]
    same = (qs >= 0) & (qs == c.skel_id[b])
    score = np.zeros(len(a))
    longer = np.flatnonzero(~same & (q.skel_len[a] >= SHORT) & (c.skel_len[b] >= SHORT))
    if len(longer):
        sims = _similarity(Levenshtein.normalized_similarity, q.skel[a[longer]], c.skel[b[longer]])
        score[longer] = np.where(sims >= _SKEL_CUTOFF, sims, 0.0)
    return np.where(same & (q.skel_len[a] > 0), 1.0, score)


def _join_raise(
    left: Names,
    right: Names,
    pair_left: np.ndarray,
    pair_right: np.ndarray,
    ub_left: np.ndarray,
    ub_right: np.ndarray,
    off_left: np.ndarray,
    off_right: np.ndarray,
    skel: bool,
) -> None:
    """`scorer._join_bound` for every pair: a token of the left name (four letters or more)
    against two or three adjacent tokens of the right one; a join similar enough raises the
    bounds of the tokens on both sides."""
    n_left = left.ptr[pair_left + 1] - left.ptr[pair_left]
    n_span = right.span_ptr[pair_right + 1] - right.span_ptr[pair_right]
    pair, i, s = _grid(n_left, n_span)
    if not len(pair):
        return
    word = left.word[left.ptr[pair_left[pair]] + i]
    span = right.span_ptr[pair_right[pair]] + s
    if skel:
        la, lr = left.words.skel_len[word], right.span_skel_len[span]
    else:
        la, lr = left.words.key_len[word], right.span_key_len[span]
    # A similarity is at most the ratio of the two lengths: skip what cannot reach 0.8.
    ok = np.flatnonzero((la >= 4) & (5 * lr >= 4 * la) & (5 * la >= 4 * lr))
    if not len(ok):
        return
    pair, i, word, span = pair[ok], i[ok], word[ok], span[ok]
    if skel:
        ratio = _similarity(OSA.normalized_similarity, left.words.skel[word], right.span_skel[span])
    else:
        ratio = _similarity(OSA.normalized_similarity, left.words.key[word], right.span_key[span])
    good = ratio >= _JOIN_MIN
    pair, i, span, ratio = pair[good], i[good], span[good], ratio[good]
    np.maximum.at(ub_left, off_left[pair] + i, ratio)
    for k in range(int(right.span_len.max(initial=0))):
        covers = right.span_len[span] > k
        where = off_right[pair[covers]] + right.span_start[span[covers]] + k
        np.maximum.at(ub_right, where, ratio[covers])


def _align_bounds(
    queries: Names, names: Names, pq: np.ndarray, pn: np.ndarray, skel: bool
) -> np.ndarray:
    """`scorer._align_bound(query, name, skel)` of every pair (pq[p], pn[p])."""
    a = queries.ptr[pq + 1] - queries.ptr[pq]
    b = names.ptr[pn + 1] - names.ptr[pn]
    pair, i, j = _grid(a, b)
    qa = queries.word[queries.ptr[pq[pair]] + i]
    cb = names.word[names.ptr[pn[pair]] + j]
    # Each distinct pair of words scored once.
    n_words = len(names.words.text) + 1
    codes, inverse = np.unique(qa * n_words + cb, return_inverse=True)
    ua, ub = codes // n_words, codes % n_words
    if skel:
        sims = _skel_sims(queries.words, names.words, ua, ub)
    else:
        sims = _token_sims(queries.words, names.words, ua, ub)
    sim = sims[inverse]
    # Best cell of each query token (cells are row by row) and of each name token.
    q_off = np.cumsum(a) - a
    c_off = np.cumsum(b) - b
    ub_q = np.maximum.reduceat(sim, np.flatnonzero(j == 0))
    pair_t, j_t, i_t = _grid(b, a)
    start = np.cumsum(a * b) - a * b
    ub_c = np.maximum.reduceat(sim[start[pair_t] + i_t * b[pair_t] + j_t], np.flatnonzero(i_t == 0))
    _join_raise(queries, names, pq, pn, ub_q, ub_c, q_off, c_off, skel)
    _join_raise(names, queries, pn, pq, ub_c, ub_q, c_off, q_off, skel)
    # Coverages, each token counting its weight times its best similarity.
    w_q = queries.words.weight[qa[j == 0]]
    w_c = names.words.weight[names.word[names.ptr[pn[pair_t]] + j_t][i_t == 0]]
    cov_q = np.minimum(np.add.reduceat(w_q * ub_q, q_off) / queries.weight[pq], 1.0)
    cov_c = np.minimum(np.add.reduceat(w_c * ub_c, c_off) / names.weight[pn], 1.0)
    return 0.6 * np.maximum(cov_q, cov_c) + 0.4 * np.minimum(cov_q, cov_c)


def bounds_many(
    queries: Sequence[NormName],
    names: Names,
    pair_query: np.ndarray,
    pair_name: np.ndarray,
    vocabulary: Vocabulary,
) -> np.ndarray:
    """`score_bound(queries[pair_query[p]], <name pair_name[p]>)` of every pair p, as an
    array. Every query and name must have tokens."""
    pq, pn = pair_query.astype(np.int64), pair_name.astype(np.int64)
    if not len(pq):
        return np.zeros(0)
    q = Names.of(queries, vocabulary, learn=False)
    bound = _align_bounds(q, names, pq, pn, skel=False)
    # Scripts that leave vowels out: consonant skeletons too.
    abjad = np.flatnonzero(q.abjad[pq] | names.abjad[pn])
    if len(abjad):
        skel = _align_bounds(q, names, pq[abjad], pn[abjad], skel=True) * SKELETON_FACTOR
        bound[abjad] = np.maximum(bound[abjad], skel)
    # Scripts without word breaks: the letters joined.
    loose = np.flatnonzero(q.loose[pq] | names.loose[pn])
    if len(loose):
        joined = _similarity(
            Indel.normalized_similarity, q.texts_joined[pq[loose]], names.texts_joined[pn[loose]]
        )
        bound[loose] = np.maximum(bound[loose], joined * JOINED_FACTOR)
    # Tokens split in other places ("Myongc Hin" / "Myong Chin"): the keys end to end.
    low = np.flatnonzero(bound < _LONG_ENOUGH)
    if len(low):
        joined = _similarity(
            Levenshtein.normalized_similarity,
            q.keys_joined[pq[low]],
            names.keys_joined[pn[low]],
        )
        bound[low] = np.where(
            joined >= _LONG_ENOUGH, np.maximum(bound[low], joined * SKELETON_FACTOR), bound[low]
        )
    return bound + _BOUND_SLACK
