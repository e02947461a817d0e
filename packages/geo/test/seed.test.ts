import type { IncomingHttpHeaders } from 'node:http'
import { type ClientAddress, ClientAddressResolver, setClientAddressResolver } from '@rampart/core'
import t from 'tap'
import { ADDRESS, build, from } from './fixtures/app.js'

// Regressions for the seed's GeoBlockingMiddleware (000, "Phase 3: Scale & Enterprise", advanced.py).

t.test('seed: _get_client_ip trusts X-Forwarded-For and X-Real-IP from anyone', async (t) => {
  const app = await build({ blockedCountries: ['RU'] })
  for (const header of ['x-forwarded-for', 'x-real-ip']) {
    const response = await from(app, ADDRESS.RU, { [header]: ADDRESS.US })
    t.equal(response.statusCode, 403, header)
    t.equal(response.json().country, 'RU')
  }
})

t.test('seed: a client without an address is taken for 127.0.0.1 (local, so let through)', async (t) => {
  /** A socket with no peer (a closed or Unix socket): core resolves the client to ''. */
  class NoPeer extends ClientAddressResolver {
    override resolve(_peer: string | undefined, headers: IncomingHttpHeaders, encrypted: boolean): ClientAddress {
      return super.resolve(undefined, headers, encrypted)
    }
  }
  const app = await build({ allowedCountries: ['US'] }, (app) => setClientAddressResolver(app, new NoPeer()))
  const response = await from(app, ADDRESS.US)
  t.equal(response.statusCode, 403, 'unknown, and an allow list refuses the unknown')
  t.equal(response.json().detail, 'Access from addresses whose country is unknown is not allowed')
})

t.test("seed: {'us'} never matches the database's 'US'", async (t) => {
  const app = await build({ blockedCountries: ['us'] })
  t.equal((await from(app, ADDRESS.US)).statusCode, 403)
})

t.test('seed: every lookup exception (private, unknown, broken) is logged and let through', async (t) => {
  // Here each case is a policy: private is allowed by default, unknown follows the lists.
  const app = await build({ allowedCountries: ['US'] })
  t.equal((await from(app, '10.0.0.1')).statusCode, 200)
  t.equal((await from(app, ADDRESS.UNKNOWN)).statusCode, 403)
})

t.test('seed: the refusal is {"error": ...} with no content type', async (t) => {
  const app = await build({ blockedCountries: ['RU'] })
  const response = await from(app, ADDRESS.RU)
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(response.json(), { status: 403, code: 'RAMPART_GEO_BLOCKED', requestId: String })
})
