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
