import Fastify from 'fastify'
import t from 'tap'
import rampartCsrf, { DEFAULTS, resolveOptions } from '../src/index.js'
import { SECRET, sidCookie } from './fixtures/helpers.js'

const base = { secret: SECRET, sessionId: sidCookie }

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /option "secret" is required/],
    [{ sessionId: sidCookie }, /option "secret" is required/],
    [{ secret: SECRET }, /option "sessionId" is required/],
    [{ ...base, sessionId: 'sid' }, /option "sessionId" must be a function/],
    [{ ...base, secret: 'too short' }, /option "secret" must be at least 32 bytes \(got 9\)/],
    [{ ...base, secret: Buffer.alloc(31) }, /option "secret" must be at least 32 bytes \(got 31\)/],
    [{ ...base, secret: 42 }, /option "secret" must be a string or a Uint8Array \(got 42\)/],
    [{ ...base, secret: [] }, /option "secret" must name at least one secret/],
    [{ ...base, secret: [SECRET, 'short'] }, /option "secret\[1\]" must be at least 32 bytes/],
    [{ ...base, cookieName: 'a b' }, /option "cookieName" must match/],
    [{ ...base, cookieName: '' }, /option "cookieName" must not be empty/],
    [
      { ...base, cookieSecure: false },
      /option "cookieName" cannot start with __Host- or __Secure- when cookieSecure is false/,
    ],
    [{ ...base, cookieSecure: false, cookieName: 'csrf' }, /option "preSessionCookieName" cannot start with __Host-/],
    [
      { ...base, cookieName: '__Secure-x', cookieSecure: false, preSessionCookieName: 'p' },
      /option "cookieName" cannot start/,
    ],
    [{ ...base, preSessionCookieName: '__Host-csrf' }, /option "preSessionCookieName" must differ from cookieName/],
    [{ ...base, cookieSameSite: 'Lax' }, /option "cookieSameSite" must be one of "lax", "strict", "none"/],
    [
      { ...base, cookieSameSite: 'none', cookieSecure: false, cookieName: 'c', preSessionCookieName: 'p' },
      /option "cookieSameSite" cannot be "none" without cookieSecure/,
    ],
    [{ ...base, headerNames: 'x-csrf-token' }, /option "headerNames" must be an array of strings/],
    [{ ...base, headerNames: [] }, /option "headerNames" must name at least one header/],
    [{ ...base, headerNames: ['x csrf'] }, /option "headerNames\[0\]" must match/],
    [{ ...base, headerNames: ['Cookie'] }, /option "headerNames\[0\]" cannot be the Cookie header/],
    [{ ...base, fieldName: 'a b' }, /option "fieldName" must match/],
    [{ ...base, exemptPaths: ['webhooks'] }, /option "exemptPaths\[0\]" must start with \//],
    [{ ...base, skipWhenNoCookies: 'yes' }, /option "skipWhenNoCookies" must be true or false/],
    [{ ...base, fetchMetadata: 1 }, /option "fetchMetadata" must be true or false/],
    [{ ...base, allowSameSite: null }, /option "allowSameSite" must be true or false \(got null\)/],
    [{ ...base, cookieName: null }, /option "cookieName" must be a string \(got null\)/],
    [{ ...base, allowedOrigins: ['null'] }, /option "allowedOrigins\[0\]" cannot be 'null'/],
    [{ ...base, allowedOrigins: ['https://*.example.com'] }, /option "allowedOrigins\[0\]" is not a pattern/],
    [{ ...base, allowedOrigins: ['example.com'] }, /option "allowedOrigins\[0\]" must be an http\(s\) origin/],
    [{ ...base, allowedOrigins: ['ftp://example.com'] }, /must be an http\(s\) origin/],
    [
      { ...base, allowedOrigins: ['https://example.com/'] },
      /must be written as browsers send it: "https:\/\/example.com"/,
    ],
    [
      { ...base, allowedOrigins: ['https://Example.com'] },
      /must be written as browsers send it: "https:\/\/example.com"/,
    ],
    [
      { ...base, allowedOrigins: ['https://example.com:443'] },
      /must be written as browsers send it: "https:\/\/example.com"/,
    ],
    [{ ...base, secrets: [SECRET] }, /option "secrets" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartCsrf, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_CSRF_INVALID_OPTION', message }, String(message))
  }
})

t.test('defaults, and what resolving keeps', async (t) => {
  const resolved = resolveOptions({ ...base, secret: [SECRET, new Uint8Array(32).fill(7)] })
  t.ok(Object.isFrozen(resolved))
  t.same(resolved.secrets, [Buffer.from(SECRET), Buffer.alloc(32, 7)])
  t.equal(resolved.sessionId, sidCookie)
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) t.same(resolved[key], DEFAULTS[key], key)
  t.same(resolveOptions({ ...base, headerNames: ['X-CSRF'] }).headerNames, ['x-csrf'], 'header names lowercased')
  t.same(
    resolveOptions({ ...base, allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] }).allowedOrigins,
    ['https://app.example.com', 'http://localhost:5173'],
  )
})
