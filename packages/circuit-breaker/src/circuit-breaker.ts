import type { ResolvedBreakerOptions } from './options.js'
import { RollingWindow } from './rolling-window.js'

export type CircuitState = 'closed' | 'open' | 'half-open'

/**
 * Why a circuit changed state: `consecutive-failures` / `failure-rate` (closed → open),
 * `recovery-timeout` (open → half-open), `probe-failed` / `probe-timeout` (half-open → open),
 * `probes-succeeded` (half-open → closed).
 */
export type TransitionReason =
  | 'consecutive-failures'
  | 'failure-rate'
  | 'recovery-timeout'
  | 'probe-failed'
  | 'probe-timeout'
  | 'probes-succeeded'

/** What `admit` decided for a request. */
export const ADMITTED = 0
/** Admitted as one of the half-open probes. */
export const PROBE = 1
export const REJECTED = 2
export type Admission = typeof ADMITTED | typeof PROBE | typeof REJECTED

/** A read-only view of one route's circuit, for health checks, dashboards and the demo. */
export interface CircuitSnapshot {
  /** The route label, e.g. `GET /api/users/:id`. */
  readonly route: string
  readonly state: CircuitState
  /** Failures in a row while closed. */
  readonly consecutiveFailures: number
  /** Requests finished in the rolling window while closed (0 when the failure-rate mode is off). */
  readonly requests: number
  /** Failures among them. */
  readonly failures: number
  /** `failures / requests`, 0 without requests. */
  readonly failureRate: number
  /** When the circuit last opened (clock ms), `null` if it never did. */
  readonly openedAt: number | null
  /** Seconds until an open circuit lets probes through, `null` unless open. */
  readonly retryAfter: number | null
  /** Probes running now (half-open). */
  readonly probesInFlight: number
  /** Successful probes so far in this half-open period. */
  readonly probeSuccesses: number
}

export type TransitionListener = (
  breaker: CircuitBreaker,
  from: CircuitState,
  to: CircuitState,
  reason: TransitionReason,
) => void

/** The snapshot of a route whose breaker has not been needed yet. */
export function idleSnapshot(route: string): CircuitSnapshot {
  return Object.freeze({
    route,
    state: 'closed',
    consecutiveFailures: 0,
    requests: 0,
    failures: 0,
    failureRate: 0,
    openedAt: null,
    retryAfter: null,
    probesInFlight: 0,
    probeSuccesses: 0,
  })
}

/**
 * One route's circuit: closed (counting failures), open (refusing until `recoveryTimeout` has
 * passed), half-open (at most `halfOpenMaxProbes` requests at once; `successThreshold` successes
 * in a row close it, one failure reopens it). Every outcome carries the generation it was admitted
 * in; a transition starts a new generation, so a request admitted before it can never be taken for
 * a probe or release a probe slot it does not hold.
 */
export class CircuitBreaker {
  readonly route: string
  readonly settings: ResolvedBreakerOptions
  #state: CircuitState = 'closed'
  #generation = 0
  #consecutiveFailures = 0
  readonly #window: RollingWindow | null
  #openedAt: number | null = null
  /** Start times of the probes in flight, oldest first. */
  readonly #probeStarts: number[] = []
  #probeSuccesses = 0
  /** How long a probe may run before it counts as failed and the circuit reopens. */
  readonly #probeLease: number
  readonly #onTransition: TransitionListener

  constructor(route: string, settings: ResolvedBreakerOptions, onTransition: TransitionListener) {
    this.route = route
    this.settings = settings
    this.#window =
      settings.failureRateThreshold === false
        ? null
        : new RollingWindow(settings.rollingWindow, settings.rollingBuckets)
    this.#probeLease = settings.timeout === false ? settings.recoveryTimeout : settings.timeout
    this.#onTransition = onTransition
  }

  get state(): CircuitState {
    return this.#state
  }

  get generation(): number {
    return this.#generation
  }

