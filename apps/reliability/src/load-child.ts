import { LoadGenerator, summarise } from './load.js'
import { type MixCredentials, suiteMix } from './request-mix.js'

// The soak's load generator, in a process of its own so the server's event loop and heap are
// measured without the client's. Driven over IPC: `{ start }` starts the workers, `{ stop }`
// stops them and answers with the summary of every request and the requests per second.

interface Start {
  readonly origin: string
  readonly concurrency: number
  readonly clients: number
  readonly credentials: MixCredentials
}

if (process.send === undefined) {
  console.error('load-child: run with an IPC channel')
  process.exit(2)
}
const send = process.send.bind(process)
let load: LoadGenerator | undefined
let startedAt = 0

process.on('message', async (message: { start?: Start; stop?: true; mark?: string }) => {
  if (message.start !== undefined) {
    const { origin, concurrency, clients, credentials } = message.start
    load = new LoadGenerator(origin, concurrency)
    startedAt = Date.now()
    load.start(concurrency, suiteMix(credentials, clients))
    send({ started: true })
  } else if (message.mark !== undefined && load !== undefined) {
    send({ mark: message.mark, at: Date.now(), requests: load.records.length })
  } else if (message.stop === true && load !== undefined) {
    await load.close()
    const records = load.records
    const perSecond: number[] = []
    for (const record of records) {
      const second = Math.floor((record.at - startedAt) / 1000)
      perSecond[second] = (perSecond[second] ?? 0) + 1
    }
    send({ summary: summarise(records), perSecond: Array.from(perSecond, (count) => count ?? 0) })
    process.exit(0)
  }
})
send({ ready: true })
