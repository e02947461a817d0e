import { Writable } from 'node:stream'
import Fastify from 'fastify'
import t from 'tap'
import rampartProxyHeaders, { type ProxyHeadersOptions } from '../src/index.js'

async function warnings(options: ProxyHeadersOptions): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    },
  })
  const app = Fastify({ logger: { level: 'warn', stream } })
  await app.register(rampartProxyHeaders, options)
  app.get('/', async () => 'ok')
  await app.ready()
  await app.inject('/')
  await app.inject('/')
  await app.close()
  return lines
}

t.test('a trusted list that covers everything is warned about once, at ready', async (t) => {
  for (const trustedProxies of [['0.0.0.0/0'], ['10.0.0.1', '::/0']]) {
    const lines = await warnings({ enabled: true, trustedProxies })
    t.equal(lines.length, 1, trustedProxies.join())
    t.equal(lines[0]?.level, 40)
    t.match(lines[0]?.msg, /covers every address/)
    t.same(lines[0]?.trustedProxies, trustedProxies)
  }
})

t.test('no warning for a normal list, or when disabled', async (t) => {
  t.same(await warnings({ enabled: true, trustedProxies: ['10.0.0.0/8', '::1'] }), [])
  t.same(await warnings({ enabled: false, trustedProxies: ['0.0.0.0/0'] }), [])
})
