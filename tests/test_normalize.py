"""Folding makes the spellings people actually type meet the terms in thresholds.yaml."""

from __future__ import annotations

from stream.normalize import fold, normalize, normalize_words, tokens


def test_romanian_cedilla_and_comma_forms_and_missing_diacritics_are_one_spelling() -> None:
    assert normalize("Ştiţi") == normalize("Știți") == normalize("stiti") == " stiti "


def test_greek_tonos_and_final_sigma_fold_away() -> None:
    assert normalize("ΈΠΕΣΕ το σάιτ") == normalize("επεσε το σαιτ")
    assert tokens("λογαριασμός") == tokens("λογαριασμοσ")


def test_persian_letter_variants_zwnj_and_tatweel() -> None:
    with_arabic_letters = "نمي‌تونم وارد بشم، كيفيت"
    persian_typed = "نمیتونم وارد بشم کیفیت"
    assert normalize(with_arabic_letters) == normalize(persian_typed)
    assert normalize("خیلـــی") == normalize("خیلی")


def test_repeated_letters_collapse_the_same_way_on_both_sides() -> None:
    assert tokens("site is dowwwwn!!!") == tokens("site is down!")
    assert tokens("افتضاحههههه") == tokens("افتضاحه")


def test_urls_and_handles_do_not_take_part_in_matching() -> None:
    assert normalize("@refund_bot read https://x.example/refund now") == " read now "


def test_compatibility_forms_and_apostrophes() -> None:
    assert normalize("𝐫𝐞𝐟𝐮𝐧𝐝 ＮＯＷ") == " refund now "
    assert normalize("can’t log in") == normalize("cant log in")


def test_questions_and_emojis_are_tokens_cues_can_use() -> None:
    assert tokens("is it down?? 😡") == ["is", "it", "down", "?", "😡"]


def test_fold_is_cheap_for_ascii_and_still_folds_other_text() -> None:
    assert fold("Refund NOW") == "refund now"
    assert fold("Plată dublă") == "plata dubla"


def test_a_text_normalised_word_by_word_is_the_text_normalised() -> None:
    for text in (
        "@NovaHelp siteee is dowwwn again https://t.co/x!!", "late,refund¨please",
        "a\u200bb caf\u00e9 \U0001d42d\U0001d41e\U0001d42c\U0001d42d",
        "ΠΑΚΈΤΟ ΔΕΝ ΉΡΘΕ ΑΚΌΜΗΣ;", "سفارشم\u200cهنوز نرسيده", "plată  dublă\tși\nîntârziere 😡😡 www.x.ro/a?b",
    ):
        assert normalize_words(text.split()) == normalize(text), text
