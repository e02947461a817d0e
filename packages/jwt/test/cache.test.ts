import t from 'tap'
import { bearer, build } from './fixtures/app.js'
import { FakeClock } from './fixtures/clock.js'
import { b64url, hmacToken, SECRET } from './fixtures/tokens.js'

t.test('a repeat token costs no signature check', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 600 })
  for (let i = 0; i < 10; i++) {
    t.equal((await app.inject({ url: '/api/protected', headers: bearer(token) })).statusCode, 200)
  }
  t.same(app.rampartJwt.stats, { verifications: 1, cacheHits: 9, jwksFetches: 0 })
  t.equal(app.rampartJwt.cacheSize, 1)
})

t.test('the same token through the cookie hits the same entry', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 600 })
  await app.inject({ url: '/api/protected', headers: bearer(token) })
  await app.inject({ url: '/api/protected', headers: { cookie: `access_token=${token}` } })
  t.equal(app.rampartJwt.stats.verifications, 1)
})

t.test('a cached signature never vouches for another payload', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 600 })
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(token) })).statusCode, 200)
  const [header, , signature] = token.split('.')
  const tampered = `${header}.${b64url({ sub: 'admin', exp: clock.seconds + 600 })}.${signature}`
  const response = await app.inject({ url: '/api/protected', headers: bearer(tampered) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'invalid token: bad signature')
})

t.test('only verified tokens are cached: forged ones are checked every time', async (t) => {
  const app = await build()
  const forged = hmacToken('x'.repeat(32), { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 })
  for (let i = 0; i < 3; i++) await app.inject({ url: '/api/protected', headers: bearer(forged) })
  t.equal(app.rampartJwt.cacheSize, 0)
  t.equal(app.rampartJwt.stats.verifications, 3)
})

t.test('an entry ends at the token exp at the latest, then the tolerance is checked again', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, clockTolerance: 30, cache: { ttl: 3_600_000 } })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 10 })
  const status = async () => (await app.inject({ url: '/api/protected', headers: bearer(token) })).statusCode
  t.equal(await status(), 200)
  clock.advance(9_999)
  t.equal(await status(), 200)
  t.equal(app.rampartJwt.stats.verifications, 1, 'a hit before exp')
  clock.advance(1)
  t.equal(await status(), 200, 'within the tolerance: verified again, not cached')
  t.equal(app.rampartJwt.stats.verifications, 2)
  clock.advance(30_000)
  t.equal(await status(), 401)
})

t.test('an entry ends after cache.ttl', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, cache: { ttl: 1000 } })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 600 })
  await app.inject({ url: '/api/protected', headers: bearer(token) })
  clock.advance(999)
  await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(app.rampartJwt.stats.verifications, 1)
  clock.advance(1)
  await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(app.rampartJwt.stats.verifications, 2)
})

t.test('bounded: beyond maxEntries the oldest entry not read since goes (second chance)', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, cache: { maxEntries: 3 } })
  const tokens = Array.from({ length: 4 }, (_, i) => hmacToken(SECRET, { sub: `u${i}`, exp: clock.seconds + 600 }))
  const get = (token: string) => app.inject({ url: '/api/protected', headers: bearer(token) })
  for (const token of tokens.slice(0, 3)) await get(token)
  await get(tokens[0] as string) // u0 read: it gets a second chance; u1 was not
  await get(tokens[3] as string) // evicts u1
  t.equal(app.rampartJwt.cacheSize, 3)
  t.equal(app.rampartJwt.stats.verifications, 4)
  await get(tokens[0] as string)
  await get(tokens[2] as string)
  t.equal(app.rampartJwt.stats.verifications, 4, 'u0 and u2 still cached')
  await get(tokens[1] as string)
  t.equal(app.rampartJwt.stats.verifications, 5, 'u1 was dropped')
})

t.test('cache: false checks every signature', async (t) => {
  const app = await build({ cache: false })
  const token = hmacToken(SECRET, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 600 })
  for (let i = 0; i < 3; i++) await app.inject({ url: '/api/protected', headers: bearer(token) })
  t.equal(app.rampartJwt.stats.verifications, 3)
  t.equal(app.rampartJwt.stats.cacheHits, 0)
})

t.test('a cached token revoked afterwards is refused at once: the cache never skips the denylist', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now })
  const token = app.rampartJwt.signToken({ sub: 'u' })
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(token.token) })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(token.token) })).statusCode, 200)
  await app.rampartJwt.revoke(token.jti, token.expiresAt)
  const response = await app.inject({ url: '/api/protected', headers: bearer(token.token) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().detail, 'token revoked')
  t.equal(app.rampartJwt.stats.verifications, 1, 'refused from the cache, without a new signature check')
})
