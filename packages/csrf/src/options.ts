import { OptionValidator } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import { COOKIE_NAME } from './cookies.js'
import { PACKAGE } from './errors.js'

/** Options of @rampart/csrf. `secret` and `sessionId` are required. */
export interface CsrfOptions {
  /**
   * The key tokens are signed with (HMAC-SHA256): at least 32 bytes, random, kept secret. An
   * array rotates keys: the first signs, all verify. Required.
   */
  secret: string | Uint8Array | readonly (string | Uint8Array)[]
  /**
   * The id of the request's session, which tokens are bound to; `undefined` when there is none
   * (tokens are then bound to a pre-session cookie). Synchronous; with @rampart/session pass its
   * `getSessionId`. Required.
   */
  sessionId: (request: FastifyRequest) => string | undefined
  /** Cookie carrying the token, readable by page scripts (not HttpOnly). Default `'__Host-csrf'`. */
  cookieName?: string
  /** HttpOnly cookie carrying the pre-session id of visitors with no session. Default `'__Host-csrf-pre'`. */
  preSessionCookieName?: string
  /** `Secure` on both cookies; `false` only for plain-HTTP development, with names that are not `__Host-`/`__Secure-`. Default `true`. */
  cookieSecure?: boolean
  /** `SameSite` of both cookies. Default `'lax'`. */
  cookieSameSite?: 'lax' | 'strict' | 'none'
  /** Request headers a token is read from, first present wins. Default `['x-csrf-token', 'x-xsrf-token']`. */
  headerNames?: readonly string[]
  /** Field of the parsed body (urlencoded or multipart form) a token is read from when no header carries one. Default `'csrf_token'`. */
  fieldName?: string
  /** Path prefixes never checked (normalised, segment-aware), e.g. webhooks signed otherwise. Default none. */
  exemptPaths?: readonly string[]
  /** Requests with no `Cookie` header are not checked: without cookies there is no ambient credential to forge with. Default `true`. */
  skipWhenNoCookies?: boolean
  /** Refuse unsafe requests from another site (`Sec-Fetch-Site`) or another `Origin`. Default `true`. */
  fetchMetadata?: boolean
  /** Origins trusted besides the request's own, exactly as browsers send them (`https://app.example.com`). Default none. */
  allowedOrigins?: readonly string[]
  /** Accept `Sec-Fetch-Site: same-site` (sibling subdomains) as well as `same-origin`. Default `false`. */
  allowSameSite?: boolean
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedCsrfOptions {
  readonly secrets: readonly Buffer[]
  readonly sessionId: (request: FastifyRequest) => string | undefined
  readonly cookieName: string
  readonly preSessionCookieName: string
  readonly cookieSecure: boolean
  readonly cookieSameSite: 'lax' | 'strict' | 'none'
  readonly headerNames: readonly string[]
  readonly fieldName: string
  readonly exemptPaths: readonly string[]
  readonly skipWhenNoCookies: boolean
  readonly fetchMetadata: boolean
  readonly allowedOrigins: readonly string[]
  readonly allowSameSite: boolean
}

export const DEFAULTS = Object.freeze({
  cookieName: '__Host-csrf',
  preSessionCookieName: '__Host-csrf-pre',
  cookieSecure: true,
  cookieSameSite: 'lax' as 'lax' | 'strict' | 'none',
  headerNames: Object.freeze(['x-csrf-token', 'x-xsrf-token']) as readonly string[],
  fieldName: 'csrf_token',
  exemptPaths: Object.freeze([]) as readonly string[],
  skipWhenNoCookies: true,
  fetchMetadata: true,
  allowedOrigins: Object.freeze([]) as readonly string[],
  allowSameSite: false,
})

/** Fewer bytes than a SHA-256 block's worth of entropy is guessable offline from one token. */
export const MIN_SECRET_BYTES = 32

const KNOWN_KEYS = ['secret', 'sessionId', ...Object.keys(DEFAULTS)]
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
const FIELD_NAME = /^[\x21-\x7e]+$/

export const optionValidator: OptionValidator = new OptionValidator(PACKAGE)
const validate: OptionValidator = optionValidator

/** Validates the user's options and folds in the defaults; throws RAMPART_CSRF_INVALID_OPTION. */
export function resolveOptions(options: CsrfOptions): ResolvedCsrfOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, KNOWN_KEYS)
  if (given.secret === undefined) validate.fail('secret', `is required: at least ${MIN_SECRET_BYTES} random bytes`)
  if (given.sessionId === undefined) {
    validate.fail('sessionId', 'is required: a function (request) => the session id, or undefined without a session')
  }
  /** The user's value, or the default when the key is absent or `undefined` (never when `null`). */
  const option = (key: keyof typeof DEFAULTS): unknown => (given[key] === undefined ? DEFAULTS[key] : given[key])
  const secrets = resolveSecrets(given.secret)
  const sessionId = validate.func<(request: FastifyRequest) => string | undefined>('sessionId', given.sessionId)

  const cookieSecure = validate.boolean('cookieSecure', option('cookieSecure'))
  const cookieName = resolveCookieName('cookieName', option('cookieName'), cookieSecure)
  const preSessionCookieName = resolveCookieName('preSessionCookieName', option('preSessionCookieName'), cookieSecure)
  if (preSessionCookieName === cookieName) {
    validate.fail('preSessionCookieName', 'must differ from cookieName', preSessionCookieName)
  }
  const cookieSameSite = validate.oneOf('cookieSameSite', option('cookieSameSite'), ['lax', 'strict', 'none'] as const)
  if (cookieSameSite === 'none' && !cookieSecure) {
    validate.fail('cookieSameSite', 'cannot be "none" without cookieSecure: browsers drop such cookies', 'none')
  }

  const headerNames = validate.stringList('headerNames', option('headerNames')).map((name) => name.toLowerCase())
  if (headerNames.length === 0)
    validate.fail('headerNames', 'must name at least one header (scripts send the token in it)')
  headerNames.forEach((name, index) => {
    validate.string(`headerNames[${index}]`, name, { pattern: HEADER_NAME })
    if (name === 'cookie') validate.fail(`headerNames[${index}]`, 'cannot be the Cookie header', name)
  })

  return Object.freeze({
    secrets,
    sessionId,
    cookieName,
    preSessionCookieName,
    cookieSecure,
    cookieSameSite,
    headerNames: Object.freeze(headerNames),
    fieldName: validate.string('fieldName', option('fieldName'), {
      pattern: FIELD_NAME,
    }),
    exemptPaths: Object.freeze(resolvePaths(option('exemptPaths'))),
    skipWhenNoCookies: validate.boolean('skipWhenNoCookies', option('skipWhenNoCookies')),
    fetchMetadata: validate.boolean('fetchMetadata', option('fetchMetadata')),
    allowedOrigins: Object.freeze(resolveOrigins(option('allowedOrigins'))),
    allowSameSite: validate.boolean('allowSameSite', option('allowSameSite')),
  })
}

