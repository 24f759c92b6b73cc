"""The throwaway servers behind the fixtures really work: JetStream accepts streams, PostgreSQL answers."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import nats
from psycopg import sql

from tests.servers import connect


def test_nats_fixture_accepts_a_jetstream_stream(nats_url: str) -> None:
    name = f"T_{uuid4().hex}"

    async def publish_one() -> int:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            await js.add_stream(name=name, subjects=[f"{name}.>"])
            ack = await js.publish(f"{name}.hello", b"hi")
            await js.delete_stream(name)
            return ack.seq
        finally:
            await nc.close()

    assert asyncio.run(publish_one()) == 1


def test_postgres_fixture_answers_select_1(postgres_url: str) -> None:
    with connect(postgres_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_each_test_gets_its_own_empty_schema(postgres_schema_url: str, postgres_url: str) -> None:
    schema = postgres_schema_url.rsplit("schema=", 1)[1]
    with connect(postgres_url) as conn:
        query = sql.SQL("SELECT count(*) FROM pg_tables WHERE schemaname = {}").format(sql.Literal(schema))
        assert conn.execute(query).fetchone() == (0,)
