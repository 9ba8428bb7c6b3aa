// kafkajs driver for Gofka's interop tests.
// Usage: node driver.js COMMAND BOOTSTRAP TOPIC [N]
// Commands print JSON lines on stdout; errors exit non-zero.
'use strict'
const { Kafka, logLevel, CompressionTypes } = require('kafkajs')

const [cmd, bootstrap, topic, nArg] = process.argv.slice(2)
const n = Number(nArg || 0)
// INTEROP_CONF: extra Kafka() options (JSON) for the secured-listener
// tests; ssl.caFile names a PEM file read into ssl.ca.
const extra = JSON.parse(process.env.INTEROP_CONF || '{}')
if (extra.ssl && extra.ssl.caFile) extra.ssl = { ca: [require('fs').readFileSync(extra.ssl.caFile)] }
const kafka = new Kafka({ clientId: 'gofka-interop', brokers: [bootstrap], logLevel: logLevel.ERROR, ...extra })

async function produce () {
  const p = kafka.producer({ allowAutoTopicCreation: false })
  await p.connect()
  const messages = []
  for (let i = 0; i < n; i++) {
    messages.push({ key: `k-${i}`, value: `kafkajs-${i}`, headers: { idx: String(i) } })
  }
  for (let i = 0; i < messages.length; i += 500) {
    await p.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: messages.slice(i, i + 500) })
  }
  await p.disconnect()
}

function emit (partition, m) {
  const headers = {}
  for (const [k, v] of Object.entries(m.headers || {})) headers[k] = v.toString()
  console.log(JSON.stringify({ key: m.key.toString(), value: m.value.toString(), partition, offset: Number(m.offset), headers }))
}

async function consume (groupId) {
  const c = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 })
  await c.connect()
  await c.subscribe({ topic, fromBeginning: true })
  let got = 0
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${got} of ${n}`)), 60000)
    c.run({
      eachMessage: async ({ partition, message }) => {
        emit(partition, message)
        if (++got >= n) { clearTimeout(timer); resolve() }
      }
    }).catch(reject)
  })
  await c.disconnect()
}

async function admin () {
  const a = kafka.admin()
  await a.connect()
  await a.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '123456' }] }] })
  await a.createPartitions({ topicPartitions: [{ topic, count: 4 }] })
  await a.alterConfigs({ resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '654321' }] }] })
  const d = await a.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] })
  const md = await a.fetchTopicMetadata({ topics: [topic] })
  console.log(JSON.stringify({ partitions: md.topics[0].partitions.length, 'retention.ms': d.resources[0].configEntries[0].configValue }))
  await a.disconnect()
}

async function del () {
  const a = kafka.admin()
  await a.connect()
  await a.deleteTopics({ topics: [topic] })
  await a.disconnect()
}

const commands = { produce, consume: () => consume(`interop-kafkajs-${topic}`), group: () => consume('interop-kafkajs'), admin, delete: del }
commands[cmd]().then(() => process.exit(0), (err) => { console.error(err); process.exit(1) })
