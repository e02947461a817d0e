import { randomBytes } from 'node:crypto'
import { declareClientAddress, getClientAddress, resolvePerRoute, routeSettings } from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PACKAGE } from './errors.js'
import { compileHeaderSet, type HeaderSet, type HeadersOptions } from './options.js'

declare module 'fastify' {
  interface FastifyReply {
    /** This response's CSP nonce (with `cspNonce: true`): put it in `<script nonce="...">`. */
    readonly cspNonce: string
  }
}

const kHeaderSet = Symbol('rampart.headers.set')
const kNonce = Symbol('rampart.headers.nonce')
type WithNonce = FastifyReply & { [kNonce]: string | null }

function nonceOf(reply: FastifyReply): string {
  const slot = reply as WithNonce
  let nonce = slot[kNonce]
  if (nonce === null) {
    nonce = randomBytes(16).toString('base64')
    slot[kNonce] = nonce
  }
  return nonce
}

function apply(request: FastifyRequest, reply: FastifyReply, set: HeaderSet): void {
  const fixed = set.fixed
  for (let i = 0; i < fixed.length; i++) {
    const header = fixed[i] as readonly [string, string]
    if (!reply.hasHeader(header[0])) reply.header(header[0], header[1])
  }
  if (set.server === false) reply.removeHeader('server')
  else reply.header('server', set.server)
  if (reply.hasHeader('x-powered-by')) reply.removeHeader('x-powered-by')
  if (set.hsts !== undefined && getClientAddress(request).protocol === 'https') {
    reply.header('strict-transport-security', set.hsts)
  }
  if (set.csp !== undefined) {
    reply.header('content-security-policy', set.nonce ? set.csp.parts.join(nonceOf(reply)) : set.csp.parts[0])
  }
  if (set.cspReportOnly !== undefined) {
    reply.header(
      'content-security-policy-report-only',
      set.nonce ? set.cspReportOnly.parts.join(nonceOf(reply)) : set.cspReportOnly.parts[0],
    )
  }
}

async function rampartHeaders(fastify: FastifyInstance, options: HeadersOptions): Promise<void> {
  const global = compileHeaderSet(options)
  declareClientAddress(fastify)
  fastify.decorateReply(kNonce, null)
  fastify.decorateReply('cspNonce', {
    getter(this: FastifyReply) {
      return nonceOf(this)
    },
  })
  // Per route: false, the plugin's set, or the route's options compiled over the plugin's once.
  resolvePerRoute<HeaderSet | false>(fastify, kHeaderSet, (_route, rampart) => {
    const own = rampart?.headers
    if (own === false) return false
    if (own === undefined) return global
    return compileHeaderSet({ ...options, ...own }, 'config.rampart.headers')
  })

  // onSend runs for every reply sent through Fastify: handlers, refusals from any hook registered
  // before or after this one, the 404 handler and the error handler (400, 413, 415, 500).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const set = routeSettings<HeaderSet | false>(request, kHeaderSet) ?? global
    if (set !== false) apply(request, reply, set)
    done(null, payload)
  })
}

export { rampartHeaders }
export default fp(rampartHeaders, { fastify: '5.x', name: `@rampart/${PACKAGE}` })
