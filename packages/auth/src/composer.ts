import type { AuthOutcome, AuthStrategy, Identity } from '@rampart/core'
import type { FastifyRequest } from 'fastify'
import type { AuthMode } from './options.js'

/** What the strategies of a route made of a request, together. */
export type Decision =
  /** No credentials of any strategy. */
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'authenticated'
      /** The identity set on the request (in `all` mode: the first one, scopes granted by all). */
      readonly identity: Identity
      readonly strategies: readonly AuthStrategy[]
      readonly identities: readonly Identity[]
    }
  /** A strategy found its credentials present and unacceptable. */
  | { readonly kind: 'invalid'; readonly strategy: AuthStrategy; readonly error: string; readonly description: string }
  /** `all` mode: some credentials authenticated, these strategies' were absent. */
  | { readonly kind: 'incomplete'; readonly missing: readonly AuthStrategy[] }

/** A strategy threw (its store or key source failed); `cause` is what it threw. */
export class StrategyFailure extends Error {
  readonly strategy: AuthStrategy

  constructor(strategy: AuthStrategy, cause: unknown) {
    super(`strategy ${strategy.name} failed`, { cause })
    this.strategy = strategy
  }
}

const ANONYMOUS: Decision = Object.freeze({ kind: 'anonymous' })

async function run(strategy: AuthStrategy, request: FastifyRequest): Promise<AuthOutcome> {
  try {
    return await strategy.authenticate(request)
  } catch (error) {
    throw new StrategyFailure(strategy, error)
  }
}

function invalid(strategy: AuthStrategy, outcome: AuthOutcome & { status: 'invalid' }): Decision {
  return { kind: 'invalid', strategy, error: outcome.error, description: outcome.description }
}

/**
 * `first` (or): strategies in order; the first whose credentials are present decides, whether it
 * accepts them or not. An invalid credential is never passed over for the next strategy's.
 */
async function first(request: FastifyRequest, strategies: readonly AuthStrategy[]): Promise<Decision> {
  for (const strategy of strategies) {
    const outcome = await run(strategy, request)
    if (outcome.status === 'absent') continue
    if (outcome.status === 'invalid') return invalid(strategy, outcome)
    return { kind: 'authenticated', identity: outcome.identity, strategies: [strategy], identities: [outcome.identity] }
  }
  return ANONYMOUS
}

/**
 * The identity of an `all` decision: the first strategy's (its id, kind, tier and claims), with only
 * the scopes every authenticated identity grants.
 */
function combine(identities: readonly Identity[]): Identity {
  const [primary, ...others] = identities as [Identity, ...Identity[]]
  if (others.length === 0) return primary
  const scopes = primary.scopes.filter((scope) => others.every((other) => other.scopes.includes(scope)))
  return Object.freeze({ ...primary, scopes: Object.freeze(scopes) })
}

/** `all` (and): every strategy must authenticate; any invalid credential decides at once. */
async function all(request: FastifyRequest, strategies: readonly AuthStrategy[]): Promise<Decision> {
  const accepted: AuthStrategy[] = []
  const identities: Identity[] = []
  const missing: AuthStrategy[] = []
  for (const strategy of strategies) {
    const outcome = await run(strategy, request)
    if (outcome.status === 'invalid') return invalid(strategy, outcome)
    if (outcome.status === 'absent') missing.push(strategy)
    else {
      accepted.push(strategy)
      identities.push(outcome.identity)
    }
  }
  if (identities.length === 0) return ANONYMOUS
  if (missing.length > 0) return { kind: 'incomplete', missing }
  return { kind: 'authenticated', identity: combine(identities), strategies: accepted, identities }
}

/** Runs the strategies of a route in its mode. Rejects with `StrategyFailure` when one throws. */
export function compose(
  request: FastifyRequest,
  strategies: readonly AuthStrategy[],
  mode: AuthMode,
): Promise<Decision> {
  return mode === 'first' ? first(request, strategies) : all(request, strategies)
}
