/**
 * Secrets never reach the audit log. Keys are matched on their normalised form (lowercased, with
 * everything but letters and digits removed), and a key is sensitive when it contains one of
 * these fragments: `X-API-Key`, `api_key` and `apiKey` are all `apikey`; `Set-Cookie` contains
 * `cookie`; `refresh_token` and `csrfToken` contain `token`.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'cookie',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'jwt',
  'otpcode',
  'totp',
  'mfacode',
  'backupcode',
])

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]'

/** Limits on what one `details` object may hold once cleaned. */
export interface RedactionLimits {
  /** Longer strings are cut (with `…[+N chars]`). */
  readonly maxStringLength: number
  /** Deeper values become `[Truncated]`. */
  readonly maxDepth: number
  /** Values visited in one `details` (objects, arrays and leaves); the rest become `[Truncated]`. */
  readonly maxNodes: number
  /** Items kept per array or keys per object. */
  readonly maxItems: number
}

export const DEFAULT_LIMITS: RedactionLimits = Object.freeze({
  maxStringLength: 2048,
  maxDepth: 8,
  maxNodes: 1000,
  maxItems: 100,
})

const NOT_ALPHANUMERIC = /[^a-z0-9]/g
// NUL cannot be stored in PostgreSQL text or jsonb, and lone surrogates are refused by jsonb:
// one bad string must not make a whole batch unwritable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/** A whole credential header value: `Bearer abc`, `Basic dXNlcjpwYXNz`, `Digest username="a", ...`. */
const CREDENTIAL_VALUE =
  /^\s*(?:(?:bearer|basic|negotiate|ntlm)\s+[A-Za-z0-9._~+/-]+=*|(?:digest|aws4-hmac-sha256|hoba|mutual)\s+[A-Za-z0-9_-]+=.*)\s*$/is
