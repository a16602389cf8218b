"""Where the dissatisfaction came from: words and phrases far commoner in the incident than around it.

Counting plain frequency would crown "app" and "the"; comparing the share of incident complaints
that use a term with its share in the background (the same stream outside the incident) picks
the words that set this episode apart. Texts are redacted before they are tokenised, so a
handle or an e-mail address can never become a "term".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from reports.model import Term
from stream.privacy import redact

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

_STOPWORD_TEXT = """
    the and for are but not you your yours all any can had her was one our out has have him his how
    its may new now old see two who did get got let put say she too use this that with from they them
    then than what when where which will would there their been were into just like very only also
    still again since about after before some more most much such even every because while here why
    cant dont wont isnt doesnt didnt im ive its thats whats yall really today morning hours hour
    que los las una uno por con para del como pero mas esta este eso esa son hay muy sin desde otra
    otro todo toda nada hace ya me mi mis le les lo al se su sus
    sau din care pentru este sunt mai nici cum asa iar acum inca deloc doar dar sau fost fiind
    και για που από στο στη στον την τον της του των μια ένα ενα δεν μας σας ειναι είναι εδώ εδω
    πάλι παλι ότι οτι
    yang dan dari untuk dengan ini itu ada tidak gak nggak udah sudah lagi juga bisa sama aja
    kok dong deh sih tadi terus
    از به با در که این آن را هم برای یک تا شده میشه نمی هست است بود
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@lru_cache(maxsize=1)
def _redaction_words() -> frozenset[str]:
    """The placeholder words ``redact`` puts in place of handles, e-mails and numbers."""
    sample = redact("@somebody wrote to someone@example.com or +40 721 555 019")
    return frozenset(w.casefold() for w in _WORD.findall(sample)) - {"wrote", "or"}


def tokens(text: str) -> list[str]:
    skip = STOPWORDS | _redaction_words()
    return [w for w in (m.casefold() for m in _WORD.findall(text)) if w not in skip]


def _grams(text: str) -> set[str]:
    words = tokens(text)
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a != b}


def distinctive_terms(
    incident_texts: Iterable[str], background_texts: Iterable[str], top: int = 15, min_count: int = 3,
) -> list[Term]:
    """Words and two-word phrases ranked by how much more the incident used them (redacted input)."""
    fg = [_grams(redact(t)) for t in incident_texts]
    bg = [_grams(redact(t)) for t in background_texts]
    if not fg:
        return []
    fg_df = Counter(g for doc in fg for g in doc)
    bg_df = Counter(g for doc in bg for g in doc)
    n_fg, n_bg = len(fg), len(bg)
    floor = min(min_count, max(1, n_fg // 10))
    scored: list[tuple[float, Term]] = []
    for gram, count in fg_df.items():
        if count < floor:
            continue
        share = count / n_fg
        bg_share = (bg_df.get(gram, 0) + 0.5) / (n_bg + 1)
        lift = share / bg_share
        if lift <= 1.5:
            continue
        score = share * math.log2(lift)
        scored.append((score, Term(gram, count, round(share, 4), round(bg_df.get(gram, 0) / max(n_bg, 1), 4),
                                   round(lift, 2))))
    scored.sort(key=lambda s: (-s[0], s[1].term))
    chosen: list[Term] = []
    for _, term in scored:
        # a word adds nothing next to a phrase that carries it just as often
        if " " not in term.term and any(
            term.term in c.term.split() and c.complaints >= 0.9 * term.complaints for c in chosen
        ):
            continue
        chosen.append(term)
        if len(chosen) >= top:
            break
    return chosen