function resolveSecrets(value: unknown): readonly Buffer[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  if (list.length === 0) validate.fail('secret', 'must name at least one secret', value)
  return Object.freeze(
    list.map((item, index) => {
      const option = Array.isArray(value) ? `secret[${index}]` : 'secret'
      let bytes: Buffer
      if (typeof item === 'string') bytes = Buffer.from(item, 'utf8')
      else if (item instanceof Uint8Array) bytes = Buffer.from(item)
      else return validate.fail(option, 'must be a string or a Uint8Array', item)
      if (bytes.length < MIN_SECRET_BYTES) {
        validate.fail(option, `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes.length})`)
      }
      return bytes
    }),
  )
}

/**
 * The `__Host-` prefix makes the browser refuse the cookie unless it is Secure, Path=/ and has no
 * Domain, so no sibling subdomain or plain-HTTP attacker can plant it; `__Secure-` needs Secure.
 */
function resolveCookieName(option: string, value: unknown, secure: boolean): string {
  const name = validate.string(option, value, { pattern: COOKIE_NAME })
  if (!secure && /^__(host|secure)-/i.test(name)) {
    validate.fail(option, 'cannot start with __Host- or __Secure- when cookieSecure is false', name)
  }
  return name
}

function resolvePaths(value: unknown): string[] {
  const paths = validate.stringList('exemptPaths', value)
  paths.forEach((path, index) => {
    if (!path.startsWith('/')) validate.fail(`exemptPaths[${index}]`, 'must start with /', path)
  })
  return paths
}

/** An origin as browsers serialise it: `scheme://host[:port]`, lowercase, no default port, no path. */
function resolveOrigins(value: unknown): string[] {
  const origins = validate.stringList('allowedOrigins', value)
  origins.forEach((origin, index) => {
    const option = `allowedOrigins[${index}]`
    if (origin === 'null') {
      validate.fail(option, "cannot be 'null': sandboxed iframes, file: pages and redirects all send it", origin)
    }
    if (origin.includes('*')) validate.fail(option, 'is not a pattern: list each origin', origin)
    let parsed: URL | undefined
    try {
      parsed = new URL(origin)
    } catch {
      parsed = undefined
    }
    if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      validate.fail(option, 'must be an http(s) origin such as "https://app.example.com"', origin)
    }
    if (parsed.origin !== origin) {
      validate.fail(option, `must be written as browsers send it: "${parsed.origin}"`, origin)
    }
  })
  return origins
}
