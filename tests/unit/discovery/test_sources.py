import pytest

from newsingest.sources import load_sources, load_sources_file

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
    sources, problems = load_sources(MANY_ERRORS, env={"STAGING_HOME": "https://staging.example.com/"})
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
    sources, problems = load_sources(text, env={"NAME": "evil\nenabled: false"})
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
