import type { Identity, RouteDescription } from '@rampart/core'
import { optionValidator as validate } from './options.js'

/** A route's MFA requirement: `config: { rampart: { mfa: { required: true } } }`. */
export interface MfaRouteConfig {
  /** Whether the route needs an identity that passed a second factor (an `amr` claim value). */
  required: boolean
}

declare module '@rampart/core' {
  interface RampartRouteConfig {
    /** @rampart/mfa: `{ required: true }` refuses identities without MFA (`amr`); `false` or absent: no check. */
    mfa?: MfaRouteConfig | false
  }
}

/** Resolved once per route: whether it needs MFA. */
export function resolveRoute(route: RouteDescription, config: MfaRouteConfig | false | undefined): boolean {
  if (config === undefined || config === false) return false
  const where = `config.rampart.mfa (route ${String(route.method)} ${route.url})`
  const given = validate.object(where, config)
  validate.knownKeys(where, given, ['required'])
  return validate.boolean(`${where}.required`, given.required)
}

/**
 * Whether the identity's claims show a second factor: an `amr` claim (RFC 8176, an array of
 * strings, or one string) holding one of `amrValues`.
 */
export function hasSecondFactor(identity: Identity, amrValues: readonly string[]): boolean {
  const amr = identity.claims?.amr
  if (typeof amr === 'string') return amrValues.includes(amr)
  if (!Array.isArray(amr)) return false
  for (const value of amr) if (typeof value === 'string' && amrValues.includes(value)) return true
  return false
}
