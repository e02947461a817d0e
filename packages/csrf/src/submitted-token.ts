import type { IncomingHttpHeaders } from 'node:http'

/**
 * The token of the first of `names` the request carries; `undefined` when none carries one (an
 * empty header counts as none). A header sent twice arrives joined (`a, b`) and is then no token.
 */
export function headerToken(headers: IncomingHttpHeaders, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers[name]
    if (value === undefined || value.length === 0) continue
    return typeof value === 'string' ? value : ''
  }
  return undefined
}

/**
 * The token of the form field `field` in an already parsed body, never reading the stream again.
 * A urlencoded parser gives a string; @fastify/multipart's `attachFieldsToBody` gives a string
 * (`'keyValues'`) or a `{ type: 'field', value }` part. A field sent twice (an array), a file or
 * anything else is `''`, which the check refuses as invalid; an absent or empty field is `undefined`.
 */
export function bodyToken(body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return undefined
  if (!Object.hasOwn(body, field)) return undefined
  const value = (body as Record<string, unknown>)[field]
  if (typeof value === 'string') return value.length === 0 ? undefined : value
  if (value !== null && typeof value === 'object') {
    const part = value as { type?: unknown; value?: unknown }
    if (part.type === 'field' && typeof part.value === 'string') return part.value.length === 0 ? undefined : part.value
  }
  return ''
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data']

/** Whether the body may be a form, and so may carry the token in a field once parsed. */
export function mayCarryFormField(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  const type = contentType.trimStart().toLowerCase()
  for (const form of FORM_TYPES) {
    if (type.startsWith(form)) {
      const next = type.charCodeAt(form.length)
      // end, `;` parameters or whitespace: `multipart/form-dataX` is another type
      if (Number.isNaN(next) || next === 59 || next === 32 || next === 9) return true
    }
  }
  return false
}
