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


COMMANDS = {"produce": produce, "consume": consume_assigned, "group": consume_group, "admin": admin,
            "delete": delete, "idempotent": idempotent, "txn": transactional}

if __name__ == "__main__":
    cmd, bootstrap, topic = sys.argv[1:4]
    COMMANDS[cmd](bootstrap, topic, int(sys.argv[4]) if len(sys.argv) > 4 else 0)
