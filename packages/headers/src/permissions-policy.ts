import { validate } from './errors.js'

/**
 * A Permissions-Policy: feature to allowlist. `[]` denies the feature everywhere (`camera=()`),
 * `['self']` allows this origin, `['self', 'https://maps.example']` adds an origin, `['*']` allows
 * every origin; `false` removes the feature from the policy it is merged over.
 */
export type PermissionsPolicy = Readonly<Record<string, readonly string[] | false>>

/** A validated policy: feature to its serialised allowlist items (`self`, `src`, `*`, `"https://…"`). */
export type PermissionsPolicyMap = ReadonlyMap<string, readonly string[]>

/** The seed's Permissions-Policy: eight powerful features denied everywhere. */
export const SEED_PERMISSIONS_POLICY: PermissionsPolicy = Object.freeze({
  camera: Object.freeze([]),
  microphone: Object.freeze([]),
  geolocation: Object.freeze([]),
  payment: Object.freeze([]),
  usb: Object.freeze([]),
  magnetometer: Object.freeze([]),
  gyroscope: Object.freeze([]),
  accelerometer: Object.freeze([]),
})

const FEATURE = /^[a-z][a-z0-9-]*$/
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[0-9]{1,5})?$/i

/**
 * Validates `policy` and merges it over `base` (the plugin's policy for a route, the seed's for
 * the plugin); `false` sends no Permissions-Policy.
 */
export function resolvePermissionsPolicy(
  policy: unknown,
  option: string,
  base: PermissionsPolicyMap | false | undefined,
): PermissionsPolicyMap | false {
  if (policy === false) return false
  const given = validate.object(option, policy)
  const merged = new Map(base === undefined || base === false ? [] : base)
  for (const [feature, allowlist] of Object.entries(given)) {
    const at = `${option}.${feature}`
    if (!FEATURE.test(feature)) validate.fail(at, 'is not a feature name (lower-case letters, digits and "-")')
    if (allowlist === false) {
      merged.delete(feature)
      continue
    }
    const items = validate.stringList(at, allowlist).map((item) => allowlistItem(item, at))
    if (items.length > 1 && items.includes('*')) validate.fail(at, 'combines * with other items (* must stand alone)')
    merged.set(feature, Object.freeze(items))
  }
  return merged
}

function allowlistItem(item: string, at: string): string {
  if (item === 'self' || item === 'src' || item === '*') return item
  if (item.startsWith("'")) {
    validate.fail(at, "uses CSP syntax: Permissions-Policy writes self and src unquoted, and [] for 'none'", item)
  }
  const origin = item.startsWith('"') && item.endsWith('"') ? item.slice(1, -1) : item
  if (!ORIGIN.test(origin))
    validate.fail(at, 'items must be self, src, * or an origin such as https://example.com', item)
  return `"${origin.toLowerCase()}"`
}

/** The header value: `camera=(), geolocation=(self "https://maps.example"), fullscreen=*`. */
export function serialisePermissionsPolicy(policy: PermissionsPolicyMap): string | undefined {
  const parts: string[] = []
  for (const [feature, items] of policy) {
    parts.push(items.length === 1 && items[0] === '*' ? `${feature}=*` : `${feature}=(${items.join(' ')})`)
  }
  return parts.length === 0 ? undefined : parts.join(', ')
}
