import Fastify from 'fastify'
import t from 'tap'
import { createJwtStrategy, MemoryDenylist, RedisDenylist, rejectedChannel } from '../src/index.js'
import { bearer, build } from './fixtures/app.js'
import { FakeClock } from './fixtures/clock.js'
import { testClient, uniquePrefix } from './fixtures/redis.js'
import { hmacToken, SECRET } from './fixtures/tokens.js'

t.test('in memory: a revoked jti is refused until exp + clockTolerance, other tokens are not', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, clockTolerance: 30 })
  const revoked = app.rampartJwt.signToken({ sub: 'u' }, { expiresIn: 60 })
  const other = app.rampartJwt.signToken({ sub: 'u' }, { expiresIn: 60 })
  await app.rampartJwt.revoke(revoked.jti, revoked.expiresAt)
  const get = (token: string) => app.inject({ url: '/api/protected', headers: bearer(token) })
  const response = await get(revoked.token)
  t.equal(response.statusCode, 401)
  t.equal(
    response.headers['www-authenticate'],
    'Bearer realm="api", error="invalid_token", error_description="token revoked"',
  )
  t.equal((await get(other.token)).statusCode, 200)
  // Past exp but inside the tolerance the token would verify again: the revocation must still hold.
  clock.advance(60_000 + 29_000)
  t.equal((await get(revoked.token)).statusCode, 401)
  t.equal((await get(other.token)).statusCode, 200)
})

t.test('MemoryDenylist: bounded, never drops a live revocation, sweeps expired ones', async (t) => {
  const clock = new FakeClock()
  const denylist = new MemoryDenylist({ maxEntries: 2, now: clock.now })
  denylist.add('a', clock.seconds + 10)
  denylist.add('b', clock.seconds + 100)
  t.throws(() => denylist.add('c', clock.seconds + 100), { code: 'RAMPART_JWT_DENYLIST_FULL' })
  t.ok(denylist.has('a') && denylist.has('b'))
  denylist.add('a', clock.seconds + 5)
  t.ok(denylist.has('a'), 'a shorter revocation never shortens a longer one')
  clock.advance(10_000)
  denylist.add('c', clock.seconds + 100)
  t.notOk(denylist.has('a'), 'expired')
  t.ok(denylist.has('c'))
  denylist.add('d', clock.seconds - 1)
  t.notOk(denylist.has('d'), 'an already expired revocation is not kept')
  t.throws(() => new MemoryDenylist({ maxEntries: 0 }), TypeError)
})

t.test('Redis: a revocation on one instance is refused by another, cached or not', async (t) => {
  const prefix = uniquePrefix()
  const client = testClient(t, prefix)
  const clock = new FakeClock()
  clock.time = Date.now()
  const options = { now: clock.now, denylist: new RedisDenylist({ client, prefix }) }
  const a = await build(options)
  const b = await build(options)
  const issued = a.rampartJwt.signToken({ sub: 'u' }, { expiresIn: 120 })
  const get = (app: typeof a) => app.inject({ url: '/api/protected', headers: bearer(issued.token) })
  t.equal((await get(b)).statusCode, 200)
  t.equal((await get(b)).statusCode, 200, 'now cached on b')
  await a.rampartJwt.revoke(issued.jti, issued.expiresAt)
  t.equal((await get(b)).statusCode, 401)
  t.equal((await get(a)).statusCode, 401)
  const ttl = await client.ttl(`${prefix}${issued.jti}`)
  t.ok(ttl > 120 && ttl <= 151, `kept until exp + tolerance (ttl ${ttl})`)
  const fresh = a.rampartJwt.sign({ sub: 'u' })
  t.equal((await a.inject({ url: '/api/protected', headers: bearer(fresh) })).statusCode, 200)
})

t.test('Redis unreachable: 503 for tokens with a jti, never 500; tokens without jti are unaffected', async (t) => {
  const denylist = new RedisDenylist({ url: 'redis://127.0.0.1:1', commandTimeout: 100 })
  denylist.client.on('error', () => {})
  const app = await build({ denylist })
  t.teardown(() => app.close())
  const withJti = app.rampartJwt.sign({ sub: 'u' })
  const response = await app.inject({ url: '/api/protected', headers: bearer(withJti) })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'RAMPART_JWT_UNAVAILABLE')
  t.equal(response.headers['retry-after'], '1', 'says when to retry')
  t.equal(
    (await app.inject({ url: '/api/protected', headers: bearer(withJti) })).statusCode,
    503,
    'cached: still checked',
  )
  const withoutJti = hmacToken(SECRET, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 })
  t.equal((await app.inject({ url: '/api/protected', headers: bearer(withoutJti) })).statusCode, 200)
  await t.rejects(app.rampartJwt.revoke('x', Math.floor(Date.now() / 1000) + 60), {
    code: 'RAMPART_JWT_DENYLIST_FAILED',
  })
})

t.test('through the strategy a denylist failure rejects (for @rampart/auth to answer 503)', async (t) => {
  const strategy = createJwtStrategy(Fastify(), {
    secret: SECRET,
    denylist: {
      add() {},
      has() {
        throw new Error('boom')
      },
    },
  })
  const token = strategy.sign({ sub: 'u' })
  t.throws(() => strategy.authenticate({ headers: bearer(token) } as never), { code: 'RAMPART_JWT_DENYLIST_FAILED' })
  const async = createJwtStrategy(Fastify(), {
    secret: SECRET,
    denylist: { add: async () => {}, has: async () => Promise.reject(new Error('down')) },
  })
  await t.rejects(async () => async.authenticate({ headers: bearer(async.sign({ sub: 'u' })) } as never), {
    code: 'RAMPART_JWT_DENYLIST_FAILED',
  })
})

t.test('revoke checks its arguments; RedisDenylist checks its options', async (t) => {
  const app = await build()
  await t.rejects(app.rampartJwt.revoke('', 1), TypeError)
  await t.rejects(app.rampartJwt.revoke('x', Number.NaN), TypeError)
  t.throws(() => new RedisDenylist({} as never), { code: 'RAMPART_JWT_INVALID_OPTION', message: /denylist/ })
  t.throws(() => new RedisDenylist({ url: 'redis://x', prefix: 'bad prefix' }), TypeError)
  t.throws(() => new RedisDenylist({ url: 'redis://x', commandTimeout: 0 }), { message: /denylist\.commandTimeout/ })
  t.throws(() => new RedisDenylist({ url: 'redis://x', client: {} as never }), { message: /denylist/ })
})

t.test('standalone plugin: a denylist that throws is 503 with a rejected "unavailable" event', async (t) => {
  const app = await build({
    denylist: {
      add() {},
      has() {
        throw new Error('boom')
      },
    },
  })
  const reasons: string[] = []
  const unsubscribe = rejectedChannel.subscribe((event) => reasons.push(event.reason))
  t.teardown(unsubscribe)
  const response = await app.inject({ url: '/api/protected', headers: bearer(app.rampartJwt.sign({ sub: 'u' })) })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'RAMPART_JWT_UNAVAILABLE')
  t.notOk(response.headers['www-authenticate'], 'not a credentials problem')
  t.same(reasons, ['unavailable'])
})
