import t from 'tap'
import { SEED_CSP_DIRECTIVES } from '../src/index.js'
import { build } from './fixtures/build.js'

t.test('CSP from directives (seed 002) or a string, enforcing and report-only at once', async (t) => {
  const app = await build({ csp: SEED_CSP_DIRECTIVES, cspReportOnly: "default-src 'none'; report-uri /csp" })
  const response = await app.inject('/')
  t.equal(
    response.headers['content-security-policy'],
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; frame-src 'none'",
  )
  t.equal(response.headers['content-security-policy-report-only'], "default-src 'none'; report-uri /csp")
  const camel = await build({ csp: { defaultSrc: ["'self'"], upgradeInsecureRequests: true } })
  t.equal((await camel.inject('/')).headers['content-security-policy'], "default-src 'self'; upgrade-insecure-requests")
})

t.test('per-request nonces: in the header and on reply.cspNonce, fresh each time', async (t) => {
  const app = await build({ csp: { 'default-src': ["'self'"] }, cspNonce: true }, (app) => {
    app.get('/page', async (_request, reply) => ({ nonce: reply.cspNonce }))
  })
  const first = await app.inject('/page')
  const second = await app.inject('/page')
  const nonce = first.json().nonce as string
  t.match(nonce, /^[A-Za-z0-9+/]{22}==$/)
  t.not(nonce, second.json().nonce)
  t.equal(
    first.headers['content-security-policy'],
    `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'`,
    "script-src and style-src keep default-src's sources",
  )
  const unused = await app.inject('/')
  t.match(
    unused.headers['content-security-policy'],
    /'nonce-[A-Za-z0-9+/]+=*'/,
    'a nonce even when the handler used none',
  )
})

t.test('bad policies fail register, naming the directive', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ 'script-src': ["'self'"] }, /no "default-src"/],
    [{ 'default-src': ['self'] }, /keyword self must be single-quoted/],
    [{ 'default-src': ["'self'", 'none'] }, /keyword none must be single-quoted/],
    [{ 'default-src': ["'none'", "'self'"] }, /'none' cannot be combined/],
    [{ 'default-src': ["'self'"], 'scrpt-src': ["'self'"] }, /"scrpt-src" is not a CSP directive/],
    [{ 'default-src': ["'self'; script-src *"] }, /invalid source/],
    [{ 'default-src': ["'self'\r\nX-Evil: 1"] }, /invalid source/],
    [{ 'default-src': ["'selfish'"] }, /not a CSP keyword/],
    ["default-src 'self'; default-src *", /appears twice/],
    ["script-src 'self'", /no "default-src"/],
  ]
  for (const [csp, message] of cases) {
    await t.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong policies
      build({ csp: csp as any }),
      { code: 'RAMPART_HEADERS_INVALID_OPTION', message: /option "csp" is not a valid policy/ },
    )
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong policies
    await t.rejects(build({ cspReportOnly: csp as any }), { message })
  }
})
