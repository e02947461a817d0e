import { EventChannel, type RequestEvent } from '@rampart/core'
import { PACKAGE } from './errors.js'
import type { Encoding } from './inspector.js'
import type { Location, Mode, RuleType, Severity } from './rules.js'

/**
 * `rampart:shield:detected`: a rule matched a request. Published once per rule and request phase
 * (URL and headers in `onRequest`, body in `preHandler`), in both modes, before any refusal.
 */
export interface DetectedEvent extends RequestEvent {
  /** The rule's id, e.g. `sqli-union-select`. */
  rule: string
  type: RuleType
  severity: Severity
  /** The rule's mode on this route: `block` means the request is refused with 403. */
  mode: Mode
  location: Location
  /**
   * The matched text with a little context, at most `sampleLength` characters, control characters
   * escaped. `[redacted]` when it came from a credential-bearing header, query parameter or body
   * field (Authorization, Cookie, `password`, `token`, ...).
   */
  sample: string
  /** The header name, query parameter name or body path (`user.name`, `items[2]`); absent for the path. */
  field?: string
  /**
   * Present when the value matched only once decoded further than the application decodes it:
   * `double-percent` (a URL value percent-encoded twice), `percent` (escapes in a header or body
   * value), `html-entity` (`&#106;avascript:`).
   */
  encoding?: Encoding
}

/** `rampart:shield:slow-request`: a response took longer than `slowRequestMs`. */
export interface SlowRequestEvent extends RequestEvent {
  durationMs: number
  /** The route pattern (`/api/users/:id`), `<unmatched>` on a 404. */
  route: string
}

export const detectedChannel: EventChannel<DetectedEvent> = new EventChannel<DetectedEvent>(PACKAGE, 'detected')
export const slowRequestChannel: EventChannel<SlowRequestEvent> = new EventChannel<SlowRequestEvent>(
  PACKAGE,
  'slow-request',
)
