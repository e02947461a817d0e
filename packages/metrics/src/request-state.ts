import type { FastifyInstance, FastifyRequest } from 'fastify'

/** Per-request bit flags, one number declared with `decorateRequest` so the request shape stays stable. */
export const kFlags = Symbol('rampart.metrics.flags')

/** Counted in `http_requests_in_flight` by this plugin's `onRequest`. */
export const IN_FLIGHT = 1
/** Recorded (response sent or request aborted): a second `onResponse`/`onRequestAbort` records nothing. */
export const RECORDED = 2
/** Counted once in `rate_limit_hits_total`, however many policies it exceeded. */
export const RATE_LIMIT_COUNTED = 4
/** Counted once in `rampart_rate_limit_shadow_hits_total`. */
export const SHADOW_HIT_COUNTED = 8

export type FlaggedRequest = FastifyRequest & { [kFlags]: number }

export function declareFlags(fastify: FastifyInstance): void {
  if (!fastify.hasRequestDecorator(kFlags)) fastify.decorateRequest(kFlags, 0)
}

/** Sets `flag` on the request; false if it was already set (or the request has no flags slot). */
export function setOnce(request: FastifyRequest, flag: number): boolean {
  const flags = (request as FlaggedRequest)[kFlags]
  if (typeof flags !== 'number' || (flags & flag) !== 0) return false
  ;(request as FlaggedRequest)[kFlags] = flags | flag
  return true
}
