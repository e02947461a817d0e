import type { FastifyReply } from 'fastify'
import t from 'tap'
import type { HeadersOptions, RouteHeadersOptions } from '../src/index.js'
import { SEED_CSP_DIRECTIVES } from '../src/index.js'
import { build } from './fixtures/build.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: HeadersOptions = {
  production: true,
  frameOptions: 'SAMEORIGIN',
  referrerPolicy: ['no-referrer', 'strict-origin-when-cross-origin'],
  permissionsPolicy: { fullscreen: ['self'], camera: false },
  hsts: { maxAge: 600 },
  csp: { ...SEED_CSP_DIRECTIVES, upgradeInsecureRequests: true },
  cspReportOnly: "default-src 'none'",
  cspNonce: ['script-src'],
}
// @ts-expect-error X-Frame-Options ALLOW-FROM is obsolete and not offered
const badFrame: HeadersOptions = { frameOptions: 'ALLOW-FROM' }
// @ts-expect-error nonces go into script and style directives only
const badNonce: HeadersOptions = { cspNonce: ['img-src'] }
// @ts-expect-error production is the plugin's, not a route's
const badRoute: RouteHeadersOptions = { production: true }
const nonceType = (reply: FastifyReply): string | undefined => reply.cspNonce

t.test('the types accept what the plugin accepts', async (t) => {
  const app = await build(good)
  app.get(
    '/typed',
    { config: { rampart: { headers: { cacheControl: 'public, max-age=60' } } } },
    async (_request, reply) => nonceType(reply),
  )
  const response = await app.inject('/typed')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['cache-control'], 'public, max-age=60')
  t.ok(badFrame && badNonce && badRoute, 'the wrong values exist only for the compiler')
})
