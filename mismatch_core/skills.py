"""Skill vocabulary: canonical skill names, their aliases, and phrase matching in text.

An alias is matched on its key: the tokens of its normalized text, with Russian words
reduced to their Snowball stems so that inflected forms (``анализа данных``) match the
alias (``анализ данных``). English tokens stay as written, so ``go`` never matches
``going``. Matching in free text is greedy and longest-first, so ``machine learning
engineer`` yields ``machine learning`` and not ``machine``.

The shipped vocabulary lives in ``resources/skills.tsv`` with the columns ``name``,
``category`` and ``aliases`` (separated by ``|``). An alias written as ``=alias`` only
matches a declared skill list, never free text: that is how short or ambiguous names
such as ``R`` or ``Go`` are kept from matching ordinary words.
"""

from __future__ import annotations

import csv
import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mismatch_core.text import _has_cyrillic, normalize_text, stem_russian, tokenize

logger = logging.getLogger(__name__)

SkillKey = tuple[str, ...]


@functools.lru_cache(maxsize=200_000)
def _key_token(token: str) -> str:
    if token.isalpha() and _has_cyrillic(token):
        return stem_russian(token)
    return token


def skill_key(text: str) -> SkillKey:
    """Return the matching key of a skill name or alias."""
    return tuple(_key_token(token) for token in tokenize(text))


@dataclass(frozen=True, slots=True)
class Skill:
    """A canonical skill with the aliases that name it."""

    name: str
    category: str
    aliases: tuple[str, ...] = ()
    source: str = "mismatch"


@dataclass
class SkillVocabulary:
    """Maps skill names and aliases to canonical skills and finds skills in text."""

    skills: dict[str, Skill] = field(default_factory=dict)
    _declared: dict[SkillKey, str] = field(default_factory=dict, repr=False)
    _in_text: dict[SkillKey, str] = field(default_factory=dict, repr=False)
    # First token of each in-text key -> the key lengths that start with it, longest first.
    _lengths: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tsv(cls, path: str | Path) -> SkillVocabulary:
        """Load a vocabulary file with the columns ``name``, ``category`` and ``aliases``."""
        vocabulary = cls()
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            missing = {"name", "category", "aliases"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(
                    f"{path}: header is missing the columns {sorted(missing)}; "
                    "expected name<TAB>category<TAB>aliases"
                )
            for row in reader:
                name = (row["name"] or "").strip()
                if not name:
                    raise ValueError(f"{path}, line {reader.line_num}: field 'name' is empty")
                aliases = [a.strip() for a in (row["aliases"] or "").split("|") if a.strip()]
                vocabulary.add(name, row["category"] or "other", aliases)
        return vocabulary

    @classmethod
    def default(cls) -> SkillVocabulary:
        """Return a fresh copy of the vocabulary shipped with the package."""
        return _shipped_vocabulary().copy()

    def copy(self) -> SkillVocabulary:
        """Return an independent copy that can be extended without touching this one."""
        return SkillVocabulary(
            dict(self.skills), dict(self._declared), dict(self._in_text), dict(self._lengths)
        )

    def add(
        self,
        name: str,
        category: str = "other",
        aliases: Iterable[str] = (),
        source: str = "mismatch",
    ) -> bool:
        """Add a skill and its aliases; return False if its name already names a skill.

        Keys that already belong to another skill keep their first owner.
        """
        key = skill_key(name)
        if not key:
            raise ValueError(f"skill name {name!r} has no letters or digits to match on")
        if key in self._declared:
            return False

        skill = Skill(name=name, category=category, aliases=tuple(aliases), source=source)
        self.skills[name] = skill
        self._register(key, name, in_text=True)
        for alias in skill.aliases:
            declared_only = alias.startswith("=")
            alias_key = skill_key(alias.lstrip("="))
            if not alias_key:
                raise ValueError(f"alias {alias!r} of skill {name!r} has no letters or digits")
            self._register(alias_key, name, in_text=not declared_only)
        return True

    def _register(self, key: SkillKey, name: str, *, in_text: bool) -> None:
        owner = self._declared.setdefault(key, name)
        if owner != name:
            logger.debug("skill key %r already names %r; not adding it to %r", key, owner, name)
            return
        if in_text:
            self._in_text[key] = name
            known = self._lengths.get(key[0], ())
            if len(key) not in known:
                self._lengths[key[0]] = tuple(sorted((*known, len(key)), reverse=True))

    def extend(self, labels: Iterable[str], category: str, source: str) -> int:
        """Add every label not already known as a skill of its own; return how many were added."""
        added = 0
        for label in labels:
            label = label.strip()
            if label and skill_key(label) and self.add(label, category, (), source):
                added += 1
        logger.info("added %d skills from %s", added, source)
        return added

    def __len__(self) -> int:
        return len(self.skills)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.canonical(name) is not None

    def canonical(self, name: str) -> str | None:
        """Return the canonical name for a skill name or alias, or None if it is unknown."""
        return self._declared.get(skill_key(name))

    def canonicalize(self, names: Iterable[str]) -> tuple[str, ...]:
        """Map declared skill names to canonical names, without duplicates, in first-seen order.

        An unknown name is kept as its own skill, in normalized form, so that the
        postings' own tags still count.
        """
        seen: dict[str, None] = {}
        for name in names:
            canonical = self.canonical(name)
            if canonical is None:
                canonical = normalize_text(name)
            if canonical:
                seen.setdefault(canonical, None)
        return tuple(seen)

    def extract(self, text: str) -> tuple[str, ...]:
        """Find skills named in free text, longest phrase first, without duplicates."""
        keys = [_key_token(token) for token in tokenize(text)]
        found: dict[str, None] = {}
        position = 0
        while position < len(keys):
            step = 1
            for length in self._lengths.get(keys[position], ()):
                name = self._in_text.get(tuple(keys[position : position + length]))
                if name is not None:
                    found.setdefault(name, None)
                    step = length
                    break
            position += step
        return tuple(found)

    def skills_of(self, declared: Sequence[str], *texts: str) -> tuple[str, ...]:
        """Return the canonical skills declared in a list plus those found in the texts."""
        combined = dict.fromkeys(self.canonicalize(declared))
        for text in texts:
            combined.update(dict.fromkeys(self.extract(text)))
        return tuple(combined)


@functools.lru_cache(maxsize=1)
def _shipped_vocabulary() -> SkillVocabulary:
    path = resources.files("mismatch_core") / "resources" / "skills.tsv"
    with resources.as_file(path) as real_path:
        return SkillVocabulary.from_tsv(real_path)
