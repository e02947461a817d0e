import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { getClientAddress } from './client-address.js'
import type { OptionValidator } from './options.js'
import { defineRefusal, sendProblem } from './problem.js'
import { compileTrustedProxies, type TrustedProxyList } from './trusted-proxies.js'

/** Who may read an operational endpoint (`/metrics`, `/health/detailed`). Set one or both. */
export interface EndpointProtectionOptions {
  /** A bearer token the caller must send (`Authorization: Bearer <token>`); 16..4096 printable ASCII. */
  bearerToken?: string
  /** Addresses or CIDRs (as resolved by core's client address) allowed to call. */
  allowedIps?: readonly string[]
}

export interface EndpointProtection {
  readonly bearerToken: string | undefined
  readonly allowedIps: TrustedProxyList | undefined
}

const TOKEN_PATTERN = /^[\x21-\x7e]{16,4096}$/
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i

/** Validates a `protection` option (named `option` in errors); never echoes a token. */
export function resolveEndpointProtection(
  validate: OptionValidator,
  option: string,
  value: unknown,
): EndpointProtection {
  const given = validate.object(option, value)
  validate.knownKeys(option, given, ['bearerToken', 'allowedIps'])
  if (given.bearerToken === undefined && given.allowedIps === undefined) {
    validate.fail(option, `must set bearerToken, allowedIps or both (leave ${option} out for none)`)
  }
  let bearerToken: string | undefined
  if (given.bearerToken !== undefined) {
    if (typeof given.bearerToken !== 'string' || !TOKEN_PATTERN.test(given.bearerToken)) {
      // never echo a token, even a bad one, into an error message that may reach a log
      validate.fail(`${option}.bearerToken`, 'must be 16 to 4096 printable ASCII characters without spaces')
    }
    bearerToken = given.bearerToken as string
  }
  let allowedIps: TrustedProxyList | undefined
  if (given.allowedIps !== undefined) {
    const entries = validate.stringList(`${option}.allowedIps`, given.allowedIps)
    if (entries.length === 0)
      validate.fail(`${option}.allowedIps`, 'must not be empty (leave it out to allow any address)')
    try {
      allowedIps = compileTrustedProxies(entries)
    } catch (error) {
      validate.fail(`${option}.allowedIps`, (error as Error).message)
    }
  }
  return Object.freeze({ bearerToken, allowedIps })
}

/** The bearer token of an `Authorization` header; `undefined` when there is none (or another scheme). */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined || header.length > 8192) return undefined
  return BEARER.exec(header)?.[1]
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * A route-level `onRequest` hook guarding an endpoint of package `source` (refusals
 * `RAMPART_<SOURCE>_FORBIDDEN` 403 and `RAMPART_<SOURCE>_UNAUTHORIZED` 401): the address first (a
 * client that may not call learns nothing about the token), then the token, compared in constant
 * time on digests so neither its content nor its length leaks.
 */
export function protectEndpoint(
  source: string,
  realm: string,
  protection: EndpointProtection,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const forbidden = defineRefusal(source, 'FORBIDDEN', 403, 'Forbidden')
  const unauthorized = defineRefusal(source, 'UNAUTHORIZED', 401, 'Unauthorized')
  const challenge = `Bearer realm="${realm}"`
  const invalidChallenge = `${challenge}, error="invalid_token"`
  const expected = protection.bearerToken === undefined ? undefined : digest(protection.bearerToken)
  const allowedIps = protection.allowedIps
  return async function protectedEndpoint(request, reply) {
    if (allowedIps !== undefined) {
      const { ip } = getClientAddress(request)
      if (ip === '' || !allowedIps.contains(ip)) {
        return sendProblem(reply, forbidden, { detail: `This address may not read ${realm}.` })
      }
    }
    if (expected !== undefined) {
      const token = bearerTokenOf(request.headers.authorization)
      if (token === undefined) {
        return sendProblem(reply, unauthorized, {
          detail: `A bearer token is required to read ${realm}.`,
          headers: { 'www-authenticate': challenge },
        })
      }
      if (!timingSafeEqual(digest(token), expected)) {
        return sendProblem(reply, unauthorized, {
          detail: `The bearer token is not valid for ${realm}.`,
          headers: { 'www-authenticate': invalidChallenge },
        })
      }
    }
    return undefined
  }
}
