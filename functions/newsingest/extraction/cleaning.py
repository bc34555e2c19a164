"""Remove the inline boilerplate extractors keep inside the body.

Only whole lines go, and only short ones: a promo, prompt or credit is a line of its own,
so a real paragraph that happens to mention a newsletter is never cut. Lines a source
repeats across its articles are learned from its stored history (`repeated_lines`),
never hard-coded per site. The history is kept as line keys (models/lines.py: a digest per
line, 8 bytes each in the article's index item) rather than texts, so learning never reads records.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

from newsingest.models.lines import line_key, normal_line

MAX_PROMO_CHARS = 200  # longer lines are prose, whatever words they contain

_BOILERPLATE = re.compile(
    "|".join(
        (
            # inline promos: "READ MORE: ...", "Related: ...", "WATCH: ...", "Also on example.com ..."
            r"^(read more|read also|also read|see more|more|related( articles?| stories| videos?| coverage| content)?"
            r"|see also|recommended|watch|listen|more on this( story)?|don'?t miss|trending|latest)\b\s*[:|>»–-]",
            # the same labels in other languages: "Lesen Sie auch:", "Lire aussi :", "Leer más:", ...
            r"^((lesen sie|lies) (auch|mehr)|mehr zum thema|auch interessant|das könnte sie( auch)? interessieren"
            r"|(à )?lire aussi|voir aussi|lee (también|más)|leer más|ver también|leggi anche|vedi anche"
            r"|leia (também|mais)|veja também|lees ook|les også|läs också|læs også|czytaj (też|także|również)"
            r"|ayrıca oku)\b\s*[:|>»–-]",
            r"^(read more|read the full (story|article)|mehr lesen|weiterlesen|lire la suite|leer más"
            r"|leggi (tutto|di più))\W*$",
            r"^(our|editorial) (standards|principles)\b\s*:",
            r"^(advertisement|sponsored content|story continues below( advertisement)?|continue reading"
            r"( below)?|scroll to continue( with content)?|don'?t miss|related|more stories|comments?)\W*$",
            r"^also on [\w-]+(\.[\w-]+)+\b",
            r"(?-i:\[[A-Z][A-Z ]{2,}\])\W*$",  # "Headline of another story [VIDEO]"
            # newsletter and share prompts
            r"\b(sign up|subscribe|register)\b.*\bnewsletters?\b",
            r"\bnewsletters?\b.*\b(sign up|subscribe|inbox)\b",
            r"^[\w' ]{0,40}\bnewsletter$",
            r"^(share|share this( article| story| page)?|share on \w+|click to share|follow us( on)?"
            r"|like us on facebook)\b\W*$",
            r"\bshare (it|this( story| article)?) with (a|your) friends?\b",
            r"^((facebook|twitter|x|email|e-mail|whatsapp|linkedin|reddit|pinterest|print|copy link)\W*){2,}$",
            # bylines and labels the body should not repeat
            r"^(tags|tagged( with)?|topics|filed under)\s*(:.*)?$",
            r"^(updated|published|posted|last updated)\b[^\n]{0,40}?(\d{1,2}[:.]\d{2}|\d{4})\s*([ap]\.?m\.?"
            r"|gmt|utc|bst|[ecmp][sd]?t)?\W*$",
            # photo credits
            r"^(photo|photos|photograph|image|picture|pictures|credit|illustration|video)( credit)?\s*:",
            r"(?-i:\((Getty Images|AP|AP Photo|Reuters|AFP|PA|PA Wire|EPA|Shutterstock|Alamy|Rex|Bloomberg)"
            r"\b[^)]*\))\W*$",
            r"^(?-i:Getty Images|AP Photo|AFP via Getty Images|PA Images?)\b[\w\s/.]*$",
            # consent and rights text
            r"\b(we use cookies|this (web)?site uses cookies|accept (all )?cookies|cookie (policy|settings)"
            r"|manage (your )?(privacy |cookie )?(preferences|choices)|by continuing to (use|browse))\b",
            r"\bfor your personal,? non-commercial use only\b",
        )
    ),
    re.IGNORECASE,
)


def clean_body(text: str, repeated: Collection[str] = ()) -> tuple[str, list[str]]:
    """The body without boilerplate lines, and the lines removed (kept for debugging and tests).
    `repeated`: the line keys a source repeats (`repeated_lines`)."""
    kept: list[str] = []
    removed: list[str] = []
    for line in text.splitlines():
        normal = normal_line(line)
        if not normal:
            continue
        if (repeated and line_key(normal) in repeated) or (
            len(normal) <= MAX_PROMO_CHARS and _BOILERPLATE.search(normal)
        ):
            removed.append(line)
        else:
            kept.append(line.strip())
    return "\n".join(kept), removed


def repeated_lines(histories: Iterable[Collection[str]], *, min_count: int = 3, min_share: float = 0.5) -> set[str]:
    """The line keys found in at least `min_count` and `min_share` of one source's articles (each
    article's `models.lines.line_keys`): its boilerplate."""
    counts: Counter[str] = Counter()
    total = 0
    for keys in histories:
        total += 1
        counts.update(set(keys))
    return {key for key, n in counts.items() if n >= min_count and n >= min_share * total}
