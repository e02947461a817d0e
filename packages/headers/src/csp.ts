import { validate } from './errors.js'

/**
 * One directive's value: its sources (`["'self'", 'https://cdn.example']`), `true` for a
 * directive written without a value (`upgrade-insecure-requests`, a bare `sandbox`), or `false`
 * to leave the directive out (handy when spreading `SEED_CSP_DIRECTIVES`).
 */
export type CspDirectiveValue = readonly string[] | boolean

/** A policy as directives: `{ 'default-src': ["'self'"] }`; camelCase keys (`defaultSrc`) work too. */
export type CspDirectives = Readonly<Record<string, CspDirectiveValue>>

/** A policy: directives, or a header value such as `"default-src 'self'; img-src data:"`. */
export type CspPolicy = CspDirectives | string

/** The directives a per-request nonce can be inserted into. */
export type NonceDirective = 'script-src' | 'script-src-elem' | 'style-src' | 'style-src-elem'

/** A validated policy: directive name (lower-case, kebab-case) to its sources, in the order given. */
export type CspDirectiveMap = ReadonlyMap<string, readonly string[]>

/** Seed 002's directive set (`middleware/security_headers.py`), unchanged. */
export const SEED_CSP_DIRECTIVES: CspDirectives = Object.freeze({
  'default-src': Object.freeze(["'self'"]),
  'script-src': Object.freeze(["'self'", "'unsafe-inline'"]),
  'style-src': Object.freeze(["'self'", "'unsafe-inline'"]),
  'img-src': Object.freeze(["'self'", 'data:', 'https:']),
  'font-src': Object.freeze(["'self'"]),
  'connect-src': Object.freeze(["'self'"]),
  'media-src': Object.freeze(["'self'"]),
  'object-src': Object.freeze(["'none'"]),
  'frame-src': Object.freeze(["'none'"]),
})

/** How a directive's value is written. */
type Grammar =
  | 'sources'
  | 'ancestors'
  | 'flag'
  | 'sandbox'
  | 'uris'
  | 'group'
  | 'trusted-types'
  | 'trusted-types-for'
  | 'webrtc'

const SOURCE_LISTS = [
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'media-src',
  'object-src',
  'frame-src',
  'child-src',
  'worker-src',
  'manifest-src',
  'fenced-frame-src',
  'base-uri',
  'form-action',
]

/** CSP Level 3 directives (plus the deprecated ones still met in the wild) and their grammar. */
const DIRECTIVES: ReadonlyMap<string, Grammar> = new Map<string, Grammar>([
  ...SOURCE_LISTS.map((name) => [name, 'sources'] as const),
  ['frame-ancestors', 'ancestors'],
  ['upgrade-insecure-requests', 'flag'],
  ['block-all-mixed-content', 'flag'],
  ['sandbox', 'sandbox'],
  ['report-uri', 'uris'],
  ['report-to', 'group'],
  ['trusted-types', 'trusted-types'],
  ['require-trusted-types-for', 'trusted-types-for'],
  ['webrtc', 'webrtc'],
])

/** Keywords: only keywords when single-quoted. Unquoted, `self` is a host named "self". */
const KEYWORDS = new Set([
  'self',
  'none',
  'unsafe-inline',
  'unsafe-eval',
  'unsafe-hashes',
  'strict-dynamic',
  'report-sample',
  'wasm-unsafe-eval',
  'inline-speculation-rules',
  'trusted-types-eval',
])
const SANDBOX_TOKENS = new Set([
  'allow-downloads',
  'allow-forms',
  'allow-modals',
  'allow-orientation-lock',
  'allow-pointer-lock',
  'allow-popups',
  'allow-popups-to-escape-sandbox',
  'allow-presentation',
  'allow-same-origin',
  'allow-scripts',
  'allow-storage-access-by-user-activation',
  'allow-top-navigation',
  'allow-top-navigation-by-user-activation',
  'allow-top-navigation-to-custom-protocols',
])
/** Printable ASCII without space, `"`, `'`, `,` and `;`: what may appear inside one token. */
const TOKEN = /^[\x21\x23-\x26\x28-\x2b\x2d-\x3a\x3c-\x7e]+$/
/** A single-quoted token: `'self'`, `'nonce-…'`. */
const QUOTED = /^'[\x21\x23-\x26\x28-\x2b\x2d-\x3a\x3c-\x7e]+'$/
const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/i
const UNQUOTED_NONCE_OR_HASH = /^(?:nonce|sha256|sha384|sha512)-/i
const SCHEME_SOURCE = /^[A-Za-z][A-Za-z0-9+.-]*:$/
const HOST_SOURCE =
  /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)(?::(?:[0-9]+|\*))?(?:\/[\x21\x23-\x26\x28-\x2b\x2d-\x3a\x3c-\x7e]*)?$/
