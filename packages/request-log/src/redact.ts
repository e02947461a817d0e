import { decodePercent } from '@rampart/core'

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]'

function isSeparator(code: number): boolean {
  return code === 38 /* & */ || code === 59 /* ; */
}

function isNameBreak(code: number): boolean {
  return code === 91 /* [ */ || code === 93 /* ] */ || code === 46 /* . */
}

/**
 * True when a raw query parameter name is sensitive: the whole name, or any part of a nested one
 * (`user[password]`, `user.password`, `password[]`), after percent-decoding and lowercasing.
 */
export function isSensitiveName(rawName: string, sensitive: ReadonlySet<string>): boolean {
  let name = rawName
  if (name.includes('%') || name.includes('+')) name = decodePercent(name.replaceAll('+', ' '))
  name = name.trim().toLowerCase()
  if (sensitive.has(name)) return true
  let start = 0
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || isNameBreak(name.charCodeAt(i))) {
      if (i > start && sensitive.has(name.slice(start, i).trim())) return true
      start = i + 1
    }
  }
  return false
}

/**
 * The request URL with the value of every sensitive query parameter replaced by `[REDACTED]`.
 * The query starts at the first `?` or `;` and pairs are split on `&` and `;`: more is redacted
 * than a parser would read, never less. Cut to `maxLength` afterwards.
 */
export function redactUrl(url: string, sensitive: ReadonlySet<string>, maxLength: number): string {
  let redacted = url
  if (sensitive.size > 0) {
    let query = -1
    for (let i = 0; i < url.length; i++) {
      const code = url.charCodeAt(i)
      if (code === 63 /* ? */ || code === 59 /* ; */) {
        query = i
        break
      }
    }
    if (query !== -1) {
      let out = url.slice(0, query + 1)
      let start = query + 1
      for (let i = start; i <= url.length; i++) {
        if (i < url.length && !isSeparator(url.charCodeAt(i))) continue
        const pair = url.slice(start, i)
        const equals = pair.indexOf('=')
        if (equals !== -1 && isSensitiveName(pair.slice(0, equals), sensitive)) {
          out += `${pair.slice(0, equals + 1)}${REDACTED}`
        } else {
          out += pair
        }
        if (i < url.length) out += url[i]
        start = i + 1
      }
      redacted = out
    }
  }
  return redacted.length > maxLength ? `${redacted.slice(0, maxLength)}...` : redacted
}

/** A copy of the headers with the values of the sensitive ones replaced by `[REDACTED]`. */
export function redactHeaders(
  headers: Readonly<Record<string, unknown>>,
  sensitive: ReadonlySet<string>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (value === undefined) continue
    copy[name] = sensitive.has(name.toLowerCase()) ? REDACTED : value
  }
  return copy
}
