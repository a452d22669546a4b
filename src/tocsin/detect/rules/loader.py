"""Read indicator packs from YAML files, strictly, into a :class:`RuleSet`.

Every problem is a :class:`~tocsin.errors.ConfigError` whose message names the pack file and,
where there is one, the indicator id and the field: a pack author must never have to guess.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tocsin.detect.rules.matcher import RuleSet
from tocsin.detect.rules.schema import (
    Group,
    GroupSpec,
    Indicator,
    IndicatorSpec,
    Pack,
    PackSpec,
    Pattern,
    PatternSpec,
    RegexSpec,
)
from tocsin.errors import ConfigError

__all__ = ["PACKS_DIR", "load_packs", "read_pack"]

#: The packs shipped with Tocsin.
PACKS_DIR = Path(__file__).parent / "packs"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate mapping keys (PyYAML keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_packs(paths: Iterable[Path] | None = None) -> RuleSet:
    """Load packs into one compiled :class:`RuleSet`; the bundled packs by default.

    ``paths`` may name pack files or folders (every ``*.yaml`` in them). Results are cached
    per set of paths: packs are data shipped with the code, not edited while Tocsin runs.
    """
    if paths is None:
        return _load((PACKS_DIR,))
    return _load(tuple(Path(p) for p in paths))


@functools.lru_cache(maxsize=8)
def _load(paths: tuple[Path, ...]) -> RuleSet:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"indicator pack {path} does not exist")
    if not files:
        raise ConfigError(f"no indicator packs found in {', '.join(map(str, paths))}")
    specs = [(f, read_pack(f)) for f in files]
    return _build(specs)


def read_pack(path: Path) -> PackSpec:
    """Parse and validate one pack file (no cross-pack checks)."""
    try:
        raw = yaml.load(
            path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader
        )  # a SafeLoader subclass
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read indicator pack: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: an indicator pack must be a mapping with id, version, ...")
    try:
        return PackSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, raw, exc), hint="see docs/indicators.md") from exc


def _describe(path: Path, raw: Mapping[str, Any], exc: ValidationError) -> str:
    """One line per problem: file, indicator id, field path, message."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = str(path)
        if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
            indicators = raw.get("indicators")
            ident: object = f"#{loc[1] + 1}"
            if isinstance(indicators, list) and loc[1] < len(indicators):
                entry = indicators[loc[1]]
                if isinstance(entry, dict) and "id" in entry:
                    ident = entry["id"]
            where += f": indicator {ident}"
            loc = loc[2:]
        elif len(loc) >= 2 and loc[0] == "terms":
            where += f": term {loc[1]}"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc)
        what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        what = what.removeprefix("Value error, ")
        lines.append(f"{where}: {field or '(top)'}: {what}" if field else f"{where}: {what}")
    return "; ".join(lines)


def _patterns(spec: Mapping[str, list[PatternSpec]]) -> tuple[Pattern, ...]:
    out = []
    for lang, entries in spec.items():
        for entry in entries:
            if isinstance(entry, RegexSpec):
                out.append(Pattern(lang, entry.regex, regex=True, keys=tuple(entry.keys)))
            else:
                out.append(Pattern(lang, entry))
    return tuple(out)


def _group_terms(group: GroupSpec) -> tuple[str, ...]:
    return (group.term,) if group.term is not None else tuple(group.terms or ())


def _indicator(pack: str, spec: IndicatorSpec) -> Indicator:
    groups = tuple(
        Group(_group_terms(g), ()) if g.patterns is None else Group((), _patterns(g.patterns))
        for g in spec.all_of or ()
    )
    return Indicator(
        id=spec.id,
        pack=pack,
        category=spec.category,
        title=spec.title,
        description=spec.description,
        weight=spec.weight,
        weight_note=spec.weight_note,
        kinds=None if spec.kinds is None else frozenset(spec.kinds),
        patterns=_patterns(spec.patterns or {}),
        terms=tuple(spec.terms or ()),
        all_of=groups,
        window=spec.window,
        examples_match=tuple(spec.examples.match),
        examples_no_match=tuple(spec.examples.no_match),
        sources=tuple(spec.sources),
    )


def _build(specs: list[tuple[Path, PackSpec]]) -> RuleSet:
    terms: dict[str, tuple[Pattern, ...]] = {}
    term_home: dict[str, Path] = {}
    seen_packs: dict[str, Path] = {}
    seen_ids: dict[str, Path] = {}
    packs = []
    for path, spec in specs:
        if spec.id in seen_packs:
            raise ConfigError(f"{path}: pack id {spec.id!r} is also used by {seen_packs[spec.id]}")
        seen_packs[spec.id] = path
        for name, term in spec.terms.items():
            if name in terms:
                raise ConfigError(f"{path}: term {name!r} is also defined in {term_home[name]}")
            terms[name] = _patterns(term.patterns)
            term_home[name] = path
        indicators = []
        for ind in spec.indicators:
            if ind.id in seen_ids:
                raise ConfigError(
                    f"{path}: indicator {ind.id}: id is also used in {seen_ids[ind.id]}"
                )
            seen_ids[ind.id] = path
            indicators.append(_indicator(spec.id, ind))
        packs.append(Pack(spec.id, spec.version, spec.description, str(path), tuple(indicators)))
    for path, spec in specs:
        for ind in spec.indicators:
            names = list(ind.terms or ()) + [n for g in ind.all_of or () for n in _group_terms(g)]
            for name in names:
                if name not in terms:
                    raise ConfigError(
                        f"{path}: indicator {ind.id}: unknown term {name!r}",
                        hint=f"known terms: {', '.join(sorted(terms))}",
                    )
    try:
        return RuleSet(tuple(packs), terms)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
