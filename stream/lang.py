"""Cheap language identification, good enough for the wall's language mix.

The mention's own ``lang`` wins when it is given (``normalize_lang``); otherwise the script
decides (Greek → el, Persian letters → fa, ...) and Latin-script text is settled by counting
common function words and chat spellings. No model, a few microseconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

UNDETERMINED = "und"

# Old or three-letter codes that real feeds still send (Twitter used "in" for Indonesian).
_ALIASES = {
    "in": "id", "ind": "id", "iw": "he", "ji": "yi", "eng": "en", "spa": "es", "ron": "ro", "rum": "ro",
    "mo": "ro", "ell": "el", "gre": "el", "fas": "fa", "per": "fa", "pes": "fa", "prs": "fa", "por": "pt",
    "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "ita": "it",
}
# Codes that mean "nobody knows" (Twitter: und, qme media only, qht hashtags only, zxx no text).
_UNKNOWN = {"", "und", "qme", "qht", "qam", "qct", "zxx", "mul", "xx"}

_NON_LATIN = re.compile(
    "[\u0370-\u03ff\u1f00-\u1fff\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff\u0400-\u04ff"
    "\u0590-\u05ff\u0e00-\u0e7f\u0900-\u097f\uac00-\ud7af\u1100-\u11ff\u3040-\u30ff\u4e00-\u9fff]"
)
_SCRIPTS = re.compile(
    r"([\u0370-\u03ff\u1f00-\u1fff])"  # 1 Greek
    r"|([\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff])"  # 2 Arabic script
    r"|([\u0400-\u04ff])"  # 3 Cyrillic
    r"|([\u0590-\u05ff])"  # 4 Hebrew
    r"|([\u0e00-\u0e7f])"  # 5 Thai
    r"|([\u0900-\u097f])"  # 6 Devanagari
    r"|([\uac00-\ud7af\u1100-\u11ff])"  # 7 Hangul
    r"|([\u3040-\u30ff])"  # 8 Kana
    r"|([\u4e00-\u9fff])"  # 9 Han
)
_SCRIPT_LANG = {1: "el", 3: "ru", 4: "he", 5: "th", 6: "hi", 7: "ko", 8: "ja", 9: "zh"}
# Letters Persian has and Arabic does not (پ چ ژ گ, Farsi yeh and keheh before folding); Arabic
# marks itself with teh marbuta and the article al-. Persian typed on an Arabic keyboard has
# neither, so the ambiguous case is Persian.
_PERSIAN = re.compile(r"[\u067e\u0686\u0698\u06af\u06cc\u06a9]")
_ARABIC = re.compile(r"\u0629|(?<!\w)\u0627\u0644\w")

_STOPWORDS = {
    "en": "the is and to i my it of you for this that was have on with your just cant dont im what are be at "
          "again still after why how who all but they we get got been will its when from an or if so out now "
          "any anyone thanks please amazing love guys as up very happy can someone some days day good new best "
          "did has had in me no",
    "es": "el que los las es por con para una pero muy esta hace desde otra vez ya del lo se nada mas como "
          "cuando porque todo estoy tengo hoy sin sus al le les su gracias q xq pq nadie siempre la no me de y "
          "en te mi tu sola solo hay si feliz alguien",
    "ro": "nu si sa ca cu pe iar inca este sunt mai din ce care acum deloc doar tot fost nici foarte am ati "
          "voi pentru dupa sau il o un mi ma asta azi nimeni mersi multumesc fara cand unde cum deja la de se "
          "in e ne te al cat ani zile ora",
    "id": "gak ga nggak ngga udah yg aja banget sih dong kok dan yang di ke dari ini itu saya aku gue gw "
          "tidak belum sudah juga ada bisa buat sama lagi kenapa tolong mau kalo kalau apa min kak terus "
          "jam hari masih tapi mana kemana sampe pake baru nya kena cuma biar mulai setelah tahun karena kata "
          "wkwk wkwkwk selamat",
    # Greek typed in Latin letters ("Greeklish"): its function words, in the common spellings.
    "el": "kai einai den tou tis mou sou gia apo sto stin stis stous tha pou pws pos poli polu re ena "
          "exei exw exo alla oute pali akoma mas sas auto afto giati twra tora kanei kanw kano egw oxi nai "
          "ti prin mera meres simera xthes xtes kati tipota kaneis mporw mporo mpainei mpainw",
    "pt": "nao voce esta muito obrigado com uma isso meu minha em os um ele ela mas foi estou tem",
    "fr": "le les et je pas une des pour avec mon ce qui ne du au est sur vous nous tres merci",
    "de": "der die das und ist nicht ich mit ein eine zu auf mein kein schon sie wir bitte danke",
    "it": "il che non di per sono mio questo ma ho gli della anche ancora grazie molto",
}
_VOTES: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in _words.split():
        _VOTES[_word] = (*_VOTES.get(_word, ()), _lang)
_LATIN_WORD = re.compile("[a-z]+")
# Words so frequent that a prefilter keyed on them would let most posts through.
COMMON_WORDS = frozenset(_VOTES)


def normalize_lang(code: str | None) -> str | None:
    """``'en-US'`` → ``'en'``, ``'in'`` → ``'id'``; ``None`` when the code says nothing."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    if base in _UNKNOWN:
        return None
    return _ALIASES.get(base, base)


def word_votes(word: str) -> tuple[str, ...]:
    """The languages ``word`` (as written, punctuation and all) is a common word of, once per token."""
    low = word.lower().replace("'", "")
    if not low.isascii():  # the votes are ASCII words: fancy letters and accents decomposed, the rest dropped
        low = unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()
    return tuple(lang for token in _LATIN_WORD.findall(low) for lang in _VOTES.get(token, ()))


def detect_lang(
    text: str, votes: Callable[[str], tuple[str, ...]] = word_votes, words: list[str] | None = None
) -> str:
    """An ISO 639-1 code, or ``'und'`` when there is nothing to go on.

    ``votes`` is ``word_votes``, or the same remembered per word by a caller that sees many
    posts; ``words`` is ``text.split()`` when the caller has it already.
    """
    if not text.isascii() and _NON_LATIN.search(text) is not None:
        match = _SCRIPTS.search(text)
        if match is not None:
            group = match.lastindex or 0
            if group == 2:
                if _PERSIAN.search(text) or len(_ARABIC.findall(text)) < 2:
                    return "fa"
                return "ar"
            return _SCRIPT_LANG[group]
    scores: dict[str, int] = {}
    for langs in filter(None, map(votes, (text.split() if words is None else words)[:30])):
        for lang in langs:
            scores[lang] = scores.get(lang, 0) + 1
    if not scores:
        return UNDETERMINED
    return max(scores, key=scores.__getitem__)
