import createError from '@fastify/error'
import type { FastifyError } from 'fastify'

/** A coded error class; constructor arguments fill the message's `%s` placeholders. */
// biome-ignore lint/suspicious/noExplicitAny: format arguments of any type
export type RampartErrorConstructor = new (...args: any[]) => FastifyError

/** `rate-limit` -> `RATE_LIMIT`. */
export function codeSegment(packageName: string): string {
  return packageName.replace(/[^a-z0-9]+/gi, '_').toUpperCase()
}

/** `RAMPART_<PACKAGE>_<REASON>`, the one code scheme of the suite. */
export function errorCode(packageName: string, reason: string): string {
  return `RAMPART_${codeSegment(packageName)}_${reason}`
}

/**
 * A coded error class built with `@fastify/error`. The message is a format string
 * (`%s` placeholders filled by the constructor's arguments).
 */
export function defineError(
  packageName: string,
  reason: string,
  message: string,
  statusCode = 500,
): RampartErrorConstructor {
  return createError(errorCode(packageName, reason), message, statusCode)
}
