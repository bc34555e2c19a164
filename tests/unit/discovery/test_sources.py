import signal
import time
from contextlib import contextmanager

import pytest

from newsingest.discovery.filters import filter_candidates
from newsingest.discovery.model import Candidate
from newsingest.models import EntryHints
from newsingest.sources import MAX_YAML_NODES, load_sources, load_sources_file

GOOD = """\
sources:
  - id: good
    name: Good News
    homepage: https://good.example.com/
    feeds: [https://good.example.com/feed]
    sitemaps:
      - https://good.example.com/news-sitemap.xml
    include: ['/20\\d\\d/']
    crawl_delay: 2
"""

MANY_ERRORS = """\
sources:
  - id: good
    name: Good
    homepage: https://good.example.com/
  - id: Bad_ID
    name: Bad
    homepage: not a url
    feeds:
      - https://ok.example.com/feed
      - ftp://ftp.example.com/feed
    include: ['(']
    colour: red
  - id: good
    name: Again
    homepage: https://again.example.com/
  - id: envy
    name: Env
    homepage: ${STAGING_HOME}
    sitemaps: ['${MISSING}/sitemap.xml']
  - just a string
  - id: slow
    name: Slow
    homepage: ${STAGING_HOME}
    fetch_interval_minutes: 0
  - id: staging
    name: Staging
    homepage: ${STAGING_HOME}
  - name: No id
    homepage: https://noid.example.com/
extra: 1
"""


def test_a_good_file_loads():
    sources, problems = load_sources(GOOD)
    assert problems == []
    assert [s.id for s in sources] == ["good"]
    assert str(sources[0].feeds[0]) == "https://good.example.com/feed"
    assert sources[0].crawl_delay == 2


def test_every_problem_is_located_and_good_sources_still_load():
    sources, problems = load_sources(
        MANY_ERRORS, env={"STAGING_HOME": "https://staging.example.com/"}, allowed=["STAGING_HOME", "MISSING"]
    )
    assert [s.id for s in sources] == ["good", "staging"]
    assert str(sources[1].homepage) == "https://staging.example.com/"
    assert [p.location for p in problems] == [location for location, _ in EXPECTED]
    for problem, (_, words) in zip(problems, EXPECTED, strict=True):
        assert words in problem.message, problem


EXPECTED = [
    ("sources.yaml:30", "unknown top-level key 'extra'"),
    ("sources.yaml:5 sources[1] (id=Bad_ID) id", "should match pattern"),
    ("sources.yaml:7 sources[1] (id=Bad_ID) homepage", "valid URL"),
    ("sources.yaml:10 sources[1] (id=Bad_ID) feeds[1]", "'ftp://ftp.example.com/feed'"),
    ("sources.yaml:11 sources[1] (id=Bad_ID) include", "bad regular expression '('"),
    ("sources.yaml:12 sources[1] (id=Bad_ID) colour", "unknown field (check the spelling)"),
    ("sources.yaml:13 sources[2] (id=good)", "duplicate id 'good': first defined at sources.yaml:2"),
    ("sources.yaml:16 sources[3] (id=envy)", "unknown placeholder(s) MISSING: not in the environment"),
    ("sources.yaml:20 sources[4]", "a source must be a mapping of fields"),
    ("sources.yaml:24 sources[5] (id=slow) fetch_interval_minutes", "greater than or equal to 1"),
    ("sources.yaml:28 sources[7] id", "required field is missing"),
]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("sources: [\n  - id: x\n  name: y", "f.yaml:2", "not valid YAML"),
        ("- id: x\n", "f.yaml", "'sources:' list"),
        ("", "f.yaml", "'sources:' list"),
        ("sources: nope\n", "f.yaml", "'sources:' list"),
    ],
)
def test_broken_files_say_where_and_why(text, where, words):
    sources, problems = load_sources(text, origin="f.yaml")
    assert sources == []
    assert [p.location for p in problems] == [where]
    assert words in problems[0].message


def test_placeholders_cannot_inject_yaml():
    text = "sources:\n  - id: x\n    name: ${NAME}\n    homepage: https://x.example.com/\n"
    sources, problems = load_sources(text, env={"NAME": "evil\nenabled: false"}, allowed=["NAME"])
    assert problems == []
    assert sources[0].name == "evil\nenabled: false"
    assert sources[0].enabled


