/** A permission or role name: visible ASCII, no spaces (scopes travel space-separated in tokens). */
export const NAME_PATTERN: RegExp = /^[\x21-\x7e]+$/

/** A granted wildcard: a whole last segment, `resource:*` (`admin:*`, `posts:drafts:*`). */
export const WILDCARD_PATTERN: RegExp = /^[^*]+:\*$/

const NO_WILDCARDS: readonly string[] = Object.freeze([])

/**
 * The wildcard grants that imply `permission`: `a:b:c` is implied by `a:*` and `a:b:*`. A bare `*`
 * is not among them: nothing grants everything.
 */
export function wildcardsOf(permission: string): readonly string[] {
  let at = permission.indexOf(':')
  if (at <= 0) return NO_WILDCARDS
  const wildcards: string[] = []
  while (at > 0) {
    wildcards.push(`${permission.slice(0, at)}:*`)
    at = permission.indexOf(':', at + 1)
  }
  return Object.freeze(wildcards)
}
