"""GET /v1/events: every stored event in log order, from the log itself, resumable with `after`."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.actor import Role
from domain.api_key import ApiKey
from tests.api.audit_support import HTTP_ONLY, customer_http, feed, history, problem_fields, read
from tests.api.conftest import Keys
from tests.api.http_flows import Http, create, v1

ENVELOPE = ("event_id", "stream", "version", "position", "type", "actor_id", "actor_role", "data")


@pytest.fixture
def http(client: TestClient, keys: Keys) -> Http:  # type: ignore[type-arg]
    return customer_http(client, keys)


def test_the_feed_holds_every_event_in_log_order(http: Http) -> None:
    create(http)
    page = feed(http)
    positions = [e["position"] for e in page["items"]]
    assert positions == sorted(set(positions)) and positions[-1] == http.last_position
    assert (page["next_after"], page["end_of_stream"]) == (http.last_position, True)
    assert page["items"][0]["type"] == "ApiKeyIssued"
    assert {"CustomerRegistered", "ServiceNotificationCreated"} <= {e["type"] for e in page["items"]}


def test_the_feed_resumes_after_the_last_position_it_gave(http: Http) -> None:
    create(http)
    pages: list[dict[str, Any]] = [feed(http, limit=3)]
    while not pages[-1]["end_of_stream"]:
        pages.append(feed(http, after=pages[-1]["next_after"], limit=3))
    assert all(len(page["items"]) == 3 for page in pages[:-1]) and len(pages) > 2
    assert [e for page in pages for e in page["items"]] == feed(http)["items"]


def test_after_the_end_the_feed_is_empty_and_says_so(http: Http) -> None:
    end = feed(http)["next_after"]
    page = feed(http, after=end + 10)
    assert page == {"items": [], "next_after": end + 10, "end_of_stream": True}


def test_a_case_event_in_the_feed_is_its_history_event_without_hash_links(http: Http) -> None:
    no = v1(http)
    audited = {e["event_id"]: e for e in history(http, no)}
    fed = [e for e in feed(http)["items"] if e["event_id"] in audited]
    assert len(fed) == len(audited)
    for event in fed:
        assert [event[k] for k in ENVELOPE] == [audited[event["event_id"]][k] for k in ENVELOPE]
        assert (event["hash"], event["prev_hash"]) == (None, None)
    closed = next(e for e in fed if e["type"] == "NotificationClosed")
    assert (closed["data"]["from"], closed["data"]["to"]) == ("IN_PROCESS", "COMPLETED")


def test_the_feed_never_shows_an_api_key_secret(http: Http) -> None:
    issued = [e for e in feed(http)["items"] if e["type"] == "ApiKeyIssued"]
    assert issued and all(not set(ApiKey.SECRET_FIELDS) & set(e["data"]) for e in issued)


def test_the_feed_answers_the_log_position_it_reflects(http: Http) -> None:
    create(http)
    response = read(http, "/v1/events", limit=2)
    assert response.headers["x-read-model-position"] == str(response.json()["next_after"])


@HTTP_ONLY
def test_bad_feed_parameters_are_400_naming_them(http: Http) -> None:
    assert problem_fields(read(http, "/v1/events", status=400, limit=501)) == ["limit"]
    assert problem_fields(read(http, "/v1/events", status=400, after=-1)) == ["after"]


@HTTP_ONLY
def test_admin_keys_may_not_read_the_feed(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    response = client.get("/v1/events", headers=keys.headers(Role.ADMIN))
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ROLE")
