import { getClientAddress, routePattern } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import type { AlertSample } from './alert.js'

/** A diagnostics message as alerts reads it: any object; every field is checked before use. */
export type EventMessage = Readonly<Record<string, unknown>>

/** Reads the sample's `code` from a message. */
export type CodeReader = (message: EventMessage) => string | null | undefined

const MAX_LENGTH = 200
/** `scheme://user:password@host` → `scheme://***@host`: a URL in an error message keeps no credentials. */
const URL_CREDENTIALS = /\/\/[^/@\s]*@/g

/** A short, credential-free string from a message field, or `null`. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return null
  const clean = value.replace(URL_CREDENTIALS, '//***@')
  return clean.length > MAX_LENGTH ? `${clean.slice(0, MAX_LENGTH)}...` : clean
}

/** The message's `request` when it is a Fastify request, else `undefined`. */
export function requestOf(message: EventMessage): FastifyRequest | undefined {
  const request = message.request
  if (request !== null && typeof request === 'object' && 'raw' in request && 'server' in request) {
    return request as FastifyRequest
  }
  return undefined
}

/** An address or prefix (`203.0.113.9`, `2001:db8:1:2::/64`) in a `client` field; not a hashed client key. */
const ADDRESS = /^(?=.*[.:])[0-9A-Fa-f.:/]{2,64}$/

function address(value: unknown): string | null {
  return typeof value === 'string' && ADDRESS.test(value) ? value : null
}

/** The default `code` reader: the message's `code` field. */
export const codeField: CodeReader = (message) => text(message.code)

/**
 * What the event was about: the client address and route pattern of its request (or, without one,
 * the message's `ip` field, or its `client` field when that is an address or prefix, and its
 * `route` field), and the rule's code. Never headers, tokens or raw URLs.
 */
export function sampleOf(message: EventMessage, code: CodeReader): AlertSample {
  const request = requestOf(message)
  let ip: string | null = null
  let route: string | null = null
  if (request !== undefined) {
    try {
      ip = text(getClientAddress(request).ip)
    } catch {
      ip = null
    }
    route = text(routePattern(request))
  }
  ip ??= text(message.ip) ?? address(message.client)
  route ??= text(message.route)
  let described: string | null
  try {
    described = text(code(message))
  } catch {
    described = null
  }
  return { ip, route, code: described }
}
