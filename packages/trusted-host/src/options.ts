import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'
import { type HostEntry, parseHostEntry } from './host-entry.js'

/** Options of @rampart/trusted-host. */
export interface TrustedHostOptions {
  /**
   * The hosts this application answers for. Required, at least one entry. Each entry is one of:
   * - `example.com`: that host on any port;
   * - `example.com:8443`: that host on that port only;
   * - `*.example.com`: any subdomain of example.com at any depth (not `example.com` itself), any port;
   * - `*.example.com:8443`: the same, on that port only;
   * - `203.0.113.7`, `[2001:db8::1]`, `[::1]:3000`: IP literals, IPv6 in brackets;
   * - `*` alone: any host (the plugin then does nothing per request).
   * Case-insensitive; a trailing dot is ignored.
   */
  allowedHosts: readonly string[]
}

/** The options after validation, frozen at register. */
export interface ResolvedTrustedHostOptions {
  /** The parsed entries, in the order given. */
  readonly allowedHosts: readonly HostEntry[]
}

/** Every option this plugin knows. There are no defaults: `allowedHosts` is required. */
export const OPTION_NAMES: readonly string[] = Object.freeze(['allowedHosts'])

const validate = new OptionValidator(PACKAGE)

/** Validates the user's options; throws RAMPART_TRUSTED_HOST_INVALID_OPTION naming the bad option. */
export function resolveOptions(options: TrustedHostOptions): ResolvedTrustedHostOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, OPTION_NAMES)
  if (given.allowedHosts === undefined) {
    validate.fail('allowedHosts', "is required: list the hosts this application serves, or ['*'] to allow any")
  }
  const list = validate.stringList('allowedHosts', given.allowedHosts)
  if (list.length === 0) {
    validate.fail(
      'allowedHosts',
      "must list at least one host (an empty list would refuse every request; ['*'] allows any)",
    )
  }
  const entries = list.map((item, index) => {
    const parsed = parseHostEntry(item)
    if (typeof parsed === 'string') validate.fail(`allowedHosts[${index}]`, parsed, item)
    return parsed as HostEntry
  })
  const star = entries.findIndex((entry) => entry.kind === 'any')
  if (star !== -1 && entries.length > 1) {
    validate.fail(`allowedHosts[${star}]`, "'*' allows every host: list it alone or not at all", '*')
  }
  return Object.freeze({ allowedHosts: Object.freeze(entries) })
}
