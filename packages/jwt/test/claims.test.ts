import t from 'tap'
import { bearer, build } from './fixtures/app.js'
import { FakeClock } from './fixtures/clock.js'
import { hmacToken, SECRET } from './fixtures/tokens.js'

async function status(app: Awaited<ReturnType<typeof build>>, token: string) {
  const response = await app.inject({ url: '/api/protected', headers: bearer(token) })
  return { status: response.statusCode, detail: response.json().detail as string | undefined }
}

t.test('exp: refused from exp + clockTolerance on, with the injected clock', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, clockTolerance: 30, cache: false })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 60 })
  t.equal((await status(app, token)).status, 200)
  clock.advance(60_000)
  t.equal((await status(app, token)).status, 200, 'at exp, within the tolerance')
  clock.advance(29_999)
  t.equal((await status(app, token)).status, 200, 'just inside the tolerance')
  clock.advance(1)
  t.same(await status(app, token), { status: 401, detail: 'token expired' })
})

t.test('exp with clockTolerance 0 is exact', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, clockTolerance: 0, cache: false })
  const token = hmacToken(SECRET, { sub: 'u', exp: clock.seconds + 1 })
  clock.advance(999)
  t.equal((await status(app, token)).status, 200)
  clock.advance(1)
  t.equal((await status(app, token)).status, 401)
})

t.test('nbf: refused until nbf - clockTolerance', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, clockTolerance: 30 })
  const token = hmacToken(SECRET, { sub: 'u', nbf: clock.seconds + 100, exp: clock.seconds + 3600 })
  t.same(await status(app, token), { status: 401, detail: 'token not yet valid' })
  clock.advance(69_999)
  t.equal((await status(app, token)).status, 401)
  clock.advance(1)
  t.equal((await status(app, token)).status, 200, 'within the tolerance')
})

t.test('a token without exp is refused unless requireExpiration is false', async (t) => {
  const strict = await build()
  t.same(await status(strict, hmacToken(SECRET, { sub: 'u' })), { status: 401, detail: 'invalid token: no expiry' })
  const lax = await build({ requireExpiration: false })
  t.equal((await status(lax, hmacToken(SECRET, { sub: 'u' }))).status, 200)
})

t.test('iss: checked when configured, required then', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, issuer: ['https://auth.example', 'https://sso.example'] })
  const exp = clock.seconds + 600
  t.equal((await status(app, hmacToken(SECRET, { sub: 'u', exp, iss: 'https://auth.example' }))).status, 200)
  t.equal((await status(app, hmacToken(SECRET, { sub: 'u', exp, iss: 'https://sso.example' }))).status, 200)
  for (const iss of [
    'https://evil.example',
    'https://auth.example/',
    'HTTPS://AUTH.EXAMPLE',
    ['https://auth.example'],
    undefined,
  ]) {
    t.same(
      await status(app, hmacToken(SECRET, { sub: 'u', exp, iss })),
      {
        status: 401,
        detail: 'invalid token: issuer not allowed',
      },
      JSON.stringify(iss),
    )
  }
  const open = await build({ now: clock.now })
  t.equal(
    (await status(open, hmacToken(SECRET, { sub: 'u', exp, iss: 'anyone' }))).status,
    200,
    'not checked when not configured',
  )
})

t.test('aud: one of the token audiences must be configured', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, audience: 'api.example' })
  const exp = clock.seconds + 600
  t.equal((await status(app, hmacToken(SECRET, { sub: 'u', exp, aud: 'api.example' }))).status, 200)
  t.equal((await status(app, hmacToken(SECRET, { sub: 'u', exp, aud: ['other', 'api.example'] }))).status, 200)
  for (const aud of ['other', ['other'], [], 42, undefined]) {
    t.same(
      await status(app, hmacToken(SECRET, { sub: 'u', exp, aud })),
      {
        status: 401,
        detail: 'invalid token: audience not allowed',
      },
      JSON.stringify(aud),
    )
  }
})

t.test('identity: sub, tier claim, scopes from scope, scopes and permissions, claims', async (t) => {
  const clock = new FakeClock()
  const app = await build({ now: clock.now, tierClaim: 'plan', defaultTier: 'free' })
  const exp = clock.seconds + 600
  const token = hmacToken(SECRET, {
    sub: 'user-7',
    exp,
    plan: 'enterprise',
    scope: 'read  write',
    scopes: ['write', 'admin', 7],
    permissions: ['billing:read'],
  })
  const identity = (await app.inject({ url: '/api/protected', headers: bearer(token) })).json().identity
  t.same(identity, {
    id: 'user-7',
    kind: 'user',
    tier: 'enterprise',
    scopes: ['read', 'write', 'admin', 'billing:read'],
    claims: {
      sub: 'user-7',
      exp,
      plan: 'enterprise',
      scope: 'read  write',
      scopes: ['write', 'admin', 7],
      permissions: ['billing:read'],
    },
  })
  const plain = hmacToken(SECRET, { sub: 'user-8', exp, tier: 'pro' })
  const fallback = (await app.inject({ url: '/api/protected', headers: bearer(plain) })).json().identity
  t.equal(fallback.tier, 'free', 'the tier claim is "plan" here, so "tier" is ignored and the default applies')
  t.same(fallback.scopes, [])
})

t.test('the identity is frozen', async (t) => {
  const app = await build()
  let seen: unknown
  app.get('/api/frozen', async (request) => {
    seen = request.identity
    return 'ok'
  })
  const token = hmacToken(SECRET, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60, scope: 'a' })
  await app.inject({ url: '/api/frozen', headers: bearer(token) })
  t.ok(Object.isFrozen(seen))
  t.ok(Object.isFrozen((seen as { scopes: unknown }).scopes))
  t.ok(Object.isFrozen((seen as { claims: unknown }).claims))
})
