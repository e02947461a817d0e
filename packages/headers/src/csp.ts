/** Keywords that are only keywords when single-quoted; unquoted they are host names. */
const KEYWORDS = new Set([
  'self',
  'none',
  'unsafe-inline',
  'unsafe-eval',
  'unsafe-hashes',
  'strict-dynamic',
  'report-sample',
  'wasm-unsafe-eval',
  'unsafe-allow-redirects',
  'inline-speculation-rules',
])

/** CSP Level 3 directives (and the deprecated ones still seen). */
const DIRECTIVES = new Set([
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
  'frame-ancestors',
  'sandbox',
  'report-uri',
  'report-to',
  'require-trusted-types-for',
  'trusted-types',
  'upgrade-insecure-requests',
  'block-all-mixed-content',
  'webrtc',
])
/** Directives that take no value. */
const FLAGS = new Set(['upgrade-insecure-requests', 'block-all-mixed-content'])
const SOURCE = /^[^\s;,'"]+$|^'[a-z0-9+/=_-]+'$/i
const QUOTED_NONCE_OR_HASH = /^'(nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_=-]+'$/

/** Seed 002's directive set (`middleware/security_headers.py`). */
export const SEED_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'", "'unsafe-inline'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'https:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'media-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
})

/** A policy as directives (`{ 'default-src': ["'self'"] }`, camelCase keys accepted) or a string. */
export type CspDirectives = Readonly<Record<string, readonly string[] | boolean>>
export type CspPolicy = CspDirectives | string

/** A policy compiled at register: the header value, split where the per-request nonce goes. */
export interface CompiledCsp {
  /** The value without nonces (when the policy takes none, the whole header). */
  readonly parts: readonly string[]
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
}

/** Parses a policy string into directives. */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean)
    const name = tokens.shift()
    if (name === undefined) continue
    if (directives.has(name.toLowerCase())) throw new Error(`directive "${name}" appears twice`)
    directives.set(name.toLowerCase(), tokens)
  }
  return directives
}

/**
 * Validates a policy and normalises it to `directive -> sources`. Throws an `Error` naming the
 * directive: unknown directives, unquoted keywords, `'none'` with other sources, separators or
 * whitespace inside a source, a missing `default-src`.
 */
export function validateCsp(policy: CspPolicy): Map<string, string[]> {
  let directives: Map<string, string[]>
  if (typeof policy === 'string') {
    directives = parseCsp(policy)
  } else {
    directives = new Map()
    for (const [key, value] of Object.entries(policy)) {
      const name = kebab(key)
      if (value === false) continue
      if (value === true) directives.set(name, [])
      else if (Array.isArray(value)) directives.set(name, [...value])
      else throw new Error(`directive "${name}" must be an array of sources or true`)
    }
  }
  for (const [name, sources] of directives) {
    if (!DIRECTIVES.has(name)) throw new Error(`"${name}" is not a CSP directive`)
    if (FLAGS.has(name)) {
      if (sources.length > 0) throw new Error(`directive "${name}" takes no sources`)
      continue
    }
    for (const source of sources) {
      if (typeof source !== 'string' || !SOURCE.test(source)) {
        throw new Error(`directive "${name}" has an invalid source ${JSON.stringify(source)}`)
      }
      if (KEYWORDS.has(source.toLowerCase())) {
        throw new Error(`directive "${name}": keyword ${source} must be single-quoted ('${source}')`)
      }
      if (
        source.startsWith("'") &&
        !KEYWORDS.has(source.slice(1, -1).toLowerCase()) &&
        !QUOTED_NONCE_OR_HASH.test(source)
      ) {
        throw new Error(`directive "${name}": ${source} is not a CSP keyword, nonce or hash`)
      }
    }
    if (sources.includes("'none'") && sources.length > 1) {
      throw new Error(`directive "${name}": 'none' cannot be combined with other sources`)
    }
  }
  if (!directives.has('default-src')) throw new Error('the policy has no "default-src" directive')
  return directives
}

const NONCE_DIRECTIVES = ['script-src', 'style-src'] as const

/**
 * Builds the header once. With `nonce`, `'nonce-…'` goes into script-src and style-src (created
 * from default-src's sources when absent, so they do not lose default-src's fallback) and the
 * value is split at each insertion point: per request only a join remains.
 */
export function compileCsp(policy: CspPolicy, nonce: boolean): CompiledCsp {
  const directives = validateCsp(policy)
  if (!nonce) return { parts: [serialise(directives)] }
  const withNonce = new Map(directives)
  const fallback = (directives.get('default-src') ?? []).filter((source) => source !== "'none'")
  for (const name of NONCE_DIRECTIVES) {
    const sources = (withNonce.get(name) ?? fallback).filter((source) => source !== "'none'")
    withNonce.set(name, [...sources, '\u0000'])
  }
  return { parts: serialise(withNonce).split('\u0000') }
}

function serialise(directives: Map<string, string[]>): string {
  return [...directives]
    .map(([name, sources]) => (sources.length === 0 ? name : `${name} ${sources.join(' ')}`))
    .join('; ')
    .replaceAll('\u0000', "'nonce-\u0000'")
}
