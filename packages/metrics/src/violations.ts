/** A `security_violations_total` label pair. */
export interface Violation {
  readonly type: string
  readonly severity: 'low' | 'medium' | 'high' | 'critical'
}

/** How refusals of one source count as security violations: by code, else the source's default. */
export interface SourceViolations {
  readonly default: Violation
  /** Per code; `null`: this code is not a violation (the server could not decide, say). */
  readonly codes?: Readonly<Record<string, Violation | null>>
}

/**
 * Refusals (`rampart:core:refusal`) counted in `security_violations_total` as well as in
 * `rampart_refusals_total`, by the refusing package. Sources not listed are not violations (a rate
 * limit, a missing token, a 404 or an open breaker is not an attack). The shield is not listed: its
 * detections arrive on `rampart:shield:detected`, in monitor mode too, and are counted once there.
 */
export const REFUSAL_VIOLATIONS: Readonly<Record<string, SourceViolations>> = Object.freeze({
  'content-guard': {
    default: { type: 'invalid_content', severity: 'low' },
    codes: {
      RAMPART_CONTENT_GUARD_TOO_LARGE: { type: 'payload_too_large', severity: 'low' },
      RAMPART_CONTENT_GUARD_UNSUPPORTED_MEDIA_TYPE: { type: 'unsupported_media_type', severity: 'low' },
      // Content-Length with Transfer-Encoding, or a malformed one: the shape of request smuggling
      RAMPART_CONTENT_GUARD_INVALID_CONTENT_LENGTH: { type: 'invalid_content_length', severity: 'medium' },
      RAMPART_CONTENT_GUARD_NULL_BYTE: { type: 'null_byte', severity: 'medium' },
    },
  },
  geo: { default: { type: 'geo_blocked', severity: 'low' } },
  signature: {
    default: { type: 'invalid_signature', severity: 'high' },
    codes: {
      RAMPART_SIGNATURE_MISSING: { type: 'missing_signature', severity: 'medium' },
      // most often a client clock off by more than the tolerance
      RAMPART_SIGNATURE_EXPIRED: { type: 'expired_signature', severity: 'low' },
      RAMPART_SIGNATURE_REPLAYED: { type: 'replayed_request', severity: 'high' },
      RAMPART_SIGNATURE_UNKNOWN_KEY: { type: 'unknown_signing_key', severity: 'medium' },
      // the nonce store is down: the server's trouble, not the client's
      RAMPART_SIGNATURE_UNAVAILABLE: null,
    },
  },
  'trusted-host': {
    default: { type: 'invalid_host', severity: 'medium' },
    codes: { RAMPART_TRUSTED_HOST_MISSING: { type: 'missing_host', severity: 'low' } },
  },
  cors: {
    default: { type: 'cors_rejected', severity: 'low' },
    codes: { RAMPART_CORS_INVALID_PREFLIGHT: { type: 'invalid_preflight', severity: 'low' } },
  },
})

/** The violation a refusal counts as, or `undefined` when it is none. */
export function refusalViolation(source: string, code: string): Violation | undefined {
  const entry = Object.hasOwn(REFUSAL_VIOLATIONS, source) ? REFUSAL_VIOLATIONS[source] : undefined
  if (entry === undefined) return undefined
  if (entry.codes !== undefined && Object.hasOwn(entry.codes, code)) return entry.codes[code] ?? undefined
  return entry.default
}
