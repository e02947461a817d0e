import type { GeoLookup } from './database.js'
import type { Decision, ResolvedRules } from './options.js'

/** Why a client was refused. */
export type BlockReason =
  | 'blocked-country'
  | 'not-allowed-country'
  | 'private-address'
  | 'unknown-country'
  | 'lookup-error'

/** The rules of one route (or of the whole app), compiled once. */
export interface GeoPolicy {
  /** `undefined` when there is no allow list. */
  readonly allowed: ReadonlySet<string> | undefined
  readonly blocked: ReadonlySet<string>
  readonly privateAddresses: Decision
  readonly unknownCountry: Decision
  readonly lookupErrors: Decision
  /** True when some client could be refused; otherwise the hook does nothing for the route. */
  readonly enforces: boolean
}

export function compilePolicy(rules: ResolvedRules): GeoPolicy {
  const allowed = rules.allowedCountries.length > 0 ? new Set(rules.allowedCountries) : undefined
  const blocked = new Set(rules.blockedCountries)
  const unknownCountry = rules.unknownCountry ?? (allowed === undefined ? 'allow' : 'deny')
  const countryMatters = allowed !== undefined || blocked.size > 0 || unknownCountry === 'deny'
  // A failed lookup can only refuse where the country would have mattered.
  const lookupErrors = countryMatters ? rules.lookupErrors : 'allow'
  return Object.freeze({
    allowed,
    blocked,
    privateAddresses: rules.privateAddresses,
    unknownCountry,
    lookupErrors,
    enforces: countryMatters || rules.privateAddresses === 'deny',
  })
}

/**
 * The refusal reason for a client, or `undefined` to let it through. A country in both lists is
 * refused: `blockedCountries` wins over `allowedCountries`.
 */
export function decide(policy: GeoPolicy, lookup: GeoLookup): BlockReason | undefined {
  switch (lookup.status) {
    case 'found': {
      const country = lookup.country as string
      if (policy.blocked.has(country)) return 'blocked-country'
      if (policy.allowed !== undefined && !policy.allowed.has(country)) return 'not-allowed-country'
      return undefined
    }
    case 'private':
      return policy.privateAddresses === 'deny' ? 'private-address' : undefined
    case 'unknown':
      return policy.unknownCountry === 'deny' ? 'unknown-country' : undefined
    default:
      return policy.lookupErrors === 'deny' ? 'lookup-error' : undefined
  }
}

/** The `detail` of the 403 for each reason. */
export function refusalDetail(reason: BlockReason, country: string | null): string {
  switch (reason) {
    case 'blocked-country':
    case 'not-allowed-country':
      return `Access from ${country} is not allowed`
    case 'private-address':
      return 'Access from private or reserved addresses is not allowed'
    case 'unknown-country':
      return 'Access from addresses whose country is unknown is not allowed'
    default:
      return 'The country of the client address could not be determined'
  }
}