const TRUSTED_TYPES_POLICY = /^[A-Za-z0-9\-#=_/@.%]+$/
const CAMEL_HUMP = /[A-Z]/g
/** Header-safe characters of a policy string: printable ASCII and tab. */
const POLICY_TEXT = /^[\t\x20-\x7e]*$/
const WHITESPACE = /[\t\n\f\r ]+/

function kebabCase(key: string): string {
  return key.includes('-') ? key : key.replace(CAMEL_HUMP, (letter) => `-${letter.toLowerCase()}`)
}

/**
 * Validates a policy (directives or a string) and returns it as directive -> sources. Every
 * mistake throws `RAMPART_HEADERS_INVALID_OPTION` naming `<option>.<directive>`: an unknown
 * directive, an unquoted keyword (`self`), a quoted word that is no keyword, a separator, space
 * or CR/LF inside a source, `'none'` next to other sources, a missing `default-src`.
 */
export function resolveCsp(policy: unknown, option: string): CspDirectiveMap {
  const directives = typeof policy === 'string' ? fromString(policy, option) : fromObject(policy, option)
  for (const [name, sources] of directives) checkDirective(name, sources, `${option}.${name}`)
  if (!directives.has('default-src')) {
    validate.fail(
      `${option}.default-src`,
      'is required: without it every fetch directive the policy leaves out allows anything (start from "default-src \'self\'")',
    )
  }
  return directives
}

function fromString(policy: string, option: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const tokens = part.split(WHITESPACE).filter((token) => token !== '')
    const given = tokens.shift()
    if (given === undefined) continue
    const name = given.toLowerCase()
    const at = `${option}.${name}`
    if (!POLICY_TEXT.test(part)) validate.fail(at, 'contains CR, LF or another control or non-ASCII character', part)
    if (part.includes(',')) {
      validate.fail(
        at,
        'contains ","; a comma starts a second policy in the header, give each policy its own option',
        part,
      )
    }
    if (directives.has(name)) validate.fail(at, 'appears twice (browsers ignore the second)')
    directives.set(name, tokens)
  }
  if (directives.size === 0) validate.fail(option, 'must not be empty', policy)
  return directives
}

function fromObject(policy: unknown, option: string): Map<string, string[]> {
  const given = validate.object(option, policy)
  const directives = new Map<string, string[]>()
  for (const [key, value] of Object.entries(given)) {
    const name = kebabCase(key)
    const at = `${option}.${name}`
    if (directives.has(name)) validate.fail(at, `is given twice (as "${key}" and its other spelling)`)
    if (value === false) continue
    if (value === true) directives.set(name, [])
    else if (Array.isArray(value)) directives.set(name, validate.stringList(at, value))
    else validate.fail(at, 'must be an array of sources, true (no value) or false (left out)', value)
  }
  return directives
}

function checkDirective(name: string, sources: readonly string[], at: string): void {
  const grammar = DIRECTIVES.get(name)
  if (grammar === undefined) {
    validate.fail(at, `is not a CSP directive; known directives are: ${[...DIRECTIVES.keys()].join(', ')}`)
  }
  for (const source of sources) {
    if (!TOKEN.test(source) && !QUOTED.test(source)) {
      validate.fail(
        at,
        'has a source with whitespace, ",", ";", a quote or CR/LF in it: one source per array item',
        source,
      )
    }
  }
  switch (grammar) {
    case 'sources':
    case 'ancestors':
      if (sources.length === 0) validate.fail(at, `has no sources; write ["'none'"] to allow nothing`)
      for (const source of sources) checkSource(source, at, grammar === 'ancestors')
      if (sources.length > 1 && sources.some((source) => source.toLowerCase() === "'none'")) {
        validate.fail(at, "combines 'none' with other sources ('none' must stand alone)")
      }
      return
    case 'flag':
      if (sources.length > 0) validate.fail(at, 'takes no value; give true', sources)
      return
    case 'sandbox':
      for (const token of sources) {
        if (!SANDBOX_TOKENS.has(token))
          validate.fail(at, `has an unknown token; known: ${[...SANDBOX_TOKENS].join(', ')}`, token)
      }
      return
    case 'uris':
      if (sources.length === 0) validate.fail(at, 'needs at least one URI')
      return
    case 'group':
      if (sources.length !== 1) validate.fail(at, 'takes exactly one reporting group name', sources)
      return
    case 'trusted-types':
      for (const token of sources) {
        const keyword = token === "'none'" || token === "'allow-duplicates'" || token === '*'
        if (!keyword && !TRUSTED_TYPES_POLICY.test(token)) validate.fail(at, 'has an invalid policy name', token)
      }
      if (sources.length > 1 && sources.includes("'none'")) validate.fail(at, "combines 'none' with policy names")
      return
    case 'trusted-types-for':
      if (sources.length !== 1 || sources[0] !== "'script'") validate.fail(at, `takes exactly "'script'"`, sources)
      return
    case 'webrtc':
      if (sources.length !== 1 || (sources[0] !== "'allow'" && sources[0] !== "'block'")) {
        validate.fail(at, `takes exactly one of "'allow'", "'block'"`, sources)
      }
      return
  }
}