/** A JWT (or JWS) anywhere in a string. */
const JWT = /eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g
/** `name=value` pairs of a query string or form body, anywhere in a string. */
const QUERY_PAIR = /([?&;])([^=&#;\s?]+)=([^&#;\s]*)/g
const KEY_CACHE_LIMIT = 1000

/** Normalised form of a key: `X-API-Key` -> `xapikey`. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(NOT_ALPHANUMERIC, '')
}

/** Strips NUL and replaces lone surrogates, so the string can be stored anywhere. */
export function storableString(value: string): string {
  UNSTORABLE.lastIndex = 0
  if (!UNSTORABLE.test(value)) return value
  return value.replace(UNSTORABLE, (match) => (match === '\u0000' ? '' : '\uFFFD'))
}

/** Cuts a string to `max` UTF-16 units, saying how much was cut, without splitting a surrogate pair. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value
  let end = max
  const last = value.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${value.slice(0, end)}…[+${value.length - end} chars]`
}

/**
 * Removes secrets from what goes into an audit record: values under sensitive keys (at any depth),
 * credential header values, JWTs, and sensitive query parameters in URLs. Also makes the value
 * JSON- and PostgreSQL-safe: cycles, `BigInt`, `Date`, buffers, errors, NUL bytes, lone surrogates,
 * very long strings and very large structures are all turned into something storable.
 */
export class Redactor {
  readonly fragments: readonly string[]
  readonly limits: RedactionLimits
  readonly #known = new Map<string, boolean>()

  /** `keys`: fragments added to `DEFAULT_REDACT_KEYS` (the defaults always apply). */
  constructor(keys: readonly string[] = [], limits: Partial<RedactionLimits> = {}) {
    const fragments = new Set(DEFAULT_REDACT_KEYS)
    for (const key of keys) {
      const normalized = normalizeKey(key)
      if (normalized.length > 0) fragments.add(normalized)
    }
    this.fragments = Object.freeze([...fragments])
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...limits })
  }

  /** True when values under this key are secrets. */
  isSensitiveKey(key: string): boolean {
    const known = this.#known.get(key)
    if (known !== undefined) return known
    const normalized = normalizeKey(key)
    let sensitive = false
    for (const fragment of this.fragments) {
      if (normalized.includes(fragment)) {
        sensitive = true
        break
      }
    }
    if (this.#known.size >= KEY_CACHE_LIMIT) this.#known.clear()
    this.#known.set(key, sensitive)
    return sensitive
  }

  /** A string made safe: credentials and sensitive query values redacted, storable, cut to `max`. */
  string(value: string, max: number = this.limits.maxStringLength): string {
    if (CREDENTIAL_VALUE.test(value)) return REDACTED
    let text = value
    if (text.includes('eyJ')) text = text.replace(JWT, REDACTED)
    if (text.includes('=')) {
      text = text.replace(QUERY_PAIR, (pair, separator: string, name: string) =>
        this.isSensitiveKey(safeDecode(name)) ? `${separator}${name}=${REDACTED}` : pair,
      )
    }
    return truncate(storableString(text), max)
  }

  /** A plain, JSON-safe copy of `details` with every secret replaced by `[REDACTED]`. */
  details(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const walk = new Walk(this)
    return walk.object(details, 0)
  }

  /** Any value made safe the same way as `details`. */
  value(value: unknown): unknown {
    return new Walk(this).value(value, 0)
  }
}

function safeDecode(name: string): string {
  if (!name.includes('%')) return name
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

const TRUNCATED = '[Truncated]'
const CIRCULAR = '[Circular]'

/** One traversal of one value: its node budget and the objects on the current path (for cycles). */
class Walk {
  readonly #redactor: Redactor
  readonly #limits: RedactionLimits
  readonly #path = new Set<object>()
  #nodes = 0

  constructor(redactor: Redactor) {
    this.#redactor = redactor
    this.#limits = redactor.limits
  }

  value(value: unknown, depth: number): unknown {
    if (++this.#nodes > this.#limits.maxNodes) return TRUNCATED
    switch (typeof value) {
      case 'string':
        return this.#redactor.string(value)
      case 'number':
        return Number.isFinite(value) ? value : String(value)
      case 'boolean':
        return value
      case 'bigint':
        return value.toString()
      case 'undefined':
      case 'function':
      case 'symbol':
        return null
    }
    if (value === null) return null
    const object = value as object
    if (depth >= this.#limits.maxDepth) return TRUNCATED
    if (this.#path.has(object)) return CIRCULAR
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString()
    if (ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`
    if (object instanceof ArrayBuffer) return `[${object.byteLength} bytes]`
    if (object instanceof Error) {
      const error: Record<string, unknown> = { name: object.name, message: object.message }
      const code = (object as { code?: unknown }).code
      if (typeof code === 'string' || typeof code === 'number') error.code = code
      return this.object(error, depth)
    }
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
      let json: unknown
      try {
        json = (object as { toJSON: () => unknown }).toJSON()
      } catch {
        return null
      }
      if (json === object || (typeof json === 'object' && json !== null && this.#path.has(json))) return CIRCULAR
      this.#path.add(object)
      try {
        return this.value(json, depth + 1)
      } finally {
        this.#path.delete(object)
      }
    }
    if (Array.isArray(object)) return this.#array(object, depth, object)
    if (object instanceof Set) return this.#array([...object], depth, object)
    if (object instanceof Map) {
      const entries: Record<string, unknown> = {}
      for (const [key, item] of object) entries[String(key)] = item
      return this.object(entries, depth, object)
    }
    return this.object(object as Record<string, unknown>, depth)
  }

  object(source: Readonly<Record<string, unknown>>, depth: number, identity: object = source): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    this.#path.add(identity)
    try {
      let kept = 0
      const keys = Object.keys(source)
      for (const key of keys) {
        if (kept >= this.#limits.maxItems || this.#nodes >= this.#limits.maxNodes) {
          result['…'] = `[+${keys.length - kept} keys]`
          break
        }
        const item = source[key]
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
        const name = truncate(storableString(key), 256)
        result[name] = this.#redactor.isSensitiveKey(key) ? REDACTED : this.value(item, depth + 1)
        kept++
      }
    } finally {
      this.#path.delete(identity)
    }
    return result
  }

  #array(items: readonly unknown[], depth: number, identity: object): unknown[] {
    this.#path.add(identity)
    try {
      const result: unknown[] = []
      for (const item of items) {
        if (result.length >= this.#limits.maxItems || this.#nodes >= this.#limits.maxNodes) {
          result.push(`[+${items.length - result.length} items]`)
          break
        }
        result.push(this.value(item, depth + 1))
      }
      return result
    } finally {
      this.#path.delete(identity)
    }
  }
}
