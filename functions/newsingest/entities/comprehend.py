"""Amazon Comprehend behind the Tagger interface (settings.tagger = "comprehend").

This module is the Comprehend adapter: the one place outside storage/ allowed to call
AWS, because the service *is* the tagger. The boto3 client is passed in so tests drive
it with botocore's Stubber. Its mentions go through the same resolve() as spaCy's, so
records look the same whichever tagger made them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsingest.entities.knowledge import CorpusMemory
from newsingest.entities.resolve import Mention, resolve_batch
from newsingest.entities.tagger import TagRequest, TagResult
from newsingest.models.records import Flag

BATCH_SIZE = 25  # documents per BatchDetectEntities call (service limit)
MAX_DOCUMENT_BYTES = 5_000  # UTF-8 bytes per document in a batch call (service limit: 5 KB)

# Languages BatchDetectEntities accepts (botocore's LanguageCode enum).
COMPREHEND_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW")


class ComprehendTagger:
    name = "comprehend:batch_detect_entities"

    def __init__(self, client: Any, language_codes: Collection[str] = COMPREHEND_LANGUAGES) -> None:
        self.client = client
        self.language_codes = frozenset(language_codes)

    def tag(self, requests: Sequence[TagRequest], memory: CorpusMemory | None = None) -> list[TagResult]:
        results: dict[int, TagResult] = {}
        by_language: dict[str, list[int]] = defaultdict(list)
        for i, request in enumerate(requests):
            code = self._code(request.language)
            if code is None:
                reason = "language unknown"
                if request.language:
                    reason = f"language {request.language!r} has no configured model"
                results[i] = TagResult(flag=Flag(kind="not_tagged", reason=reason))
            else:
                by_language[code].append(i)
        for code, indexes in by_language.items():
            for start in range(0, len(indexes), BATCH_SIZE):
                chunk = indexes[start : start + BATCH_SIZE]
                results.update(self._tag_batch(code, [requests[i] for i in chunk], chunk))
        tagged = {i: r for i, r in results.items() if isinstance(r, _Tagged)}
        resolved = resolve_batch([(r.mentions, requests[i].text, requests[i].title) for i, r in tagged.items()], memory)
        for (i, r), entities in zip(tagged.items(), resolved, strict=True):
            results[i] = TagResult(entities=entities, flag=r.flag)
        return [results[i] for i in range(len(requests))]

    def _code(self, language: str | None) -> str | None:
        """Comprehend's code for a language tag: exact ("zh-TW"), else its primary subtag."""
        if not language:
            return None
        if language in self.language_codes:
            return language
        primary = language.split("-")[0].lower()
        return primary if primary in self.language_codes else None

    def _tag_batch(self, code: str, batch: list[TagRequest], indexes: list[int]) -> dict[int, TagResult | _Tagged]:
        texts = [truncate_utf8(r.text, MAX_DOCUMENT_BYTES) for r in batch]
        try:
            response = self.client.batch_detect_entities(TextList=texts, LanguageCode=code)
        except ClientError as error:
            return {i: _failed(error.response["Error"].get("Code", "ClientError")) for i in indexes}
        except BotoCoreError as error:
            return {i: _failed(type(error).__name__) for i in indexes}
        out: dict[int, TagResult | _Tagged] = {}
        for item in response.get("ErrorList", []):
            out[indexes[item["Index"]]] = _failed(item["ErrorCode"], item.get("ErrorMessage"))
        for item in response.get("ResultList", []):
            n = item["Index"]
            request, text = batch[n], texts[n]
            mentions = [
                Mention(e["Text"], e["Type"], e["BeginOffset"], e["EndOffset"]) for e in item.get("Entities", [])
            ]
            flag = None
            if len(text) < len(request.text):
                flag = Flag(
                    kind="not_tagged",
                    reason=f"text truncated to {MAX_DOCUMENT_BYTES} bytes for Comprehend: "
                    f"entities cover the first {len(text)} of {len(request.text)} characters",
                )
            out[indexes[n]] = _Tagged(mentions, flag)
        return out


@dataclass(frozen=True)
class _Tagged:
    """A document's raw mentions, waiting for the batch's resolution."""

    mentions: list[Mention]
    flag: Flag | None


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` that fits in max_bytes of UTF-8, never half a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def _failed(code: str, message: str | None = None) -> TagResult:
    reason = f"Comprehend error {code}" + (f": {message}" if message else "")
    return TagResult(flag=Flag(kind="not_tagged", reason=reason))
