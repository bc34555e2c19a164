"""DynamoDB repository of entity knowledge: the corpus memory of names and the canonical entity listing.

Two item kinds (key design: newsingest.storage.keys):
  NAME#{name key} / KNOW   what stored articles taught about one written form of a name:
                           t_{TYPE}: the ids of the articles whose own evidence gave it that type,
                           full: "Full Name|article id" for each article where it stood for a full name;
  ENTS#{shard} / {id}      one canonical entity: its name, type, public ids and the ids of the
                           articles that mention it (their count is the listing's count).
Every write ADDs an article id to a string set, so repeating it (a retried commit, a new version
of the same article) changes nothing: learning is idempotent without a transaction. Sets stop
growing at their caps (a condition), which bounds item size; a capped count reads "at least".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from newsingest.entities.knowledge import Lesson, NameMemory, entity_id_of, lessons, top_entities
from newsingest.models.records import Article, Entity, EntityType
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, query_all, to_item

MAX_VOTES = 50  # articles remembered per name and type (or per full name): plenty to vote with
MAX_LISTED_ARTICLES = 1000  # articles counted per canonical entity in the listing
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

    # -- write: in the commit, before the record becomes visible --------------------------------

    def learn(self, article: Article, *, limit: int) -> int:
        """Remember the types and full names of the article's top `limit` entities (knowledge.lessons),
        and list them. Returns the number of requests made."""
        requests = sum(self._remember(lesson, article.article_id) for lesson in lessons(article, limit))
        return requests + sum(self._list(entity, article.article_id) for entity in top_entities(article, limit))

    def _remember(self, lesson: Lesson, article_id: str) -> int:
        adds, values, names = [], {":cap": MAX_VOTES}, {}
        if lesson.type is not None:
            adds.append("#t :a")
            names["#t"] = f"t_{lesson.type.value}"
            values[":a"] = {article_id}
        if lesson.full_name:
            adds.append("#f :f")
            names["#f"] = "full"
            values[":f"] = {f"{lesson.full_name}{FULL_SEPARATOR}{article_id}"}
        if not adds:
            return 0
        condition = " AND ".join(f"(attribute_not_exists({n}) OR size({n}) < :cap)" for n in names)
        return self._update(
            {"pk": keys.name_pk(lesson.key), "sk": keys.KNOW}, "ADD " + ", ".join(adds), condition, names, values
        )

    def _list(self, entity: Entity, article_id: str) -> int:
        entity_id = entity_id_of(entity)
        return self._update(
            {"pk": keys.entity_list_pk(entity_id), "sk": entity_id},
            "SET #n = :n, #t = :t, ids = :i ADD articles :a",
            "attribute_not_exists(articles) OR size(articles) < :cap",
            {"#n": "canonical_name", "#t": "entity_type"},
            {
                ":n": entity.canonical_name or entity.name,
                ":t": entity.type.value,
                ":i": dict(entity.ids),
                ":a": {article_id},
                ":cap": MAX_LISTED_ARTICLES,
            },
        )

    def _update(self, key: dict, update: str, condition: str, names: dict, values: dict[str, Any]) -> int:
        try:
            self.client.update_item(
                TableName=self.name,
                Key=to_item(key),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise  # a full set is not an error: the name has votes enough
        return 1

    # -- the listing --------------------------------------------------------------------------

    def entities(self) -> Iterator[ListedEntity]:
        """Every canonical entity with the number of articles mentioning it (one Query per shard)."""
        for pk in keys.entity_list_pks():
            for item in query_all(
                self.client,
                TableName=self.name,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=to_item({":p": pk}),
            ):
                yield ListedEntity(
                    id=item["sk"],
                    canonical_name=item.get("canonical_name", item["sk"]),
                    type=item.get("entity_type", ""),
                    ids=item.get("ids") or {},
                    articles=len(item.get("articles") or ()),
                    capped=len(item.get("articles") or ()) >= MAX_LISTED_ARTICLES,
                )


@dataclass(frozen=True)
class ListedEntity:
    id: str
    canonical_name: str
    type: str
    ids: Mapping[str, str]
    articles: int  # articles mentioning it among their top entities
    capped: bool  # the count stopped at MAX_LISTED_ARTICLES: "at least"


def _memory(item: dict[str, Any]) -> NameMemory:
    types = {t: len(item.get(f"t_{t.value}") or ()) for t in EntityType}
    full = Counter(entry.rsplit(FULL_SEPARATOR, 1)[0] for entry in item.get("full") or ())
    return NameMemory(types={t: n for t, n in types.items() if n}, full_names=dict(full))
