"""Text normalization and tokenization for Russian, English and mixed text.

``normalize_text`` applies Unicode NFKC, casefolding, ``ё``→``е`` and folds dash, hyphen
and quote variants. ``tokenize`` splits normalized text into tokens that keep the
suffixes of ``c++``/``c#`` and a leading dot (``.net``). ``term`` maps a token to the
form used for text similarity: Snowball stems for Russian and English words.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

# Dashes, minus signs and non-breaking hyphens all become an ASCII hyphen-minus.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_QUOTES = "\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a"
_TRANSLATION = {ord(ch): "-" for ch in _DASHES}
_TRANSLATION.update({ord(ch): '"' for ch in _QUOTES})
_TRANSLATION[ord("ё")] = "е"
_TRANSLATION[0x00AD] = None  # soft hyphen
_TRANSLATION[0x200B] = None  # zero-width space

_TOKEN_RE = re.compile(r"\.?\w+(?:\+\+|#)?")
_SPACE_RE = re.compile(r"\s+")

# Cyrillic letters that look like Latin ones. A token that mixes the two scripts is
# almost always a typo such as "Pythоn" with a Cyrillic "о", so the Cyrillic look-alikes
# are folded to Latin in such tokens only.
_CYRILLIC_TO_LATIN = str.maketrans("аесорхукмтнвіј", "aecopxykmthbij")

_STOP_WORDS = frozenset(
    """
    a an and are as at be been but by for from has have in into is it its of on or our
    that the their this to was we were will with you your i me my he she they them us
    etc also other such more most any all can may per via within over under about
    и в во на с со по к ко о об от до из за для что как это или а но же бы ли не ни
    мы вы вас нас наш ваш наша наши ваши их его ее он она они при под над без также
    у так то уже если чтобы где когда который которая которые которых есть быть
    """.split()
)

# Snowball stemmer objects keep state between calls and are not thread-safe, so each
# thread gets its own pair.
_stemmers = threading.local()


def _stemmer(language: str):
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, stemmer)
    return stemmer


def stem_russian(word: str) -> str:
    """Return the Snowball stem of a Russian word, safely from any thread."""
    return _stemmer("russian").stemWord(word)


def normalize_text(text: str) -> str:
    """Return ``text`` in NFKC, casefolded, with ``ё``→``е`` and dash and quote variants folded."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATION)
    return _SPACE_RE.sub(" ", folded).strip()


_LATIN_RE = re.compile(r"[a-z]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")


def _has_latin(token: str) -> bool:
    return _LATIN_RE.search(token) is not None


def _has_cyrillic(token: str) -> bool:
    return _CYRILLIC_RE.search(token) is not None


@functools.lru_cache(maxsize=200_000)
def _fold_mixed_script(token: str) -> str:
    if _has_latin(token) and _has_cyrillic(token):
        return token.translate(_CYRILLIC_TO_LATIN)
    return token


def tokenize(text: str) -> list[str]:
    """Split ``text`` into normalized tokens, e.g. ``"C++ и Node.js"`` → ``["c++", "и", "node", ".js"]``."""
    return [_fold_mixed_script(token) for token in _TOKEN_RE.findall(normalize_text(text))]


@functools.lru_cache(maxsize=200_000)
def term(token: str) -> str:
    """Return the similarity term for one token: its Snowball stem, or the token itself."""
    if not token.isalpha():
        return token
    if _has_cyrillic(token):
        return stem_russian(token)
    if len(token) > 3:
        return _stemmer("english").stemWord(token)
    return token


def is_informative(token: str) -> bool:
    """Tell whether a token can carry meaning for text similarity."""
    if token in _STOP_WORDS or token.isdigit():
        return False
    return len(token) >= 2


def terms(text: str) -> list[str]:
    """Tokenize ``text`` and return the similarity terms of its informative tokens, in order."""
    return [term(token) for token in tokenize(text) if is_informative(token)]