function checkSource(source: string, at: string, ancestors: boolean): void {
  const lower = source.toLowerCase()
  if (source.startsWith("'")) {
    const keyword = lower.slice(1, -1)
    if (NONCE_OR_HASH.test(source) && !ancestors) return
    if (KEYWORDS.has(keyword) && (!ancestors || keyword === 'self' || keyword === 'none')) return
    validate.fail(
      at,
      ancestors
        ? "allows only 'self', 'none', schemes and hosts"
        : 'has a quoted word that is no CSP keyword, nonce or hash',
      source,
    )
  }
  if (KEYWORDS.has(lower) || UNQUOTED_NONCE_OR_HASH.test(source)) {
    validate.fail(at, `has the keyword ${source} unquoted, which browsers read as a host name: write "'${source}'"`)
  }
  if (!SCHEME_SOURCE.test(source) && !HOST_SOURCE.test(source)) {
    validate.fail(
      at,
      'has an invalid source expression (expected a scheme such as https:, a host or a quoted keyword)',
      source,
    )
  }
}

/** Writes a validated policy as a header value: `name source source; name ...`. */
export function serialiseCsp(policy: CspDirectiveMap): string {
  const parts: string[] = []
  for (const [name, sources] of policy) parts.push(sources.length === 0 ? name : `${name} ${sources.join(' ')}`)
  return parts.join('; ')
}

/** Where a nonce goes when its directive is absent: the directive the browser would fall back to. */
const NONCE_FALLBACKS: Readonly<Record<NonceDirective, readonly string[]>> = {
  'script-src': ['default-src'],
  'style-src': ['default-src'],
  'script-src-elem': ['script-src', 'default-src'],
  'style-src-elem': ['style-src', 'default-src'],
}
const NONCE_SLOT = '\u0000'

/**
 * Builds the header value once. Without nonces it is one string. With nonces, `'nonce-…'` goes
 * into each listed directive (created from the directive the browser would otherwise fall back
 * to, so it keeps those sources; `'none'` is dropped, as it cannot stand next to a nonce) and the
 * value is split where the nonce goes: per request only `parts.join(nonce)` remains.
 */
export function compileCsp(policy: CspDirectiveMap, nonceDirectives: readonly NonceDirective[]): readonly string[] {
  if (nonceDirectives.length === 0) return Object.freeze([serialiseCsp(policy)])
  const withNonce = new Map(policy)
  for (const name of nonceDirectives) {
    let sources = policy.get(name)
    for (const fallback of NONCE_FALLBACKS[name]) sources ??= policy.get(fallback)
    const kept = (sources ?? []).filter((source) => source.toLowerCase() !== "'none'")
    withNonce.set(name, [...kept, `'nonce-${NONCE_SLOT}'`])
  }
  return Object.freeze(serialiseCsp(withNonce).split(NONCE_SLOT))
}

/**
 * Validates a policy and returns its header value, e.g. to send it yourself on a route:
 * `buildCsp({ ...SEED_CSP_DIRECTIVES, 'script-src': ["'self'"] })`.
 * Throws `RAMPART_HEADERS_INVALID_OPTION` naming the directive.
 */
export function buildCsp(policy: CspPolicy): string {
  return serialiseCsp(resolveCsp(policy, 'csp'))
}

/**
 * Validates a policy string and returns its directives, to extend it:
 * `{ ...parseCsp(process.env.CSP), 'img-src': ["'self'", 'data:'] }`.
 */
export function parseCsp(policy: string): Record<string, string[]> {
  const parsed: Record<string, string[]> = {}
  for (const [name, sources] of resolveCsp(validate.string('csp', policy), 'csp')) parsed[name] = [...sources]
  return parsed
}
