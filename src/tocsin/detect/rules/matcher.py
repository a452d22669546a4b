"""Match every indicator of a rule set against a text in one pass.

How it stays fast (the budget is well under a millisecond per 1 KB document):

1. The text is folded once (:func:`~tocsin.detect.rules.folding.fold`), keeping its length.
2. Every phrase of every pack, and every *key* of every regex, sits in one Aho-Corasick
   automaton (the Rust ``aho-corasick`` crate, through ``ahocorasick_rs``); one scan of the
   folded text finds them all. Each automaton entry knows which *slots* (an
   indicator's own patterns, a term, an ``all_of`` group) it feeds.
3. Regexes run only when one of their keys was seen, so almost never.
4. Only the indicators fed by a slot that got a hit are evaluated.

Word boundaries are checked after the automaton, on the edges of a phrase that are letters
of a spaced script (see :func:`~tocsin.detect.rules.folding.is_spaced_word_char`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import ahocorasick_rs

from tocsin.detect.rules.folding import fold, is_spaced_word_char
from tocsin.detect.rules.schema import Group, Indicator, Pack, Pattern
from tocsin.model.document import DocumentKind
from tocsin.model.verdict import Category, Evidence, Signal

__all__ = ["MAX_EVIDENCE", "Hit", "RuleSet"]

#: Evidence spans kept per hit; the first ones in the text are kept.
MAX_EVIDENCE = 8
#: Matches kept per slot when looking for a co-occurrence window (bounds the work on
#: pathological texts that repeat one phrase thousands of times).
_MAX_SLOT_HITS = 64

_Span = tuple[int, int, str]  # start, end, language


@dataclass(frozen=True, slots=True)
class Hit:
    """An indicator that fired, with the exact spans that made it fire."""

    indicator: Indicator
    evidence: tuple[Evidence, ...]
    language: str | None

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def category(self) -> Category:
        return self.indicator.category

    @property
    def weight(self) -> float:
        return self.indicator.weight

    def to_signal(self) -> Signal:
        """The hit as a :class:`Signal` (its ``contribution`` is left to the engine)."""
        ind = self.indicator
        return Signal(
            indicator=ind.id,
            category=ind.category,
            title=ind.title,
            explanation=ind.description,
            weight=ind.weight,
            evidence=self.evidence,
            language=self.language,
            sources=ind.source_labels,
        )


#: What one automaton key means: which edges need a word boundary (left, right), which slots
#: it feeds with the pattern's language, and which regexes it unlocks. A plain tuple, because
#: it is unpacked once per raw match on the hot path.
_Entry = tuple[bool, bool, tuple[tuple[int, str], ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class _Rule:
    """A compiled indicator: its direct slots and, for ``all_of``, one slot per group."""

    indicator: Indicator
    direct: tuple[int, ...]
    groups: tuple[int, ...]


class RuleSet:
    """A compiled set of indicator packs. Build it with :func:`load_packs`."""

    def __init__(self, packs: tuple[Pack, ...], terms: Mapping[str, tuple[Pattern, ...]]) -> None:
        self.packs = packs
        self.terms: Mapping[str, tuple[Pattern, ...]] = dict(terms)
        self.indicators: tuple[Indicator, ...] = tuple(i for p in packs for i in p.indicators)
        self._by_id = {i.id: i for i in self.indicators}
        self._slots: list[tuple[Pattern, ...]] = []
        self._term_slot: dict[str, int] = {}
        for name, patterns in self.terms.items():
            self._term_slot[name] = self._slot(patterns)
        rules = []
        for ind in self.indicators:
            direct = tuple(self._term_slot[t] for t in ind.terms)
            if ind.patterns:
                direct = (self._slot(ind.patterns), *direct)
            groups = tuple(self._group_slot(g) for g in ind.all_of)
            rules.append(_Rule(ind, direct, groups))
        self._rules = tuple(rules)
        feeds: list[list[int]] = [[] for _ in self._slots]
        for r, rule in enumerate(self._rules):
            for slot in {*rule.direct, *rule.groups}:
                feeds[slot].append(r)
        self._feeds = tuple(tuple(f) for f in feeds)
        self._regexes: list[tuple[re.Pattern[str], int, str]] = []
        self._entries: list[_Entry] = []
        self._automaton = self._compile()

    def _group_slot(self, group: Group) -> int:
        """One term's own slot; several terms (any may match) or inline patterns get a new one."""
        if len(group.names) == 1:
            return self._term_slot[group.names[0]]
        if group.names:
            return self._slot(tuple(p for name in group.names for p in self.terms[name]))
        return self._slot(group.patterns)

    def _slot(self, patterns: tuple[Pattern, ...]) -> int:
        self._slots.append(patterns)
        return len(self._slots) - 1

    def _compile(self) -> ahocorasick_rs.AhoCorasick:
        targets: dict[str, list[tuple[int, str]]] = {}
        unlocks: dict[str, list[int]] = {}
        for slot, patterns in enumerate(self._slots):
            for pat in patterns:
                if pat.regex:
                    self._regexes.append((re.compile(pat.text, re.IGNORECASE), slot, pat.language))
                    for key in pat.keys:
                        unlocks.setdefault(fold(key), []).append(len(self._regexes) - 1)
                else:
                    key = " ".join(fold(pat.text).split())
                    targets.setdefault(key, []).append((slot, pat.language))
        keys = sorted(targets.keys() | unlocks.keys())
        for key in keys:
            phrase = key in targets
            self._entries.append(
                (
                    phrase and is_spaced_word_char(key[0]),
                    phrase and is_spaced_word_char(key[-1]),
                    tuple(dict.fromkeys(targets.get(key, ()))),
                    tuple(dict.fromkeys(unlocks.get(key, ()))),
                )
            )
        return ahocorasick_rs.AhoCorasick(keys)

    # -- identity --------------------------------------------------------------------------

    @property
    def pack_versions(self) -> tuple[str, ...]:
        """``id@version`` of every pack, for the verdict."""
        return tuple(p.label for p in self.packs)

    @property
    def version(self) -> str:
        """A digest of every pack's id, version and content: changes whenever a pack does."""
        digest = hashlib.sha256()
        for pack in self.packs:
            digest.update(pack.label.encode())
            digest.update(repr(pack.indicators).encode())
        return digest.hexdigest()[:12]

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id (``KeyError`` if there is none)."""
        return self._by_id[indicator_id]

    def languages(self, indicator: Indicator) -> tuple[str, ...]:
        """Languages an indicator has patterns for, through its terms and groups too."""
        pats = list(indicator.patterns)
        for name in indicator.terms:
            pats.extend(self.terms[name])
        for group in indicator.all_of:
            pats.extend(group.patterns)
            for name in group.names:
                pats.extend(self.terms[name])
        return tuple(sorted({p.language for p in pats}))

    # -- matching --------------------------------------------------------------------------

    def match(
        self, text: str, *, kind: DocumentKind = DocumentKind.UNKNOWN, language: str | None = None
    ) -> list[Hit]:
        """Every indicator that fires on ``text``, in order of first evidence.

        Patterns of all languages are tried whatever ``language`` says (mixed-language texts
        are common); the hint only chooses which language a hit reports when several matched.
        Indicators restricted to some kinds are skipped for other kinds, but tried on
        ``UNKNOWN`` documents.
        """
        folded = fold(text)
        hits = self._scan(folded)
        if not hits:
            return []
        candidates: set[int] = set()
        for slot in hits:
            candidates.update(self._feeds[slot])
        out = []
        for r in candidates:
            rule = self._rules[r]
            if not rule.indicator.applies_to(kind):
                continue
            spans = self._fire(rule, hits)
            if spans:
                out.append(self._hit(rule.indicator, text, spans, language))
        out.sort(key=lambda h: (h.evidence[0].start, h.indicator.id))
        return out

    def terms_found(self, text: str) -> frozenset[str]:
        """The names of the shared terms (``job_offer``, ``salary``...) that occur in ``text``."""
        hits = self._scan(fold(text))
        return frozenset(name for name, slot in self._term_slot.items() if slot in hits)

    def _scan(self, folded: str) -> dict[int, list[_Span]]:
        hits: dict[int, list[_Span]] = {}
        size = len(folded)
        regexes: set[int] = set()
        entries = self._entries
        for index, start, end in self._automaton.find_matches_as_indexes(folded, overlapping=True):
            left, right, targets, unlocked = entries[index]
            if unlocked:
                regexes.update(unlocked)
            if not targets:
                continue
            if left and start > 0 and is_spaced_word_char(folded[start - 1]):
                continue
            if right and end < size and is_spaced_word_char(folded[end]):
                continue
            for slot, lang in targets:
                if slot in hits:
                    hits[slot].append((start, end, lang))
                else:
                    hits[slot] = [(start, end, lang)]
        for r in regexes:
            compiled, slot, lang = self._regexes[r]
            for m in compiled.finditer(folded):
                if m.end() > m.start():
                    hits.setdefault(slot, []).append((m.start(), m.end(), lang))
        return hits

    @staticmethod
    def _fire(rule: _Rule, hits: Mapping[int, list[_Span]]) -> list[_Span]:
        spans = [s for slot in rule.direct for s in hits.get(slot, ())]
        if rule.groups:
            window = rule.indicator.window or 0
            lists = [hits.get(slot) for slot in rule.groups]
            if all(lists):
                spans.extend(_best_window([sorted(x)[:_MAX_SLOT_HITS] for x in lists if x], window))
        return spans

    @staticmethod
    def _hit(ind: Indicator, text: str, spans: list[_Span], hint: str | None) -> Hit:
        spans.sort(key=lambda s: (s[0], -s[1]))
        kept: list[_Span] = []
        for span in spans:
            if kept and span[1] <= kept[-1][1] and span[0] >= kept[-1][0]:
                continue  # inside the previous span: nothing new to show
            kept.append(span)
            if len(kept) == MAX_EVIDENCE:
                break
        language = kept[0][2]
        if hint is not None:
            base = hint.lower().split("-")[0]
            for _, _, lang in kept:
                if lang == hint or lang.split("-")[0] == base:
                    language = lang
                    break
        evidence = tuple(Evidence(s, e, text[s:e]) for s, e, _ in kept)
        return Hit(ind, evidence, None if language == "und" else language)


def _best_window(lists: list[list[_Span]], window: int) -> list[_Span]:
    """One span from each list, all inside the narrowest stretch of text, if that stretch
    is at most ``window`` characters long; otherwise nothing.

    For each candidate left edge ``s0`` (any span's start), each list contributes its span
    starting at or after ``s0`` that ends first; the narrowest such choice is optimal.
    """
    best: list[_Span] = []
    best_width = window + 1
    for s0 in sorted({s[0] for spans in lists for s in spans}):
        chosen = []
        for spans in lists:
            after = [s for s in spans if s[0] >= s0]
            if not after:
                return best
            chosen.append(min(after, key=lambda s: s[1]))
        width = max(s[1] for s in chosen) - s0
        if width < best_width:
            best, best_width = chosen, width
    return best
