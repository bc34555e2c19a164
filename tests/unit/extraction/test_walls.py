from lxml.html import document_fromstring

from newsingest.extraction.walls import detect_wall

LONG = " ".join(["The harbour authority approved a new terminal for island ferries."] * 30)


def _tree(body: str = "<p>x</p>"):
    return document_fromstring(f"<html><body>{body}</body></html>")


def test_ordinary_article_has_no_wall():
    assert detect_wall(_tree(), LONG, None) is None


def test_declared_paywall_on_a_full_body():
    flag = detect_wall(_tree(), LONG, False)
    assert flag.kind == "paywall"
    assert "isAccessibleForFree=false" in flag.reason


def test_paywall_class_marker():
    flag = detect_wall(_tree('<div class="article-body paywall-gate"><p>x</p></div>'), LONG, None)
    assert (flag.kind, "paywall" in flag.reason) == ("paywall", True)


def test_short_body_behind_a_paywall_is_a_teaser():
    flag = detect_wall(_tree(), "Three developers have bid for the mill.", False)
    assert flag.kind == "teaser"


def test_short_body_ending_in_a_subscribe_prompt_is_a_teaser():
    flag = detect_wall(_tree(), "Three developers have bid for the mill. Subscribe to continue reading.", None)
    assert flag.kind == "teaser"
    assert "continue reading" in flag.reason.lower()


def test_long_body_mentioning_subscribers_is_not_a_teaser():
    assert detect_wall(_tree(), LONG + " Subscribers only get the print edition.", None) is None


def test_consent_overlay_with_short_text():
    tree = _tree('<div id="sp_message_container_99"><p>Before you continue</p></div>')
    flag = detect_wall(tree, "Before you continue", None)
    assert flag.kind == "consent_wall"
    assert "sp_message_container" in flag.reason


def test_consent_text_as_the_body():
    flag = detect_wall(_tree(), "We use cookies to personalise content. Accept all cookies.", None)
    assert flag.kind == "consent_wall"


def test_consent_banner_beside_a_full_article_is_not_a_wall():
    assert detect_wall(_tree('<div class="qc-cmp-ui"><p>cookies</p></div>'), LONG, None) is None


def test_declared_access_from_jsonld_and_markup():
    from newsingest.extraction.walls import declared_access
    from newsingest.models.records import Access

    assert declared_access(_tree(), True) is Access.FREE
    assert declared_access(_tree(), False) is Access.PAID
    assert declared_access(_tree('<div class="metered-wall"><p>x</p></div>'), False) is Access.METERED
    assert declared_access(_tree('<div class="paywall"><p>x</p></div>'), None) is Access.PAID
    assert declared_access(_tree(), None) is Access.UNKNOWN


def test_a_full_body_on_a_paid_page_is_complete():
    from newsingest.extraction.walls import is_complete

    wall = detect_wall(_tree(), LONG, False)
    assert wall.kind == "paywall"
    assert is_complete(LONG, wall, None) == (True, None)


def test_evidence_that_the_text_is_cut():
    from newsingest.extraction.walls import is_complete

    teaser = detect_wall(_tree(), "Three developers have bid for the mill.", False)
    assert is_complete("Three developers have bid for the mill.", teaser, None)[0] is False
    prompt = LONG + "\nSubscribe now to continue reading."
    assert "truncation prompt" in is_complete(prompt, None, None)[1]
    complete, evidence = is_complete(LONG, None, 900)  # 300 words of 900 declared
    assert (complete, evidence) == (False, "300 words of 900 declared")
    assert is_complete(LONG, None, 320) == (True, None)  # about what was declared


def test_a_declared_count_of_characters_is_no_evidence():
    from newsingest.extraction.walls import is_complete

    assert is_complete(LONG, None, len(LONG)) == (True, None)
