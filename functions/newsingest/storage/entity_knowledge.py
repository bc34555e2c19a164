"""DynamoDB repository of the corpus memory: what stored articles taught about names.

One item per written form of a name (key design: newsingest.storage.keys):
  NAME#{name key} / KNOW   t_{TYPE}: the ids of the articles whose own evidence gave it that type,
                           full: "Full Name|article id" for each article where it stood for a full name.
Only what the memory can use is learned (knowledge.lessons): each lesson is a write. The listing of
canonical entities with their article counts is an aggregate over every record, so it is a query
over the records (local/analytics.py ENTITY_LISTING_SQL), not items kept up to date per article.
Learning adds article ids to string sets, so repeating it (a retried commit, a new version of the
same article) changes nothing: learning is idempotent without a transaction. Sets stop growing at
their caps, which bounds item size; a capped count reads "at least".

A batch learns at once (`learning`): every item its records teach is read with BatchGetItem,
the lessons of all its records merged onto it, and only the items that change are written, as
puts in the commit's BatchWriteItem requests (one write per name per batch, none for a name
whose sets hold the ids already or are full). Puts, not updates: two batches teaching the same
name at the same instant can lose one's votes (a statistic, never a record); a redelivery merges again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping
from typing import Any

from newsingest.entities.knowledge import EntityIndexPolicy, NameMemory, lessons
from newsingest.models.records import Article, EntityType
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, batch_write

MAX_VOTES = 50  # articles remembered per name and type (or per full name): plenty to vote with
FULL_SEPARATOR = "|"


class EntityKnowledge:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    # -- read: one BatchGetItem per 100 names, in the batch's prepare step ---------------------

    def recall(self, name_keys: Collection[str]) -> dict[str, NameMemory]:
        wanted = {keys.name_pk(k): k for k in name_keys}
        found = batch_get(self.client, self.name, [{"pk": pk, "sk": keys.KNOW} for pk in wanted])
        return {wanted[item["pk"]]: _memory(item) for item in found if item["pk"] in wanted}

    # -- write: in the commit, with the batch's index items ------------------------------------

    def learning[K: Hashable](
        self,
        articles: Mapping[K, Article],
        *,
        policy: EntityIndexPolicy,
        found: Mapping[tuple[str, str], dict] | None = None,
    ) -> list[tuple[dict[str, Any], frozenset[K]]]:
        """The items these articles teach (knowledge.lessons of the entities `policy` indexes), merged
        onto the stored items (`found`, else read here): only those that change, each with the
        articles it holds lessons of."""
        if found is None:
            found = {(i["pk"], i["sk"]): i for i in batch_get(self.client, self.name, knowledge_keys(articles, policy))}
        return taught_items(articles, policy, found)

    def learn(self, article: Article, *, policy: EntityIndexPolicy) -> int:
        """Learn one article now; returns the number of write requests made."""
        return batch_write(self.client, self.name, [item for item, _ in self.learning({0: article}, policy=policy)])


def knowledge_keys(articles: Mapping[Any, Article], policy: EntityIndexPolicy) -> list[dict[str, str]]:
    """Every NAME# item these articles teach."""
    wanted: dict[tuple[str, str], dict[str, str]] = {}
    for article in articles.values():
        for lesson in lessons(article, policy):
            key = _name_key(lesson.key)
            wanted[(key["pk"], key["sk"])] = key
    return list(wanted.values())


def taught_items[K: Hashable](
    articles: Mapping[K, Article], policy: EntityIndexPolicy, found: Mapping[tuple[str, str], dict[str, Any]]
) -> list[tuple[dict[str, Any], frozenset[K]]]:
    """Pure: the NAME# items after the articles' lessons, in order, unchanged items left out."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    owners: dict[tuple[str, str], set[K]] = {}

    def item(key: dict[str, str]) -> tuple[tuple[str, str], dict[str, Any]]:
        at = (key["pk"], key["sk"])
        if at not in merged:
            merged[at] = {k: (set(v) if isinstance(v, set) else v) for k, v in found.get(at, key).items()}
        return at, merged[at]

    for owner, article in articles.items():
        aid = article.article_id
        for lesson in lessons(article, policy):
            at, name = item(_name_key(lesson.key))
            changed = lesson.type is not None and _add(name, f"t_{lesson.type.value}", aid, MAX_VOTES)
            if lesson.full_name:
                full = lesson.full_name[: keys.MAX_NAME_IN_ITEM]
                changed |= _add(name, "full", f"{full}{FULL_SEPARATOR}{aid}", MAX_VOTES)
            if changed:
                owners.setdefault(at, set()).add(owner)
    return [(merged[at], frozenset(who)) for at, who in owners.items()]


def _add(item: dict[str, Any], attribute: str, value: str, cap: int) -> bool:
    """Add to a capped string set; True when it changed."""
    values = item.get(attribute) or set()
    if value in values or len(values) >= cap:
        return False
    item[attribute] = {*values, value}
    return True


def _name_key(name_key: str) -> dict[str, str]:
    return {"pk": keys.name_pk(name_key), "sk": keys.KNOW}


def _memory(item: dict[str, Any]) -> NameMemory:
    types = {t: len(item.get(f"t_{t.value}") or ()) for t in EntityType}
    full = Counter(entry.rsplit(FULL_SEPARATOR, 1)[0] for entry in item.get("full") or ())
    return NameMemory(types={t: n for t, n in types.items() if n}, full_names=dict(full))
