import {
  addHooklessHeaders,
  declareClientAddress,
  getClientAddress,
  resolvePerRoute,
  routeSettings,
} from '@rampart/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PACKAGE } from './errors.js'
import { compileHeaderSet, type HeaderSet } from './header-set.js'
import { freshNonce } from './nonce.js'
import { type HeadersOptions, resolveOptions, resolveRouteOptions } from './options.js'

declare module 'fastify' {
  interface FastifyReply {
    /**
     * This response's CSP nonce, for `<script nonce="…">` and `<style nonce="…">`: fresh per
     * response, the same one the policies carry. `undefined` when the route's policies take no nonce.
     */
    readonly cspNonce: string | undefined
  }
}

const kHeaderSet = Symbol('rampart.headers.set')
const kPluginSet = Symbol('rampart.headers.pluginSet')
const kNonce = Symbol('rampart.headers.nonce')
type WithNonce = FastifyReply & { [kNonce]: string }

/** The reply's nonce, drawn on first use (by the handler through `reply.cspNonce`, or in onSend). */
function nonceOf(reply: FastifyReply): string {
  let nonce = (reply as WithNonce)[kNonce]
  if (nonce === '') {
    nonce = freshNonce()
    ;(reply as WithNonce)[kNonce] = nonce
  }
  return nonce
}

function applyHeaders(request: FastifyRequest, reply: FastifyReply, set: HeaderSet): void {
  const names = set.names
  const values = set.values
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string
    if (!reply.hasHeader(name)) reply.header(name, values[i])
  }
  if (set.server !== false) reply.header('server', set.server)
  else if (reply.hasHeader('server')) reply.removeHeader('server')
  if (reply.hasHeader('x-powered-by')) reply.removeHeader('x-powered-by')
  if (
    set.hsts !== undefined &&
    getClientAddress(request).protocol === 'https' &&
    !reply.hasHeader('strict-transport-security')
  ) {
    reply.header('strict-transport-security', set.hsts)
  }
  const csp = set.csp
  if (csp !== undefined && !reply.hasHeader('content-security-policy')) {
    reply.header('content-security-policy', csp.length === 1 ? csp[0] : csp.join(nonceOf(reply)))
  }
  const reportOnly = set.cspReportOnly
  if (reportOnly !== undefined && !reply.hasHeader('content-security-policy-report-only')) {
    reply.header(
      'content-security-policy-report-only',
      reportOnly.length === 1 ? reportOnly[0] : reportOnly.join(nonceOf(reply)),
    )
  }
}

async function rampartHeaders(fastify: FastifyInstance, options: HeadersOptions): Promise<void> {
  const settings = resolveOptions(options)
  const global = compileHeaderSet(settings)
  const headerSetOf = (request: FastifyRequest): HeaderSet | false =>
    routeSettings<HeaderSet | false>(request, kHeaderSet) ?? global

  declareClientAddress(fastify)
  fastify.decorate(kPluginSet, global)
  fastify.decorateReply(kNonce, '')
  fastify.decorateReply('cspNonce', {
    getter(this: FastifyReply): string | undefined {
      const set = headerSetOf(this.request)
      return set !== false && set.nonce ? nonceOf(this) : undefined
    },
  })

  // Per route, once: no config keeps the plugin's set; false opts out; options compile their own.
  resolvePerRoute<HeaderSet | false>(fastify, kHeaderSet, (_route, rampart) => {
    const own = rampart?.headers
    if (own === undefined) return global
    if (own === false) return false
    return compileHeaderSet(resolveRouteOptions(own, settings))
  })

  // onSend, not onRequest: it runs for every reply.send, so the headers are on handler replies,
  // on refusals from any hook (including onRequest hooks registered before this plugin, which
  // skip every later onRequest hook) and on Fastify's own 404, 400, 413, 415 and 500 replies.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const set = headerSetOf(request)
    if (set !== false) applyHeaders(request, reply, set)
    done(null, payload)
  })

  // Replies no hook sees (Node's parser refusals, undecodable URLs) get the same headers through
  // core's problemClientErrorHandler and problemFrameworkErrors.
  addHooklessHeaders(fastify, hooklessProvider(global))
}

/** The plugin's headers for a problem+json no hook passes; a fresh nonce each, as on every response. */
function hooklessProvider(set: HeaderSet): (requestId: string, secure: boolean) => Readonly<Record<string, string>> {
  const fixed: Record<string, string> = {}
  for (let i = 0; i < set.names.length; i++) fixed[set.names[i] as string] = set.values[i] as string
  if (set.server !== false) fixed.server = set.server
  return (_requestId, secure) => {
    const headers = { ...fixed }
    if (set.csp !== undefined) headers['content-security-policy'] = set.csp.join(freshNonce())
    if (set.cspReportOnly !== undefined) {
      headers['content-security-policy-report-only'] = set.cspReportOnly.join(freshNonce())
    }
    if (secure && set.hsts !== undefined) headers['strict-transport-security'] = set.hsts
    return headers
  }
}

/**
 * Adds the plugin's headers to a reply that skips every hook, in a `frameworkErrors` handler of
 * your own (core's `problemFrameworkErrors` needs no help):
 * `Fastify({ frameworkErrors: (error, request, reply) => applySecurityHeaders(reply).code(400).send(...) })`.
 * Does nothing when the plugin is not registered on the root instance.
 */
export function applySecurityHeaders(reply: FastifyReply): FastifyReply {
  const set = (reply.server as FastifyInstance & { [kPluginSet]?: HeaderSet })[kPluginSet]
  if (set !== undefined) applyHeaders(reply.request, reply, set)
  return reply
}

export { rampartHeaders }
export default fp(rampartHeaders, { fastify: '5.x', name: `@rampart/${PACKAGE}` })
