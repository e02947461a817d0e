import t from 'tap'
import { alice, build } from './fixtures/app.js'

t.test('a key in the query string is ignored unless the query option is set', async (t) => {
  const app = await build()
  const response = await app.inject(`/api/data?api_key=${alice.key}`)
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'RAMPART_API_KEY_MISSING')
})

t.test('with query enabled the named parameter authenticates', async (t) => {
  const app = await build({ query: 'api_key' })
  const response = await app.inject(`/api/data?api_key=${alice.key}`)
  t.equal(response.statusCode, 200)
  t.equal(response.json().identity.id, 'alice')
  t.equal((await app.inject(`/api/data?key=${alice.key}`)).statusCode, 401, 'only the named parameter')
})

t.test('a key sent twice (query and header, or a repeated parameter) is 401 invalid_request', async (t) => {
  const app = await build({ query: 'api_key' })
  for (const request of [
    { url: `/api/data?api_key=${alice.key}`, headers: { 'x-api-key': alice.key } },
    { url: `/api/data?api_key=${alice.key}&api_key=${alice.key}` },
  ]) {
    const response = await app.inject(request)
    t.equal(response.statusCode, 401)
    t.match(
      response.headers['www-authenticate'],
      /error="invalid_request", error_description="API key sent more than once"/,
    )
  }
})
