import type { Identity } from '@rampart/core'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import rampartMfa, { type MfaPluginOptions, sendMfaFailure, verifiedChannel } from '../src/index.js'
import { Clock, oathtool, PEPPER, requireOathtool, testKeyring } from './fixtures/helpers.js'

requireOathtool()

/**
 * Stands in for @rampart/auth: `x-user: <id>` and `x-amr: pwd,otp` make the identity. The routes
 * are those the demo exposes (seed 002's names).
 */
async function build(options: Partial<MfaPluginOptions> = {}): Promise<{ app: FastifyInstance; clock: Clock }> {
  const clock = new Clock()
  const app = Fastify()
  app.addHook('onRequest', async (request) => {
    const user = request.headers['x-user']
    if (typeof user !== 'string') return
    const amr = request.headers['x-amr']
    const identity: Identity = {
      id: user,
      kind: 'user',
      scopes: [],
      claims: { sub: user, ...(typeof amr === 'string' ? { amr: amr.split(',') } : {}) },
    }
    request.identity = identity
  })
  await app.register(rampartMfa, {
    keyring: testKeyring(),
    pepper: PEPPER,
    issuer: 'Rampart Demo',
    now: clock.now,
    ...options,
  })

  app.post('/auth/mfa/setup', async (request, reply) => {
    const identity = request.identity
    if (!identity) return reply.code(401).send()
    const setup = await app.mfa.setup(identity.id, identity.id, { request })
    reply.header('cache-control', 'no-store')
    return {
      secret: setup.secret,
      qr_code: setup.qrPng,
      qr_svg: setup.qrSvg,
      otpauth_url: setup.otpauthUrl,
      backup_codes: setup.backupCodes,
    }
  })
  app.post<{ Body: { token?: unknown } }>('/auth/mfa/verify', async (request, reply) => {
    const identity = request.identity
    if (!identity) return reply.code(401).send()
    const status = await app.mfa.status(identity.id)
    const check = status?.enabled === false ? app.mfa.confirm : app.mfa.verify
    const result = await check.call(app.mfa, identity.id, request.body?.token, { request })
    if (!result.ok) return sendMfaFailure(reply, result)
    return { verified: true, method: result.method }
  })
  app.get('/api/sensitive', { config: { rampart: { mfa: { required: true } } } }, async () => ({ ok: true }))
  app.get('/api/open', async () => ({ ok: true }))
  app.get('/api/off', { config: { rampart: { mfa: false } } }, async () => ({ ok: true }))
  return { app, clock }
}

t.test('decorates fastify.mfa', async (t) => {
  const { app } = await build()
  t.teardown(() => app.close())
  t.type(app.mfa.setup, 'function')
  t.type(app.mfa.verify, 'function')
})

t.test('the demo flow: setup, confirm with a code from oathtool, then verify; problem+json refusals', async (t) => {
  const { app, clock } = await build()
  t.teardown(() => app.close())
  const setup = await app.inject({ method: 'POST', url: '/auth/mfa/setup', headers: { 'x-user': 'alice' } })
  t.equal(setup.statusCode, 200)
  t.equal(setup.headers['cache-control'], 'no-store')
  const { secret, qr_code, backup_codes } = setup.json()
  t.match(qr_code, /^data:image\/png;base64,/)
  t.equal(backup_codes.length, 10)

  const verify = (token: unknown) =>
    app.inject({ method: 'POST', url: '/auth/mfa/verify', headers: { 'x-user': 'alice' }, payload: { token } })
  t.same((await verify(oathtool(secret, clock.time))).json(), { verified: true, method: 'totp' }, 'confirm')

  const seedToken = await verify('123456')
  t.equal(seedToken.statusCode, 400, "the seed's test: 200 or 400")
  t.match(seedToken.headers['content-type'], /^application\/problem\+json/)
  t.match(seedToken.json(), { code: 'RAMPART_MFA_INVALID_CODE', reason: 'invalid' })

  for (const token of [12345, null, 'abc', '1'.repeat(10_000), { $gt: '' }]) {
    const response = await verify(token)
    t.equal(response.statusCode, 400, JSON.stringify(token)?.slice(0, 20))
    t.equal(response.json().reason, 'malformed')
  }
  const replay = await verify(oathtool(secret, clock.time))
  t.equal(replay.statusCode, 400)
  t.equal(replay.json().reason, 'invalid', 'a replay is reported as invalid')

  t.same((await verify(backup_codes[0])).json(), { verified: true, method: 'backup' })
  t.equal((await verify(backup_codes[0])).statusCode, 400, 'a backup code works once')
})

t.test('lockout is a 429 with Retry-After', async (t) => {
  const { app } = await build({ maxFailures: 2 })
  t.teardown(() => app.close())
  const { secret } = (await app.inject({ method: 'POST', url: '/auth/mfa/setup', headers: { 'x-user': 'bob' } })).json()
  const verify = (token: string) =>
    app.inject({ method: 'POST', url: '/auth/mfa/verify', headers: { 'x-user': 'bob' }, payload: { token } })
  const wrong = String((Number(oathtool(secret, Date.UTC(2026, 0, 1))) + 1) % 1_000_000).padStart(6, '0')
  await verify(wrong)
  await verify(wrong)
  const locked = await verify(wrong)
  t.equal(locked.statusCode, 429)
  t.equal(locked.headers['retry-after'], '60')
  t.equal(locked.json().code, 'RAMPART_MFA_LOCKED')
})

