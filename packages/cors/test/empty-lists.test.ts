import t from 'tap'
import { build, preflight } from './fixtures/helpers.js'

t.test('empty methods and allowedHeaders are sent empty, never reflected or defaulted', async (t) => {
  const app = await build({ origins: ['https://app.example.com'], methods: [], allowedHeaders: [] })
  const response = await app.inject(preflight('https://app.example.com', 'GET', 'x-anything'))
  t.equal(response.statusCode, 204)
  t.equal(response.headers['access-control-allow-methods'], '')
  t.equal(response.headers['access-control-allow-headers'], '')
})
