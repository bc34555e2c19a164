"""The text's language (CLD2), and the page's declaration where the text cannot tell."""

from __future__ import annotations

import pytest

from newsingest.extraction.language import detect_language, identify

TEXTS = {
    "en": "The harbour board approved the new ferry terminal on Monday after a long public consultation.",
    "de": "Der Hafenrat hat am Montag nach einer langen öffentlichen Anhörung das neue Fährterminal genehmigt.",
    "fr": "Le conseil du port a approuvé lundi le nouveau terminal de ferry après une longue consultation publique.",
    "he": "מועצת הנמל אישרה ביום שני את מסוף המעבורות החדש לאחר התייעצות ציבורית ארוכה עם התושבים.",
    "ja": "港湾委員会は月曜日、長い公聴会の後、新しいフェリーターミナルの建設を承認しました。",
    "ko": "항만 위원회는 월요일 오랜 공청회 끝에 새로운 페리 터미널 건설을 승인했습니다.",
}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_each_language_is_told_from_its_text_in_current_codes(code):
    assert identify(TEXTS[code] * 3) == code  # Hebrew as "he", not CLD2's legacy "iw"


def test_a_long_text_outvotes_a_wrong_declaration_and_a_short_one_defers_to_it():
    assert detect_language(TEXTS["de"] * 3, "en-GB") == ("de", "text")
    assert detect_language("Kurz.", "de-AT") == ("de", "declared")


def test_bytes_cld2_refuses_fall_back_to_the_declaration_instead_of_raising():
    hostile = TEXTS["en"] * 3 + "\ud800" + "\x00\x01"
    assert identify(hostile) == "en"  # the bad characters are set aside, the text still speaks
    assert detect_language("\ud800" * 300, "fr") == ("fr", "declared")
