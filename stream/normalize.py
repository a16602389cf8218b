"""Text folding for matching: the same function folds posts and query terms, so they meet.

Two levels:

- ``fold`` (``lower`` plus one ``str.translate`` for non-ASCII text) maps case, accents and
  diacritics (Romanian ș/ş → s, Greek tonos, final sigma), compatibility forms (NFKC:
  full-width and "fancy" letters) and Persian/Arabic variants (ي → ی, ك → ک, no ZWNJ, no
  tatweel) character by character.
- ``normalize`` adds URLs and @handles removed, repeated letters collapsed ("dowwwn" → "down",
  so "good" → "god" too, consistently on both sides) and tokenisation into a space-joined
  string that ``in`` tests can match on word boundaries. Tokens never span whitespace, so the
  classifier folds and tokenises each distinct word once (``normalize_words``).
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-script spellings that Persian writers use interchangeably.
_VARIANTS = {
    "\u064a": "\u06cc",  # Arabic yeh ي → Farsi yeh ی
    "\u0649": "\u06cc",  # alef maksura ى → ی
    "\u0643": "\u06a9",  # Arabic kaf ك → keheh ک
    "\u0629": "\u0647",  # teh marbuta ة → heh ه
    "\u06c0": "\u0647",  # heh with yeh above ۀ → ه
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627",  # alef with hamza/madda → ا
    "\u0624": "\u0648",  # waw with hamza ؤ → و
    "\u0626": "\u06cc",  # yeh with hamza ئ → ی
    "\u061f": "?",  # Arabic question mark
    "\u037e": "?",  # Greek question mark (NFKC would make it ';')
    "\u2019": "", "\u2018": "", "\u02bc": "", "'": "",  # apostrophes: "can't" == "cant"
    "\u200c": "", "\u200d": "", "\u0640": "", "\u00ad": "",  # ZWNJ, ZWJ, tatweel, soft hyphen
    "\u200b": "", "\u2060": "", "\ufeff": "",  # zero-width spaces
}

# Ranges where folding changes something people actually type: Latin with diacritics, Greek,
# Cyrillic, Arabic, general punctuation, letter-like symbols, presentation and full-width
# forms, mathematical "fancy text" letters.
_RANGES = ((0x80, 0x3000), (0xFB00, 0xFFF0), (0x1D400, 0x1D800))


def _fold_char(char: str) -> str:
    if char in _VARIANTS:
        return _VARIANTS[char]
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char).casefold())
    out = "".join(_VARIANTS.get(c, c) for c in folded if not unicodedata.category(c).startswith("M"))
    return out


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for start, end in _RANGES:
        for code in range(start, end):
            char = chr(code)
            folded = _fold_char(char)
            if folded != char:
                table[code] = folded
    table[ord("'")] = ""
    return table


FOLD_TABLE = _build_table()

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
# Any repeated word character, digits included: cheaper than letters only, and harmless
# because query terms go through the same function ("500" and "50" both become "50").
# Matches a character the same one follows, to be deleted: the replacement is then a plain
# empty string, which ``sub`` applies in C (a ``\1`` template costs a Python call per match).
_REPEAT = re.compile(r"([\w?!])(?=\1)")
_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff"
_TOKEN = re.compile(rf"\w+|[?!;]|[{_EMOJI}]")


def fold(text: str) -> str:
    """Case, accents, compatibility forms and script variants folded; the cheap level."""
    low = text.lower()
    if low.isascii():
        return low.replace("'", "") if "'" in low else low
    return low.translate(FOLD_TABLE)


def collapse_repeats(word: str) -> str:
    """``dowwwn`` → ``down``: the repeat folding ``normalize`` applies."""
    return _REPEAT.sub("", word)


def tokens_folded(folded: str) -> list[str]:
    """``tokens`` for text that already went through ``fold``."""
    if "/" in folded or "www." in folded:
        folded = _URL.sub(" ", folded)
    if "@" in folded:
        folded = _HANDLE.sub(" ", folded)
    return _TOKEN.findall(_REPEAT.sub("", folded))


def tokens(text: str) -> list[str]:
    """Words (plus ``?``, ``!``, ``;`` and emojis) of ``text`` as matching sees them."""
    return tokens_folded(fold(text))


def normalize_folded(folded: str) -> str:
    """``normalize`` for text that already went through ``fold``."""
    return " " + " ".join(tokens_folded(folded)) + " "


_WORD_TEXT: dict[str, str] = {}  # a word as written → its tokens, space-joined
_MAX_WORDS = 200_000


def word_text(word: str) -> str:
    """A whitespace-free word's tokens, space-joined (``normalize`` without the outer spaces), remembered."""
    found = _WORD_TEXT.get(word)
    if found is None:
        if len(_WORD_TEXT) > _MAX_WORDS:
            _WORD_TEXT.clear()
        found = _WORD_TEXT[word] = " ".join(tokens_folded(fold(word)))
    return found


def normalize_words(words: list[str]) -> str:
    """``normalize(" ".join(words))`` for a text split on whitespace, remembered per word.

    Tokens never span whitespace, so a text's normal form is its words' joined; a stream's
    vocabulary is Zipfian, so this is mostly dictionary lookups instead of folding and
    tokenising every character again.
    """
    known = _WORD_TEXT
    try:
        parts = list(map(known.__getitem__, words))
    except KeyError:
        parts = [word_text(w) for w in words]
    return " " + " ".join(filter(None, parts)) + " "


def normalize(text: str) -> str:
    """`` tok tok tok `` with a space at both ends, so ``" word " in s`` is a whole-word test."""
    return normalize_folded(fold(text))
