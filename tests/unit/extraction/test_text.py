import pytest

from newsingest.extraction.text import clean_text, word_count


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("BIDEN&#8217;S AMERICA", "BIDEN’S AMERICA"),
        ("&amp;quot;Quoted&amp;quot;", '"Quoted"'),  # double-encoded
        ("Helikopter\xadlandeplatz", "Helikopterlandeplatz"),  # soft hyphen
        ("Fortschritt\u200b", "Fortschritt"),
        ("  two\n\tlines  ", "two lines"),
        ("AT&T wins", "AT&T wins"),
        (None, ""),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The council met on Monday.", 5),
        ("イスラエルとハマスの停戦", 12),  # Japanese: one word per character
        ("南海トラフ、一時調査", 9),
        ("장동혁, 한동훈 제명했지만", 3),  # Korean separates words with spaces
        ("Apple が発表 2024", 5),
        ("— … !", 3),  # as str.split() counts them
    ],
)
def test_word_count_per_script(text, words):
    assert word_count(text) == words


def test_every_format_character_is_dropped_and_nothing_else():
    import unicodedata

    from newsingest.extraction.text import _FORMAT

    for code in range(0x10000):
        char = chr(code)
        assert bool(_FORMAT.fullmatch(char)) == (unicodedata.category(char) == "Cf"), hex(code)