  /** Lets the request through (`ADMITTED`, or `PROBE` holding a probe slot) or not (`REJECTED`). */
  admit(now: number): Admission {
    this.#refresh(now)
    if (this.#state === 'closed') return ADMITTED
    if (this.#state === 'open') return REJECTED
    const probes = this.#probeStarts
    if (probes.length < this.settings.halfOpenMaxProbes) {
      probes.push(now)
      return PROBE
    }
    // Every slot is taken. A probe that has run past its lease is lost (or hung): it counts as
    // failed, so a probe that never reports back cannot keep the circuit half-open for ever.
    if (now - (probes[0] as number) > this.#probeLease) this.#transition('open', 'probe-timeout', now)
    return REJECTED
  }

  /** A request admitted in `generation` succeeded. */
  succeed(generation: number, probe: boolean, startedAt: number, now: number): void {
    if (generation !== this.#generation) return
    if (probe) {
      this.#dropProbe(startedAt)
      this.#probeSuccesses += 1
      if (this.#probeSuccesses >= this.settings.successThreshold) this.#transition('closed', 'probes-succeeded', now)
      return
    }
    this.#consecutiveFailures = 0
    this.#window?.record(now, false)
  }

  /** A request admitted in `generation` failed (failure status, thrown 5xx error, or timeout). */
  fail(generation: number, probe: boolean, now: number): void {
    if (generation !== this.#generation) return
    if (probe) {
      this.#transition('open', 'probe-failed', now)
      return
    }
    this.#consecutiveFailures += 1
    const threshold = this.settings.failureThreshold
    if (threshold !== false && this.#consecutiveFailures >= threshold) {
      this.#transition('open', 'consecutive-failures', now)
      return
    }
    const window = this.#window
    if (window === null) return
    window.record(now, true)
    window.tally(now)
    if (
      window.requests >= this.settings.minimumVolume &&
      window.failures / window.requests >= (this.settings.failureRateThreshold as number)
    ) {
      this.#transition('open', 'failure-rate', now)
    }
  }

  /** A request admitted in `generation` ended without an outcome (client gone): frees its probe slot. */
  release(generation: number, probe: boolean, startedAt: number): void {
    if (probe && generation === this.#generation) this.#dropProbe(startedAt)
  }

  /** Seconds a refused client should wait: until half-open when open, 1 while the probes run. */
  retryAfter(now: number): number {
    if (this.#state !== 'open') return 1
    const remaining = (this.#openedAt as number) + this.settings.recoveryTimeout - now
    return Math.max(1, Math.ceil(remaining / 1000))
  }

  snapshot(now: number): CircuitSnapshot {
    this.#refresh(now)
    const window = this.#window
    let requests = 0
    let failures = 0
    if (window !== null && this.#state === 'closed') {
      window.tally(now)
      requests = window.requests
      failures = window.failures
    }
    return Object.freeze({
      route: this.route,
      state: this.#state,
      consecutiveFailures: this.#consecutiveFailures,
      requests,
      failures,
      failureRate: requests === 0 ? 0 : failures / requests,
      openedAt: this.#openedAt,
      retryAfter: this.#state === 'open' ? this.retryAfter(now) : null,
      probesInFlight: this.#probeStarts.length,
      probeSuccesses: this.#probeSuccesses,
    })
  }

  /** Open → half-open once the recovery timeout has passed (seen lazily: no timers). */
  #refresh(now: number): void {
    if (this.#state === 'open' && now - (this.#openedAt as number) >= this.settings.recoveryTimeout) {
      this.#transition('half-open', 'recovery-timeout', now)
    }
  }

  #dropProbe(startedAt: number): void {
    const probes = this.#probeStarts
    const index = probes.indexOf(startedAt)
    if (index !== -1) probes.splice(index, 1)
  }

  #transition(to: CircuitState, reason: TransitionReason, now: number): void {
    const from = this.#state
    this.#state = to
    this.#generation += 1
    this.#consecutiveFailures = 0
    this.#probeStarts.length = 0
    this.#probeSuccesses = 0
    this.#window?.reset()
    if (to === 'open') this.#openedAt = now
    this.#onTransition(this, from, to, reason)
  }
}
