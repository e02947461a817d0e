import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { HeadersOptions } from '../src/index.js'
import { build } from './fixtures/build.js'

const NONCE = /^[A-Za-z0-9+/]{22}==$/

async function page(options: HeadersOptions, more?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = await build(options)
  app.get('/page', async (_request, reply) => ({ nonce: reply.cspNonce ?? null }))
  more?.(app)
  return app
}

t.test('a fresh nonce per response, the same in the header and on reply.cspNonce', async (t) => {
  const app = await page({ csp: { 'default-src': ["'self'"], 'script-src': ["'self'"] }, cspNonce: true })
  const seen = new Set<string>()
  for (let i = 0; i < 50; i++) {
    const response = await app.inject('/page')
    const nonce = response.json().nonce as string
    t.match(nonce, NONCE)
    t.equal(
      response.headers['content-security-policy'],
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'`,
    )
    seen.add(nonce)
  }
  t.equal(seen.size, 50, 'no nonce repeats')
})

t.test('a nonce in the header even when the handler never read it', async (t) => {
  const app = await page({ csp: "default-src 'self'", cspNonce: true })
  const first = (await app.inject('/')).headers['content-security-policy'] as string
  const second = (await app.inject('/')).headers['content-security-policy'] as string
  t.match(
    first,
    /^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/]{22}=='; style-src 'self' 'nonce-[A-Za-z0-9+/]{22}=='$/,
  )
  t.not(first, second)
})

t.test("a missing directive is created from its fallback; 'none' gives way to the nonce", async (t) => {
  const app = await page({
    csp: { 'default-src': ["'none'"], 'style-src': ["'self'"], 'img-src': ["'self'"] },
    cspNonce: ['script-src', 'style-src', 'script-src-elem'],
  })
  const response = await app.inject('/page')
  const nonce = response.json().nonce as string
  t.equal(
    response.headers['content-security-policy'],
    `default-src 'none'; style-src 'self' 'nonce-${nonce}'; img-src 'self'; script-src 'nonce-${nonce}'; script-src-elem 'nonce-${nonce}'`,
  )
})

t.test('only the listed directives get it', async (t) => {
  const app = await page({ csp: { 'default-src': ["'self'"], 'style-src': ["'self'"] }, cspNonce: ['script-src'] })
  const response = await app.inject('/page')
  const nonce = response.json().nonce as string
  t.equal(
    response.headers['content-security-policy'],
    `default-src 'self'; style-src 'self'; script-src 'self' 'nonce-${nonce}'`,
  )
})

t.test('both policies carry the same nonce', async (t) => {
  const app = await page({
    csp: "default-src 'self'",
    cspReportOnly: "default-src 'none'; report-uri /r",
    cspNonce: ['script-src'],
  })
  const response = await app.inject('/page')
  const nonce = response.json().nonce as string
  t.equal(response.headers['content-security-policy'], `default-src 'self'; script-src 'self' 'nonce-${nonce}'`)
  t.equal(
    response.headers['content-security-policy-report-only'],
    `default-src 'none'; report-uri /r; script-src 'nonce-${nonce}'`,
  )
})

t.test('reply.cspNonce is undefined where the policies take no nonce', async (t) => {
  const off = await page({ csp: "default-src 'self'" })
  t.equal((await off.inject('/page')).json().nonce, null, 'nonces not enabled')
  const perRoute = await page({ csp: "default-src 'self'", cspNonce: true }, (app) => {
    app.get('/no-csp', { config: { rampart: { headers: { csp: false } } } }, async (_request, reply) => ({
      nonce: reply.cspNonce ?? null,
    }))
    app.get('/opted-out', { config: { rampart: { headers: false } } }, async (_request, reply) => ({
      nonce: reply.cspNonce ?? null,
    }))
  })
  t.equal((await perRoute.inject('/no-csp')).json().nonce, null, 'route without a policy')
  t.equal((await perRoute.inject('/opted-out')).json().nonce, null, 'route opted out')
})

t.test('a refusal gets a nonce too (its own, never read)', async (t) => {
  const app = await page({ csp: "default-src 'self'", cspNonce: true })
  const missing = await app.inject('/missing')
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-security-policy'], /'nonce-[A-Za-z0-9+/]{22}=='/)
})
