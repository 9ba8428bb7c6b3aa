"""confluent-kafka-python (librdkafka) driver for Gofka's interop tests.

Usage: confluent.py COMMAND BOOTSTRAP TOPIC [N]
Commands print JSON lines on stdout; errors exit non-zero.
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic


# INTEROP_CONF: extra librdkafka properties (JSON) for every client, e.g.
# security.protocol and SASL settings for the secured-listener tests.
EXTRA = json.loads(os.environ.get("INTEROP_CONF", "{}"))


def conf(d):
    d.update(EXTRA)
    return d


def produce(b, topic, n, extra=None):
    conf = {"bootstrap.servers": b, "linger.ms": 5, "compression.type": "lz4"}
    conf.update(extra or {})
    conf.update(EXTRA)
    p = Producer(conf)
    errors = []
    for i in range(n):
        p.produce(topic, key=b"k-%d" % i, value=b"confluent-%d" % i, headers=[("idx", str(i).encode())],
                  on_delivery=lambda err, msg: err and errors.append(str(err)))
    p.flush(30)
    if errors:
        sys.exit("delivery errors: %s" % errors[:5])


def consume_assigned(b, topic, n):
    c = Consumer(conf({"bootstrap.servers": b, "group.id": "interop-unused", "enable.auto.commit": False}))
    parts = c.list_topics(topic, timeout=10).topics[topic].partitions
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
    emit_until(c, n)


def emit_until(c, n, timeout_s=60):
    got = 0
    deadline = time.monotonic() + timeout_s
    while got < n and time.monotonic() < deadline:
        m = c.poll(0.1)
        if m is None:
            continue
        if m.error():
            sys.exit("consume error: %s" % m.error())
        print(json.dumps({"key": m.key().decode(), "value": m.value().decode(), "partition": m.partition(),
                          "offset": m.offset(), "headers": {k: v.decode() for k, v in (m.headers() or [])}}))
        got += 1
    c.close()
    if got < n:
        sys.exit("consumed %d of %d" % (got, n))


def consume_group(b, topic, n):
    c = Consumer(conf({"bootstrap.servers": b, "group.id": "interop-confluent", "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    emit_until(c, n)


def admin(b, topic, _n):
    a = AdminClient(conf({"bootstrap.servers": b}))
    wait(a.create_topics([NewTopic(topic, 3, 1, config={"retention.ms": "123456"})]))
    wait(a.create_partitions([NewPartitions(topic, 4)]))
    res = ConfigResource("topic", topic, set_config={"retention.ms": "654321"})
    wait(a.alter_configs([res]))
    described = wait(a.describe_configs([ConfigResource("topic", topic)]))
    cfg = list(described.values())[0]
    md = a.list_topics(topic, timeout=10)
    print(json.dumps({"partitions": len(md.topics[topic].partitions), "retention.ms": cfg["retention.ms"].value}))


def delete(b, topic, _n):
    a = AdminClient(conf({"bootstrap.servers": b}))  # keep the handle alive until the futures resolve
    wait(a.delete_topics([topic]))


def wait(futures):
    return {k: f.result(30) for k, f in futures.items()}


def idempotent(b, topic, n):
    produce(b, topic, n, {"enable.idempotence": True})


def transactional(b, topic, n):
    p = Producer(conf({"bootstrap.servers": b, "transactional.id": "interop-txn"}))
    p.init_transactions(30)
    p.begin_transaction()
    for i in range(n):
        p.produce(topic, key=b"aborted-%d" % i, value=b"aborted")
    p.abort_transaction(30)
    p.begin_transaction()
    for i in range(n):
        p.produce(topic, key=b"k-%d" % i, value=b"confluent-%d" % i, headers=[("idx", str(i).encode())])
    p.commit_transaction(30)


def buckets_since(start, buckets, nbytes):
    """Adds nbytes to the 100ms bucket of now since start."""
    i = int((time.monotonic() - start) * 10)
    if i < len(buckets):
        buckets[i] += nbytes


def quota_produce(b, topic, seconds):
    """Produces uncompressed 8 KiB records as client.id TOPIC for SECONDS and
    prints the acknowledged bytes per 100ms."""
    p = Producer({"bootstrap.servers": b, "client.id": topic, "linger.ms": 1, "compression.type": "none",
                  "batch.size": 65536, "queue.buffering.max.messages": 64})
    start, value = time.monotonic(), b"x" * 8192
    buckets = [0] * (seconds * 10)
    while time.monotonic() - start < seconds:
        try:
            p.produce(topic, value=value, on_delivery=lambda err, msg: err or buckets_since(start, buckets, len(msg.value())))
        except BufferError:
            p.poll(0.005)
        p.poll(0)
    p.flush(30)
    print(json.dumps({"buckets": buckets}))


def quota_consume(b, topic, seconds):
    """Consumes TOPIC from the start as client.id TOPIC for SECONDS, 256 KiB a
    fetch, and prints the bytes received per 100ms."""
    c = Consumer({"bootstrap.servers": b, "client.id": topic, "group.id": topic, "enable.auto.commit": False,
                  "fetch.max.bytes": 262144, "max.partition.fetch.bytes": 262144, "message.max.bytes": 262144})
    parts = c.list_topics(topic, timeout=10).topics[topic].partitions
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
    start = time.monotonic()
    buckets = [0] * (seconds * 10)
    while time.monotonic() - start < seconds:
        m = c.poll(0.05)
        if m is not None and not m.error():
            buckets_since(start, buckets, len(m.value()))
    c.close()
    print(json.dumps({"buckets": buckets}))


COMMANDS = {"quota_produce": quota_produce, "quota_consume": quota_consume, "produce": produce, "consume": consume_assigned, "group": consume_group, "admin": admin,
            "delete": delete, "idempotent": idempotent, "txn": transactional}

if __name__ == "__main__":
    cmd, bootstrap, topic = sys.argv[1:4]
    COMMANDS[cmd](bootstrap, topic, int(sys.argv[4]) if len(sys.argv) > 4 else 0)
