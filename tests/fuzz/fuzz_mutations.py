"""Seeded mutations of our own fixtures, the way broken sites and attackers break documents.

Each mutation takes bytes and a random.Random and returns bytes; `mutate` applies one to
three of them. Everything is derived from the seed, so a failure names the seed and index
that reproduce it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

Mutation = Callable[[bytes, random.Random], bytes]

BAD_REFERENCES = (
    b"&#x110000;", b"&#1114112;", b"&#xD800;", b"&#55296;", b"&#0;", b"&#x0;", b"&#99999999999999999999;",
    b"&#x;", b"&#;", b"&#xFFFE;", b"&#xDFFF;&#xD83D;", b"&#-1;",
)  # fmt: skip
ENTITY_SOUP = (
    b"&amp;", b"&lt;", b"&gt;", b"&bogus;", b"&", b"&&;", b"&nbsp", b"&#", b"&#x", b"&amp;amp;lt;",
    b"&lt;![CDATA[", b"]]&gt;", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<!ENTITY x 'y'>", b"&x;",
)  # fmt: skip
LONE_SURROGATES = ("\ud800", "\udfff", "\udc80x", "\ud83d")
DECLARED = (b"utf-8", b"UTF-16", b"iso-8859-1", b"windows-1252", b"shift_jis", b"bogus-enc", b"utf-32", b"")


def fixtures() -> list[tuple[str, bytes]]:
    """(kind, bytes) for every document we wrote ourselves: discovery fixtures, pages, sample sites."""
    found: list[tuple[str, bytes]] = []
    for path in sorted((ROOT / "tests/unit/discovery/fixtures").iterdir()):
        found.append(("document", path.read_bytes()))
    for path in sorted((ROOT / "tests/fixtures/pages").glob("*.html")):
        found.append(("page", path.read_bytes()))
    for path in sorted((ROOT / "sample_sites").rglob("*")):
        if not path.is_file() or path.name.startswith("_") or path.suffix in {".json", ".md"}:
            continue
        if path.name == "robots.txt":
            kind = "robots"
        elif path.name == "sources.yaml":
            kind = "sources"
        elif path.suffix in {".html", ""} and b"<article" in path.read_bytes():
            kind = "page"
        else:
            kind = "document"
        found.append((kind, path.read_bytes()))
    return found


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def insert(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = _near_markup(data, rng)
    return data[:at] + piece + data[at:]


def _near_markup(data: bytes, rng: random.Random) -> int:
    """Usually just inside an element's text or a URL, where parsers actually read; else anywhere."""
    if data and rng.random() < 0.7:
        marks = [i + 1 for i in range(len(data)) if data[i : i + 1] in (b">", b'"', b"/")]
        if marks:
            return rng.choice(marks)
    return rng.randrange(len(data) + 1)


def bad_reference(data: bytes, rng: random.Random) -> bytes:
    return insert(data, rng, rng.choice(BAD_REFERENCES))


def entity_soup(data: bytes, rng: random.Random) -> bytes:
    soup = b"".join(rng.choice(ENTITY_SOUP) for _ in range(rng.randrange(1, 40)))
    return insert(data, rng, soup)


def lone_surrogate(data: bytes, rng: random.Random) -> bytes:
    piece = rng.choice(LONE_SURROGATES).encode("utf-8", "surrogatepass")
    return insert(data, rng, piece)


def invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    return insert(data, rng, rng.choice([b"\xff\xfe", b"\xc3", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"]))


def encoding_lie(data: bytes, rng: random.Random) -> bytes:
    """Declare one encoding and deliver another (or a BOM that contradicts the declaration)."""
    choice = rng.randrange(4)
    if choice == 0:
        for marker in (b'encoding="', b"charset=", b'charset="'):
            at = data.find(marker)
            if at >= 0:
                start = at + len(marker)
                end = start
                while end < len(data) and data[end : end + 1] not in b'"\'; >':
                    end += 1
                return data[:start] + rng.choice(DECLARED) + data[end:]
        return b'<?xml version="1.0" encoding="' + rng.choice(DECLARED) + b'"?>' + data
    if choice == 1:
        return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"]) + data
    if choice == 2:
        encoding = rng.choice(["utf-16-le", "utf-16", "latin-1", "cp1252"])
        return data.decode("utf-8", "replace").encode(encoding, "replace")
    return data.decode("latin-1").encode("utf-8")  # double-encoded mojibake


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randrange(1, 12)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def control_bytes(data: bytes, rng: random.Random) -> bytes:
    return insert(data, rng, bytes(rng.randrange(32) for _ in range(rng.randrange(1, 9))))


def duplicate_slice(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data + data
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randrange(1, 400))
    return data[:end] + data[start:end] * rng.randrange(1, 30) + data[end:]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    tag = rng.choice([b"div", b"item", b"url", b"a", b"entry", b"b"])
    depth = rng.randrange(100, 3000)
    return insert(data, rng, b"<" + tag + b">" * 1 + (b"<" + tag + b">") * depth)


def hostile_url(data: bytes, rng: random.Random) -> bytes:
    piece = rng.choice([
        b"http://[::1", b"http://a:99999999/", b"https://\xed\xa0\x80.example/", b"http://xn--/", b"javascript:x",
        b"http://%zz/", b"//", b"http://a b/", b"http://\xe2\x80\xae.example/", b"https://example.com:-1/",
        b"http://[fe80::1%25eth0]/", b"http://" + b"a." * 200 + b"com/", b"file:///etc/passwd",
    ])  # fmt: skip
    return insert(data, rng, piece)


MUTATIONS: tuple[Mutation, ...] = (
    truncate, bad_reference, entity_soup, lone_surrogate, invalid_utf8, encoding_lie, flip_bytes,
    control_bytes, duplicate_slice, deep_nesting, hostile_url,
)  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    names = []
    for _ in range(rng.randrange(1, 4)):
        mutation = rng.choice(MUTATIONS)
        data = mutation(data, rng)
        names.append(mutation.__name__)
    return data, names
