"""docs/events.md documents every integration event type: subject, version, fields and a valid example."""

from __future__ import annotations

import re

import msgspec

from projections.integration_events import EVENT_TYPES, IntegrationEvent, data_fields
from tests.event_docs import DOC, spec

REGENERATE = "update docs/events.md with `python -m tests.event_docs`"


def sections() -> dict[str, str]:
    """Each `### <Type>` section of the document, by type name."""
    parts = re.split(r"^### ", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): "### " + part for part in parts}


def test_every_event_type_is_documented_with_its_subject_version_and_fields() -> None:
    found = sections()
    stale = [
        t.__name__
        for t in EVENT_TYPES
        if t.__name__ not in found or not all(part in found[t.__name__] for part in spec(t))
    ]
    assert not stale, f"missing or outdated in docs/events.md: {stale}; {REGENERATE}"


def test_the_document_names_no_type_the_log_does_not_have() -> None:
    assert set(sections()) == {t.__name__ for t in EVENT_TYPES}, REGENERATE


def test_every_example_is_a_message_of_its_type_with_exactly_its_fields() -> None:
    by_name = {t.__name__: t for t in EVENT_TYPES}
    for name, text in sections().items():
        examples = re.findall(r"```json\n(.*?)\n```", text, flags=re.DOTALL)
        assert len(examples) == 1, name
        message = msgspec.json.decode(examples[0], type=IntegrationEvent)
        assert message.type == name
        assert set(message.data) == set(data_fields(by_name[name])), f"{name}: {REGENERATE}"
