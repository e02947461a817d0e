import {
  type ClientAddress,
  ClientAddressResolver,
  declareClientAddress,
  getClientAddress,
  setClientAddressResolver,
} from '@rampart/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AlreadyRegisteredError, PACKAGE } from './errors.js'
import { type ProxyHeadersOptions, resolveOptions } from './options.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Where the client comes from, resolved once through the trusted proxies of
     * @rampart/proxy-headers: `{ ip, peer, protocol, host, viaProxy }`. Lazy and memoised.
     */
    readonly clientAddress: ClientAddress
    /** `clientAddress.ip`: the client IP as every Rampart plugin sees it. */
    readonly clientIp: string
  }
}

function clientAddressGetter(this: FastifyRequest): ClientAddress {
  return getClientAddress(this)
}

function clientIpGetter(this: FastifyRequest): string {
  return getClientAddress(this).ip
}

async function rampartProxyHeaders(fastify: FastifyInstance, options: ProxyHeadersOptions): Promise<void> {
  const settings = resolveOptions(options)
  if (fastify.hasRequestDecorator('clientAddress')) throw new AlreadyRegisteredError()

  // One resolver for the whole application: every plugin registered after this one, and the app,
  // resolve the client through it. Disabled means trust nobody, which is also core's default.
  const resolver = new ClientAddressResolver(
    settings.enabled ? { trustedProxies: settings.trustedProxies, header: settings.header } : undefined,
  )
  setClientAddressResolver(fastify, resolver)
  declareClientAddress(fastify)

  // Getters, no hook: nothing is parsed until someone asks, and then only once per request.
  fastify.decorateRequest('clientAddress', { getter: clientAddressGetter })
  fastify.decorateRequest('clientIp', { getter: clientIpGetter })

  if (resolver.trustedProxies?.trustsEveryone === true) {
    const entries = settings.trustedProxies.join(', ')
    fastify.addHook('onReady', async function warnTrustsEveryone(this: FastifyInstance) {
      this.log.warn(
        { trustedProxies: settings.trustedProxies },
        `@rampart/${PACKAGE}: trustedProxies (${entries}) covers every address, so any client can set its own IP, protocol and host with a header; list only your proxies`,
      )
    })
  }
}

export { rampartProxyHeaders }
export default fp(rampartProxyHeaders, { fastify: '5.x', name: `@rampart/${PACKAGE}` })