t.test('the same code sent twice at once over HTTP: one 200, one 400', async (t) => {
  const { app, clock } = await build({ maxFailures: 100 })
  t.teardown(() => app.close())
  const origin = await app.listen({ host: '127.0.0.1', port: 0 })
  const post = async (url: string, body?: unknown) => {
    const response = await fetch(`${origin}${url}`, {
      method: 'POST',
      headers: { 'x-user': 'carol', 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    })
    return { status: response.status, body: (await response.json()) as { secret: string } }
  }
  const { body } = await post('/auth/mfa/setup')
  t.equal((await post('/auth/mfa/verify', { token: oathtool(body.secret, clock.time) })).status, 200)
  for (let round = 1; round <= 3; round++) {
    clock.advance(30_000)
    const token = oathtool(body.secret, clock.time)
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => post('/auth/mfa/verify', { token })))).map(
      (response) => response.status,
    )
    t.same(statuses.sort(), [200, 400, 400, 400, 400, 400], `round ${round}`)
  }
})

t.test('config.rampart.mfa: { required: true } needs an amr of otp or mfa', async (t) => {
  const { app } = await build()
  t.teardown(() => app.close())
  const anonymous = await app.inject('/api/sensitive')
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['www-authenticate'], 'Bearer')
  t.equal(anonymous.json().code, 'RAMPART_MFA_UNAUTHENTICATED')

  const passwordOnly = await app.inject({ url: '/api/sensitive', headers: { 'x-user': 'dave', 'x-amr': 'pwd' } })
  t.equal(passwordOnly.statusCode, 403)
  t.match(passwordOnly.headers['content-type'], /^application\/problem\+json/)
  t.equal(passwordOnly.json().code, 'RAMPART_MFA_REQUIRED')
  t.equal((await app.inject({ url: '/api/sensitive', headers: { 'x-user': 'dave' } })).statusCode, 403, 'no amr')

  for (const amr of ['pwd,otp', 'mfa', 'otp']) {
    const response = await app.inject({ url: '/api/sensitive', headers: { 'x-user': 'dave', 'x-amr': amr } })
    t.equal(response.statusCode, 200, amr)
  }
  t.equal((await app.inject('/api/open')).statusCode, 200, 'routes without the config are untouched')
  t.equal((await app.inject('/api/off')).statusCode, 200)
  t.equal((await app.inject('/nowhere')).statusCode, 404)
})

t.test('amrValues, a string amr claim, and challenge: false', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRequest', async (request) => {
    const amr = request.headers['x-amr']
    if (amr === undefined) return
    request.identity = { id: 'erin', kind: 'user', scopes: [], claims: { amr } }
  })
  await app.register(rampartMfa, {
    keyring: testKeyring(),
    pepper: PEPPER,
    issuer: 'x',
    amrValues: ['hwk'],
    challenge: false,
    hook: 'onRequest',
  })
  app.get('/k', { config: { rampart: { mfa: { required: true } } } }, async () => 'ok')
  const anonymous = await app.inject('/k')
  t.equal(anonymous.statusCode, 401)
  t.notOk(anonymous.headers['www-authenticate'])
  t.equal((await app.inject({ url: '/k', headers: { 'x-amr': 'hwk' } })).statusCode, 200, 'string claim')
  t.equal((await app.inject({ url: '/k', headers: { 'x-amr': 'otp' } })).statusCode, 403, 'otp not listed here')
})

t.test(
  'a route registered before the plugin is checked too; a bad route config fails when the route is added',
  async (t) => {
    const early = Fastify()
    t.teardown(() => early.close())
    early.register(async (scope) => {
      scope.get('/early', { config: { rampart: { mfa: { required: true } } } }, async () => 'ok')
    })
    await early.register(rampartMfa, { keyring: testKeyring(), pepper: PEPPER, issuer: 'x' })
    t.equal((await early.inject('/early')).statusCode, 401)

    const bad = Fastify()
    await bad.register(rampartMfa, { keyring: testKeyring(), pepper: PEPPER, issuer: 'x' })
    t.throws(
      () =>
        // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
        bad.get('/bad', { config: { rampart: { mfa: { required: 'yes' } as any } } }, async () => 'ok'),
      { code: 'RAMPART_MFA_INVALID_OPTION', message: /config\.rampart\.mfa \(route GET \/bad\)\.required/ },
    )
  },
)

t.test('events carry the request when the route passes it', async (t) => {
  const { app, clock } = await build()
  t.teardown(() => app.close())
  const seen: string[] = []
  const unsubscribe = verifiedChannel.subscribe((event) =>
    seen.push(`${event.userId} ${event.method} ${event.request?.url}`),
  )
  t.teardown(unsubscribe)
  const { secret } = (
    await app.inject({ method: 'POST', url: '/auth/mfa/setup', headers: { 'x-user': 'frank' } })
  ).json()
  await app.inject({
    method: 'POST',
    url: '/auth/mfa/verify',
    headers: { 'x-user': 'frank' },
    payload: { token: oathtool(secret, clock.time) },
  })
  t.same(seen, ['frank totp /auth/mfa/verify'])
})

t.test("the store's close() is called when Fastify closes", async (t) => {
  let closed = 0
  const app = Fastify()
  await app.register(rampartMfa, {
    keyring: testKeyring(),
    pepper: PEPPER,
    issuer: 'x',
    store: { get: () => null, put: () => true, delete: () => false, close: () => void closed++ },
  })
  await app.ready()
  t.equal(closed, 0)
  await app.close()
  t.equal(closed, 1)
})
