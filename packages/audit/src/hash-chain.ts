import { createHash } from 'node:crypto'

/**
 * Canonical JSON: `JSON.stringify` with the keys of every object sorted (by UTF-16 code units, the
 * default `Array.prototype.sort` order) and no whitespace. `undefined`, functions and symbols are
 * left out of objects and are `null` in arrays, non-finite numbers are `null`, as with
 * `JSON.stringify`. Any implementation that sorts keys and serialises JSON values the ECMAScript
 * way produces the same text.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null'
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt has no JSON form')
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null'
  }
  const object = value as Record<string, unknown> & { toJSON?: () => unknown }
  if (typeof object.toJSON === 'function') return canonicalJson(object.toJSON())
  if (Array.isArray(object)) return `[${object.map((item) => canonicalJson(item)).join(',')}]`
  const parts: string[] = []
  for (const key of Object.keys(object).sort()) {
    const item = object[key]
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`)
  }
  return `{${parts.join(',')}}`
}

/** Hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/**
 * The `hash` of a chained record: hex SHA-256 of the canonical JSON of the record without its
 * `hash` field (its `prev_hash` included, so each record commits to the whole chain before it).
 */
export function recordHash(record: Readonly<Record<string, unknown>>): string {
  const { hash: _hash, ...content } = record
  return sha256(canonicalJson(content))
}

/** A hash as written: 64 lowercase hex digits. */
export const HASH_PATTERN: RegExp = /^[0-9a-f]{64}$/
