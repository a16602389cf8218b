"""``crisiswatch produce``: publish files of mentions to Kafka, for trials of the distributed mode.

Records travel unparsed, in the batch shape the ingest agent reads
(``{"records": [...], "source": ..., "first_line": ...}``), so a bad line still becomes a
dead letter with its file and line number on the worker side. Each message is keyed by a hash
of its file and first line: the default partitioner then spreads batches over all partitions
and so over all workers of the consumer group.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import click
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError

from stream.schema import MAX_RECORD_BYTES
from stream.sources import read_batches

DEFAULT_TOPIC = "mentions-raw"
DEFAULT_BATCH = 500
# aiokafka's and the broker's default limit is 1 MiB per message; stay clear of it.
MAX_MESSAGE_BYTES = 900 * 1024
_IN_FLIGHT = 200


class ProduceError(Exception):
    """Something the operator must fix: the broker, the topic or the file."""


@dataclass
class ProduceStats:
    records: int = 0
    messages: int = 0
    partitions: int = 0
    not_utf8: int = 0
    first_not_utf8: str = ""
    too_large: list[str] = field(default_factory=list)


def bootstrap_servers(kafka_url: str) -> list[str]:
    """``kafka://a:9092;b:9092`` (faust's form) or ``a:9092,b:9092`` to host:port pairs."""
    servers = []
    for part in kafka_url.replace(";", ",").split(","):
        part = part.strip()
        if "://" in part:
            part = part.split("://", 1)[1]
        part = part.rstrip("/")
        if part:
            servers.append(part if ":" in part else f"{part}:9092")
    if not servers:
        raise ProduceError(f"no broker address in KAFKA_URL {kafka_url!r}")
    return servers


def _as_json_value(record: Any, where: str, stats: ProduceStats) -> Any:
    """JSON lines arrive as bytes; JSON cannot carry bytes, so they travel as text.

    A line that is not UTF-8 is sent with replacement characters (and counted), which keeps
    every later line's number right; the embedded replay would reject such a line instead.
    An over-long line is cut just past the ingest limit: it still fits in a message and the
    worker still turns it into a "record too long" dead letter.
    """
    if not isinstance(record, bytes):
        return record
    record = record[: MAX_RECORD_BYTES + 1]
    try:
        return record.decode("utf-8")
    except UnicodeDecodeError:
        stats.not_utf8 += 1
        stats.first_not_utf8 = stats.first_not_utf8 or where
        return record.decode("utf-8", errors="replace")


def _key(source: str, first_line: int) -> bytes:
    return hashlib.blake2b(f"{source}:{first_line}".encode(), digest_size=8).hexdigest().encode()


@dataclass(slots=True)
class Message:
    key: bytes
    value: bytes  # empty: a single record too large for any message
    first_line: int
    records: int


def encode_messages(
    records: list[Any], source: str, first_line: int, limit: int = MAX_MESSAGE_BYTES,
) -> Iterator[Message]:
    """Halve a batch until each message fits ``limit``.

    Halving keeps each part's records consecutive, so ``first_line`` + offset stays the true line.
    """
    value = json.dumps(
        {"records": records, "source": source, "first_line": first_line}, ensure_ascii=False,
    ).encode()
    if len(value) <= limit:
        yield Message(_key(source, first_line), value, first_line, len(records))
    elif len(records) == 1:
        yield Message(_key(source, first_line), b"", first_line, 1)
    else:
        half = len(records) // 2
        yield from encode_messages(records[:half], source, first_line, limit)
        yield from encode_messages(records[half:], source, first_line + half, limit)


async def _start(producer: AIOKafkaProducer, kafka_url: str, topic: str) -> int:
    try:
        await producer.start()
    except KafkaConnectionError as exc:
        raise ProduceError(f"cannot reach Kafka at {kafka_url}: {exc}") from None
    try:
        partitions = await producer.partitions_for(topic)
    except KafkaTimeoutError:
        raise ProduceError(
            f"topic {topic!r} does not exist at {kafka_url} and the broker did not create it "
            "(docker compose runs topic-init to create it)"
        ) from None
    return len(partitions or ())


def file_messages(
    paths: list[str], batch_size: int, stats: ProduceStats, limit: int = MAX_MESSAGE_BYTES,
) -> Iterator[Message]:
    """Every record of ``paths`` as ingest-agent batches; records too large to send are counted."""
    for path in paths:
        for batch in read_batches(path, batch_size):
            records = [
                _as_json_value(r, f"{batch.source}:{batch.first_line + i}", stats)
                for i, r in enumerate(batch.records)
            ]
            for message in encode_messages(records, batch.source, batch.first_line, limit):
                if message.value:
                    yield message
                else:
                    stats.too_large.append(f"{batch.source}:{message.first_line}")


async def publish(
    paths: list[str], kafka_url: str, topic: str = DEFAULT_TOPIC, batch_size: int = DEFAULT_BATCH,
    *, limit: int = MAX_MESSAGE_BYTES,
) -> ProduceStats:
    """Publish every record of ``paths``; returns once the broker has acknowledged all of them."""
    stats = ProduceStats()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(kafka_url), acks="all", max_request_size=limit + 64 * 1024,
        client_id="crisiswatch-produce",
    )
    try:
        stats.partitions = await _start(producer, kafka_url, topic)
        pending: list[asyncio.Future[Any]] = []
        for message in file_messages(paths, batch_size, stats, limit):
            pending.append(await producer.send(topic, value=message.value, key=message.key))
            stats.messages += 1
            stats.records += message.records
            if len(pending) >= _IN_FLIGHT:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    except KafkaError as exc:
        raise ProduceError(f"publishing to {topic!r} at {kafka_url} failed: {exc}") from None
    finally:
        await producer.stop()
    return stats


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--kafka-url", envvar="KAFKA_URL", default=None,
              help="Broker(s), e.g. kafka://localhost:29092 (the compose file's host port). [env: KAFKA_URL]")
@click.option("--topic", default=DEFAULT_TOPIC, show_default=True, help="Topic the workers read raw mentions from.")
@click.option("--batch", "batch_size", type=click.IntRange(min=1), default=DEFAULT_BATCH, show_default=True,
              help="Records per Kafka message.")
def produce(files: tuple[str, ...], kafka_url: str | None, topic: str, batch_size: int) -> None:
    """Publish JSONL/CSV files of mentions to Kafka for the workers (trials of the distributed mode)."""
    if not kafka_url:
        raise click.UsageError("no Kafka broker: pass --kafka-url or set KAFKA_URL (e.g. kafka://localhost:29092)")
    try:
        stats = asyncio.run(publish(list(files), kafka_url, topic, batch_size))
    except ProduceError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot read input: {exc}") from None
    click.echo(
        f"published {stats.records:,} records in {stats.messages:,} messages to {topic!r} "
        f"({stats.partitions} partitions) at {kafka_url}",
        err=True,
    )
    if stats.not_utf8:
        click.echo(
            f"warning: {stats.not_utf8:,} lines were not UTF-8 and were sent with replacement characters "
            f"(first at {stats.first_not_utf8})",
            err=True,
        )
    if stats.too_large:
        click.echo(
            f"warning: {len(stats.too_large):,} records are larger than a Kafka message and were not sent "
            f"(first at {stats.too_large[0]})",
            err=True,
        )
        sys.exit(1)


COMMANDS = [produce]
