import { buildSuiteApp } from './suite-app.js'

// A Phase 3 server whose audit sink is PostgreSQL, run as its own process by the SIGTERM test:
// it closes on SIGTERM as a deployment would (the demo's server.ts does the same), so the audit
// buffer is flushed before the process exits. Driven over IPC: `{ record: n }` records n events
// and answers with the audit stats; on SIGTERM it closes and prints its final stats on stdout.

const connectionString = process.env.AUDIT_CONNECTION
const schema = process.env.AUDIT_SCHEMA
if (connectionString === undefined || schema === undefined || process.send === undefined) {
  console.error('audit-server: AUDIT_CONNECTION, AUDIT_SCHEMA and an IPC channel are required')
  process.exit(2)
}
const send = process.send.bind(process)

const { app } = await buildSuiteApp({
  sessions: false,
  audit: {
    sink: { type: 'postgres', connectionString, schema, table: 'events', connectionTimeout: 1000, queryTimeout: 1000 },
    batchSize: 50,
    flushInterval: 50,
    // Long waits between attempts: while the database is down nothing is written until shutdown.
    retry: { minDelay: 30_000, maxDelay: 30_000 },
    closeTimeout: Number(process.env.AUDIT_CLOSE_TIMEOUT ?? 5000),
    capture: { repeatWindow: 0 },
  },
})
await app.listen({ port: 0, host: '127.0.0.1' })

process.once('SIGTERM', () => {
  const started = Date.now()
  app.close().then(
    () => {
      console.log(JSON.stringify({ closedInMs: Date.now() - started, stats: app.audit.stats() }))
      process.exit(0)
    },
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
})

process.on('message', (message: { record?: number }) => {
  if (typeof message.record === 'number') {
    for (let i = 0; i < message.record; i++) app.audit.record({ eventType: 'reliability', action: `term-${i}` })
    setTimeout(() => send({ stats: app.audit.stats() }), 200)
  }
})
send({ ready: true })
