import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { normalizeIp } from './ip.js'
import { compileTrustedProxies, type TrustedProxyList } from './trusted-proxies.js'

/** Where the client comes from, as far as it can be trusted. */
export interface ClientAddress {
  /** The client IP (normalised; IPv4-mapped IPv6 as IPv4). Empty string if the socket has no peer. */
  readonly ip: string
  /** The socket peer: the client itself, or the nearest proxy. */
  readonly peer: string
  /** `https` when the socket is TLS or a trusted proxy says so. */
  readonly protocol: 'http' | 'https'
  /** The host the client asked for (lowercased, port kept), from `Host` or a trusted `X-Forwarded-Host`. */
  readonly host: string | undefined
  /** True when the address came from proxy headers sent by a trusted peer. */
  readonly viaProxy: boolean
}

/** Which header carries the client address through the proxies. */
export type ForwardedHeader = 'auto' | 'x-forwarded-for' | 'forwarded' | 'x-real-ip'

export interface ClientAddressOptions {
  /** Addresses, CIDRs or named ranges (`loopback`, `linklocal`, `uniquelocal`) of trusted proxies. */
  trustedProxies: readonly string[]
  /**
   * The header the proxies set. `auto` uses `X-Forwarded-For`, else `Forwarded`, else `X-Real-IP`.
   * Name the one your proxy writes when you can: a header the proxy passes through untouched is
   * whatever the client sent.
   */
  header?: ForwardedHeader
}

const HOST_PATTERN = /^[a-z0-9.\-_~:[\]]+$/

/** Resolves client addresses for one trust configuration. Pure: no Fastify state. */
export class ClientAddressResolver {
  readonly trustedProxies: TrustedProxyList | undefined
  readonly header: ForwardedHeader

  constructor(options?: ClientAddressOptions) {
    this.trustedProxies =
      options === undefined || options.trustedProxies.length === 0
        ? undefined
        : compileTrustedProxies(options.trustedProxies)
    this.header = options?.header ?? 'auto'
  }

  resolve(peerAddress: string | undefined, headers: IncomingHttpHeaders, encrypted: boolean): ClientAddress {
    const peer = normalizeIp(peerAddress) ?? ''
    const trusted = this.trustedProxies
    const direct = {
      ip: peer,
      peer,
      protocol: encrypted ? 'https' : 'http',
      host: lowerHost(headers.host),
      viaProxy: false,
    } as const
    if (trusted === undefined || peer === '' || !trusted.contains(peer)) return direct

    let ip: string | undefined
    let protocol: string | undefined
    let host: string | undefined
    const mode = this.header
    const xff = headers['x-forwarded-for']
    if ((mode === 'auto' || mode === 'x-forwarded-for') && xff !== undefined) {
      ip = walkAddresses(splitList(xff), peer, trusted)
    } else if ((mode === 'auto' || mode === 'forwarded') && headers.forwarded !== undefined) {
      const elements = parseForwarded(headers.forwarded)
      const index = walkIndex(
        elements.map((element) => element.for),
        trusted,
      )
      const chosen = index === -1 ? undefined : elements[index]
      if (chosen !== undefined) {
        ip = normalizeIp(chosen.for)
        protocol = chosen.proto
        host = chosen.host
      }
    } else if (mode === 'auto' || mode === 'x-real-ip') {
      const real = headers['x-real-ip']
      ip = normalizeIp(typeof real === 'string' ? real : undefined)
    }
    protocol ??= firstValue(headers['x-forwarded-proto'])
    host ??= firstValue(headers['x-forwarded-host'])
    const proto = protocol?.toLowerCase()
    return {
      ip: ip ?? peer,
      peer,
      protocol: proto === 'https' || proto === 'http' ? proto : direct.protocol,
      // A trusted proxy that names a host we cannot read gets no host, not the upstream's Host.
      host: host === undefined ? direct.host : lowerHost(host),
      viaProxy: ip !== undefined && ip !== peer,
    }
  }
}

function lowerHost(host: string | undefined): string | undefined {
  if (host === undefined || host.length === 0 || host.length > 255) return undefined
  const lower = host.toLowerCase()
  return HOST_PATTERN.test(lower) ? lower : undefined
}

function firstValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined) return undefined
  const comma = text.indexOf(',')
  const first = (comma === -1 ? text : text.slice(0, comma)).trim()
  return first.length === 0 ? undefined : first
}

