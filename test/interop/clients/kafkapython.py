"""kafka-python driver for Gofka's interop tests.

Usage: kafkapython.py COMMAND BOOTSTRAP TOPIC [N]
Commands print JSON lines on stdout; errors exit non-zero.
"""
import json
import os
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic


# INTEROP_CONF: extra keyword arguments (JSON) for every client, e.g.
# security_protocol and SASL settings for the secured-listener tests.
EXTRA = json.loads(os.environ.get("INTEROP_CONF", "{}"))


def produce(b, topic, n):
    p = KafkaProducer(bootstrap_servers=b, compression_type="gzip", linger_ms=5, **EXTRA)
    futures = [p.send(topic, key=b"k-%d" % i, value=b"kafkapython-%d" % i, headers=[("idx", str(i).encode())])
               for i in range(n)]
    for f in futures:
        f.get(timeout=30)
    p.close()


def consume(b, topic, n):
    c = KafkaConsumer(bootstrap_servers=b, consumer_timeout_ms=20000, **EXTRA)
    parts = [TopicPartition(topic, p) for p in c.partitions_for_topic(topic)]
    c.assign(parts)
    c.seek_to_beginning(*parts)
    got = 0
    for m in c:
        print(json.dumps({"key": m.key.decode(), "value": m.value.decode(), "partition": m.partition,
                          "offset": m.offset, "headers": {k: v.decode() for k, v in m.headers}}))
        got += 1
        if got >= n:
            break
    c.close()
    if got < n:
        sys.exit("consumed %d of %d" % (got, n))


def admin(b, topic, _n):
    a = KafkaAdminClient(bootstrap_servers=b, **EXTRA)
    check(a.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "123456"})]).topic_errors)
    check(a.create_partitions({topic: NewPartitions(4)}).topic_errors)
    for r in a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "654321"})]).resources:
        if r[0] != 0:
            sys.exit("alter configs: %s" % (r,))
    res = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])[0].resources[0]
    value = [e[1] for e in res[4] if e[0] == "retention.ms"][0]
    parts = a.describe_topics([topic])[0]["partitions"]
    print(json.dumps({"partitions": len(parts), "retention.ms": value}))
    a.close()


def delete(b, topic, _n):
    a = KafkaAdminClient(bootstrap_servers=b, **EXTRA)
    check(a.delete_topics([topic]).topic_error_codes)
    a.close()


def check(errors):
    for e in errors:
        if e[1] != 0:
            sys.exit("error: %s" % (e,))


COMMANDS = {"produce": produce, "consume": consume, "admin": admin, "delete": delete}

if __name__ == "__main__":
    cmd, bootstrap, topic = sys.argv[1:4]
    COMMANDS[cmd](bootstrap, topic, int(sys.argv[4]) if len(sys.argv) > 4 else 0)
