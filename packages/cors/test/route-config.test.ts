import Fastify from 'fastify'
import t from 'tap'
import rampartCors from '../src/index.js'
import { build, preflight } from './fixtures/helpers.js'

t.test('config.cors = false turns CORS off for one route', async (t) => {
  const app = await build({ origins: ['https://app.example.com'] })
  app.get('/internal', { config: { cors: false } as object }, async () => 'ok')
  const response = await app.inject({ url: '/internal', headers: { origin: 'https://app.example.com' } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['access-control-allow-origin'], undefined)
  t.equal((await app.inject(preflight('https://app.example.com'))).statusCode, 204, 'other routes unchanged')
})

t.test('any other config.cors is refused: it would override the policy unchecked', async (t) => {
  const app = Fastify()
  await app.register(rampartCors, { origins: ['https://app.example.com'] })
  t.throws(
    () => app.get('/open', { config: { cors: { origin: '*', credentials: true } } as object }, async () => 'ok'),
    { code: 'RAMPART_CORS_ROUTE_CONFIG', message: /route GET \/open sets config\.cors/ },
  )
})

t.test("with '*', a route with config.cors = false gets its OPTIONS requests untouched", async (t) => {
  const app = await build({ origins: '*' })
  app.options('/raw', { config: { cors: false } as object }, async () => 'own OPTIONS handler')
  const response = await app.inject({ method: 'OPTIONS', url: '/raw' })
  t.equal(response.statusCode, 200)
  t.equal(response.body, 'own OPTIONS handler')
  t.equal((await app.inject({ method: 'OPTIONS', url: '/other' })).statusCode, 400, 'other OPTIONS still strict')
})
