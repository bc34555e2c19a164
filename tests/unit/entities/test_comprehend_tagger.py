"""The Comprehend tagger against botocore's Stubber: batching, errors, type mapping, truncation."""

import boto3
import pytest
from botocore.stub import Stubber

from newsingest.entities.comprehend import MAX_DOCUMENT_BYTES, ComprehendTagger, truncate_utf8
from newsingest.entities.tagger import TagRequest
from newsingest.models.records import EntityType


@pytest.fixture
def client():
    return boto3.client(
        "comprehend", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def entity(text, doc, kind):
    start = doc.index(text)
    return {"Text": text, "Type": kind, "Score": 0.99, "BeginOffset": start, "EndOffset": start + len(text)}


def test_batch_maps_types_resolves_and_flags_a_failed_document(client):
    doc = "Acme Corp sold the Widget 3000 in Lyon. Acme Corp made 5 of them."
    stubber = Stubber(client)
    stubber.add_response(
        "batch_detect_entities",
        {
            "ResultList": [
                {
                    "Index": 0,
                    "Entities": [
                        entity("Acme Corp", doc, "ORGANIZATION"),
                        entity("Widget 3000", doc, "COMMERCIAL_ITEM"),
                        entity("Lyon", doc, "LOCATION"),
                        entity("5", doc, "QUANTITY"),
                    ],
                }
            ],
            "ErrorList": [{"Index": 1, "ErrorCode": "INTERNAL_SERVER_ERROR", "ErrorMessage": "try again"}],
        },
        {"TextList": [doc, "Second document."], "LanguageCode": "en"},
    )

    with stubber:
        ok, failed = ComprehendTagger(client).tag(
            [TagRequest(doc, None, "en"), TagRequest("Second document.", None, "en")]
        )

    assert {e.name: e.type for e in ok.entities} == {
        "Acme Corp": EntityType.ORG,
        "Widget 3000": EntityType.PRODUCT,
        "Lyon": EntityType.PLACE,
    }
    assert ok.flag is None
    assert failed.entities == []
    assert failed.flag.kind == "not_tagged"
    assert failed.flag.reason == "Comprehend error INTERNAL_SERVER_ERROR: try again"
    stubber.assert_no_pending_responses()


def test_long_text_is_truncated_on_a_character_boundary_and_flagged(client):
    doc = "Zoë Ball met Élodie in Zürich. " + "é" * MAX_DOCUMENT_BYTES
    sent = truncate_utf8(doc, MAX_DOCUMENT_BYTES)
    stubber = Stubber(client)
    stubber.add_response(
        "batch_detect_entities",
        {"ResultList": [{"Index": 0, "Entities": [entity("Zürich", doc, "LOCATION")]}], "ErrorList": []},
        {"TextList": [sent], "LanguageCode": "en"},
    )

    with stubber:
        [result] = ComprehendTagger(client).tag([TagRequest(doc, None, "en")])

    assert len(sent.encode()) <= MAX_DOCUMENT_BYTES < len(sent.encode()) + len("é".encode())
    assert doc.startswith(sent)
    assert [e.name for e in result.entities] == ["Zürich"]
    assert result.flag.kind == "not_tagged"
    assert f"first {len(sent)} of {len(doc)} characters" in result.flag.reason


def test_documents_are_grouped_per_language_in_calls_of_at_most_25(client):
    requests = [TagRequest(f"Text {i}.", None, "en") for i in range(26)]
    requests.insert(3, TagRequest("Texto en español.", None, "es"))
    requests.append(TagRequest("Tekst.", None, "nl"))
    stubber = Stubber(client)
    english = [r.text for r in requests if r.language == "en"]
    for texts, code in [(english[:25], "en"), (english[25:], "en"), (["Texto en español."], "es")]:
        stubber.add_response(
            "batch_detect_entities",
            {"ResultList": [{"Index": i, "Entities": []} for i in range(len(texts))], "ErrorList": []},
            {"TextList": texts, "LanguageCode": code},
        )

    with stubber:
        results = ComprehendTagger(client).tag(requests)

    assert len(results) == len(requests)
    assert [r.flag.reason for r in results if r.flag] == ["language 'nl' has no configured model"]
    stubber.assert_no_pending_responses()


def test_a_failed_call_flags_every_document_with_the_error_code(client):
    stubber = Stubber(client)
    stubber.add_client_error("batch_detect_entities", service_error_code="ThrottlingException")

    with stubber:
        results = ComprehendTagger(client).tag([TagRequest("One.", None, "en"), TagRequest("Two.", None, "en")])

    assert [r.flag.reason for r in results] == ["Comprehend error ThrottlingException"] * 2