def test_load_sources_file(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    sources, problems = load_sources_file(path)
    assert [s.id for s in sources] == ["good"]
    assert problems == []
    missing = load_sources_file(tmp_path / "absent.yaml")
    assert missing[0] == []
    assert "cannot read" in missing[1][0].message


# --- hostile sources files ----------------------------------------------------------------------

CREDENTIALS = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "SITE_HOME": "https://site.example.com",
}


@contextmanager
def deadline(seconds: float):
    """Fail instead of hanging: without the guard under test these loads run for minutes."""

    def expire(_signum, _frame):
        raise TimeoutError(f"still loading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"])
def test_credentials_are_never_filled_in_even_when_listed(name):
    text = f"sources:\n  - id: x\n    name: X\n    homepage: https://evil.example.com/?k=${{{name}}}\n"
    for allowed in ([name], ["AWS_*"], ["*"]):
        sources, problems = load_sources(text, env=CREDENTIALS, allowed=allowed)
        assert sources == []
        assert name in problems[0].message and "not allowed" in problems[0].message
        assert CREDENTIALS[name] not in str(problems)


def test_only_placeholders_on_the_allow_list_are_filled():
    text = "sources:\n  - id: x\n    name: X\n    homepage: ${SITE_HOME}/\n"
    assert load_sources(text, env=CREDENTIALS)[0] == []  # no allow-list: nothing is filled
    from_env = {**CREDENTIALS, "SOURCE_PLACEHOLDERS": "OTHER, SITE_*"}
    sources, problems = load_sources(text, env=from_env)
    assert problems == []
    assert str(sources[0].homepage) == "https://site.example.com/"


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
) + "sources: [*i]\n"


def test_an_alias_bomb_is_refused_before_it_expands():
    assert len(BOMB) < 600  # 9**9 strings once expanded
    started = time.monotonic()
    with deadline(10):
        sources, problems = load_sources(BOMB)
    assert sources == []
    assert f"more than {MAX_YAML_NODES} YAML nodes" in problems[0].message
    assert time.monotonic() - started < 5


def test_small_anchors_still_load():
    text = (
        "sources:\n  - &base\n    id: a\n    name: A\n    homepage: https://a.example.com/\n"
        "    exclude: ['/live/']\n  - <<: *base\n    id: b\n"
    )
    sources, problems = load_sources(text)
    assert problems == []
    assert [(s.id, s.exclude) for s in sources] == [("a", ["/live/"]), ("b", ["/live/"])]


def test_deep_nesting_is_refused_not_a_crash():
    sources, problems = load_sources("sources: " + "[" * 5_000 + "]" * 5_000)
    assert sources == []
    assert "nested too deeply" in problems[0].message or "not valid YAML" in problems[0].message


def test_patterns_run_without_backtracking():
    """`(a+)+$` takes Python's re exponential time on 'aaaa...!'; RE2 is linear."""
    text = (
        "sources:\n  - id: x\n    name: X\n    homepage: https://x.example.com/\n"
        "    exclude: ['(a+)+$']\n"
    )
    (source,), problems = load_sources(text)
    assert problems == []
    hostile = Candidate("https://x.example.com/" + "a" * 5000 + "!", "feed", EntryHints())
    plain = Candidate("https://x.example.com/news/aaa", "feed", EntryHints())
    with deadline(10):
        kept, skipped = filter_candidates(source, [hostile, plain])
    assert [c.url for c in kept] == [hostile.url]  # '!' ends it: no match, kept
    assert [c.url for c, _reason, _detail in skipped] == [plain.url]


@pytest.mark.parametrize("pattern", [r"/(?=news)", r"(\w+)-\1", r"(?<!amp)/story"])
def test_patterns_re2_cannot_run_are_reported_with_why(pattern):
    text = f"sources:\n  - id: x\n    name: X\n    homepage: https://x.example.com/\n    include: ['{pattern}']\n"
    sources, problems = load_sources(text)
    assert sources == []
    assert "RE2" in problems[0].message and "lookahead" in problems[0].message


def test_python_end_anchor_means_the_same_under_re2():
    from newsingest.models.source import url_pattern

    assert url_pattern(r"\.html\Z").search("https://x.example.com/a.html")
    assert not url_pattern(r"\.html\Z").search("https://x.example.com/a.html?x=1")
    assert url_pattern(r"\\Z").search("a\\Z")  # an escaped backslash, then a literal Z
