import Fastify, { type FastifyServerOptions } from 'fastify'
import t from 'tap'
import rampartSignature, { signRequest } from '../src/index.js'
import { buildApp, KEY_ID, SECRET, signed } from './fixtures/helpers.js'

t.test('with useSemicolonDelimiter the router ends the path at ";": such a signed path is refused', async (t) => {
  // Fastify's types lack routerOptions.useSemicolonDelimiter (the top-level option is deprecated).
  const app = Fastify({ routerOptions: { useSemicolonDelimiter: true } } as FastifyServerOptions)
  t.teardown(() => app.close())
  await app.register(rampartSignature, { keys: { [KEY_ID]: SECRET } })
  app.get('/api/items', async () => ({ ok: true }))
  t.equal((await app.inject(signed({ method: 'GET', url: '/api/items?a=1' }))).statusCode, 200)
  const response = await app.inject(signed({ method: 'GET', url: '/api/items;a=1?b=2' }))
  t.equal(response.statusCode, 401)
  t.match(response.json().detail, /"#" or ";"/)
})

t.test('without it, ";" is part of the signed path like any other character', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.get('/api/matrix/:segment', async (request) => request.params)
  })
  const response = await app.inject(signed({ method: 'GET', url: '/api/matrix/a;b=1' }))
  t.equal(response.statusCode, 200)
  t.same(response.json(), { segment: 'a;b=1' })
})

t.test('the path is signed as sent: percent-encoding is not normalised', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.get('/api/files/:name', async (request) => request.params)
  })
  const request = signed({ method: 'GET', url: '/api/files/%7Euser' })
  t.equal((await app.inject(request)).statusCode, 200)
  const respelt = await app.inject({ ...request, url: '/api/files/~user' })
  t.equal(respelt.statusCode, 401, 'the same resource spelt differently needs its own signature')
})

t.test('a 404 whose body no parser reads goes on to the 404', async (t) => {
  const app = await buildApp(t, { required: false })
  const headers = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', url: '/nowhere', body: 'x' })
  const response = await app.inject({
    method: 'POST',
    url: '/nowhere',
    headers: { ...headers, 'content-type': 'application/x-unknown' },
    payload: 'x',
  })
  t.equal(response.statusCode, 404)
})
