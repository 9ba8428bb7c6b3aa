#!/usr/bin/env bash
# Installs the non-Go Kafka clients the interop tests drive: kcat
# (librdkafka), confluent-kafka-python, kafka-python (Debian packages) and
# kafkajs (npm, into test/interop/js/node_modules). Idempotent: it installs
# only what is missing.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null || missing+=(python3-confluent-kafka)
/usr/bin/python3 -c 'import kafka' 2>/dev/null || missing+=(python3-kafka)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
	echo "interop: installing ${missing[*]}" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
if [ ! -d js/node_modules/kafkajs ]; then
	echo "interop: installing kafkajs" >&2
	(cd js && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