function splitList(value: string | string[]): string[] {
  return (Array.isArray(value) ? value.join(',') : value).split(',')
}

/**
 * Walks hop addresses right to left, skipping trusted proxies; the first untrusted address is
 * the client. A malformed hop stops the walk at the nearest trusted hop, so garbage cannot
 * shift the result onto an address the attacker chose. If every hop is trusted, the leftmost wins.
 */
function walkAddresses(hops: readonly string[], peer: string, trusted: TrustedProxyList): string {
  let client = peer
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = normalizeIp(hops[i])
    if (ip === undefined) break
    client = ip
    if (!trusted.contains(ip)) break
  }
  return client
}

/** Same walk as `walkAddresses`, returning the chosen index (-1 when the first hop is malformed). */
function walkIndex(hops: readonly (string | undefined)[], trusted: TrustedProxyList): number {
  let chosen = -1
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = normalizeIp(hops[i])
    if (ip === undefined) break
    chosen = i
    if (!trusted.contains(ip)) break
  }
  return chosen
}

interface ForwardedElement {
  for?: string
  proto?: string
  host?: string
}

/** RFC 7239 `Forwarded`: comma-separated elements of `;`-separated `name=value` pairs, values maybe quoted. */
export function parseForwarded(value: string | string[]): ForwardedElement[] {
  const text = Array.isArray(value) ? value.join(',') : value
  const elements: ForwardedElement[] = []
  if (text.length > 8192) return elements
  let element: ForwardedElement = {}
  let name = ''
  let token = ''
  let inQuotes = false
  let readingValue = false
  const finishPair = (): void => {
    if (readingValue) {
      const key = name.trim().toLowerCase()
      const pairValue = token.trim()
      if (key === 'for' || key === 'proto' || key === 'host') element[key] = pairValue
    }
    name = ''
    token = ''
    readingValue = false
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (inQuotes) {
      if (char === '\\' && i + 1 < text.length) token += text[++i]
      else if (char === '"') inQuotes = false
      else token += char
    } else if (char === '"' && readingValue) {
      inQuotes = true
    } else if (char === '=' && !readingValue) {
      name = token
      token = ''
      readingValue = true
    } else if (char === ';') {
      finishPair()
    } else if (char === ',') {
      finishPair()
      elements.push(element)
      element = {}
    } else {
      token += char
    }
  }
  finishPair()
  elements.push(element)
  return elements
}

const kClientAddress = Symbol('rampart.core.clientAddress')
const kResolver = Symbol('rampart.core.clientAddressResolver')
const TRUST_NOBODY = new ClientAddressResolver()

type WithClientAddress = FastifyRequest & { [kClientAddress]?: ClientAddress | null }
type WithResolver = FastifyInstance & { [kResolver]?: ClientAddressResolver }

/**
 * Installs the trust configuration every Rampart plugin resolves clients with. Called once, by
 * @rampart/proxy-headers; without it nobody is trusted and the client is the socket peer.
 */
export function setClientAddressResolver(fastify: FastifyInstance, resolver: ClientAddressResolver): void {
  fastify.decorate(kResolver, resolver)
}

/** Declares the per-request memo slot so Fastify's request shape stays stable. Idempotent. */
export function declareClientAddress(fastify: FastifyInstance): void {
  if (!fastify.hasRequestDecorator(kClientAddress)) fastify.decorateRequest(kClientAddress, null)
}

/** The resolved client address of a request, computed once and memoised on the request. */
export function getClientAddress(request: FastifyRequest): ClientAddress {
  const memo = (request as WithClientAddress)[kClientAddress]
  if (memo) return memo
  const resolver = (request.server as WithResolver)[kResolver] ?? TRUST_NOBODY
  const socket = request.raw.socket as (typeof request.raw.socket & { encrypted?: boolean }) | undefined
  const address = resolver.resolve(socket?.remoteAddress, request.headers, socket?.encrypted === true)
  ;(request as WithClientAddress)[kClientAddress] = address
  return address
}

/** The resolver installed on this instance, or the trust-nobody default. */
export function getClientAddressResolver(fastify: FastifyInstance): ClientAddressResolver {
  return (fastify as WithResolver)[kResolver] ?? TRUST_NOBODY
}
