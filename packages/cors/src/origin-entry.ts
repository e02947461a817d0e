/** The longest origin anyone can send: a scheme, `://`, a 253-character host and a port. */
export const MAX_ORIGIN_LENGTH = 300

const ORIGIN_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#@\s\\]+)$/
const OTHER_SCHEME_HOST = /^(?:[a-z0-9_~-]+(?:\.[a-z0-9_~-]+)*|\[[0-9a-f:.]+\])(?::[1-9][0-9]{0,4})?$/
/** Origins an allowing pattern must not match: one that does allows everyone. */
const PROBE_ORIGINS = ['null', 'https://rampart-cors-probe.invalid', 'http://rampart-cors-probe.invalid']

/**
 * Checks one exact origin of `origins` and returns it lowercased, or a sentence saying what is
 * wrong. An origin is exactly what browsers send in `Origin`: `scheme://host[:port]`, no path,
 * no trailing slash, no default port, IDN hosts in punycode.
 */
export function parseOrigin(entry: string): { origin: string } | { problem: string } {
  if (entry === 'null') {
    return {
      problem:
        "is the 'null' origin, which sandboxed iframes, file: pages and redirected requests all share: allowing it trusts any of them",
    }
  }
  if (entry.length > MAX_ORIGIN_LENGTH) return { problem: `is longer than ${MAX_ORIGIN_LENGTH} characters` }
  const lower = entry.toLowerCase()
  const shape = ORIGIN_SHAPE.exec(lower)
  if (shape === null) {
    const origin = urlOrigin(entry)
    return origin === undefined
      ? { problem: 'must be an origin: scheme://host[:port], e.g. "https://app.example.com"' }
      : { problem: `must be an origin without path, query or trailing slash: "${origin}"` }
  }
  const [, scheme, authority] = shape as unknown as [string, string, string]
  if (authority.includes('*')) {
    return {
      problem:
        'is not a pattern: for subdomains use an anchored RegExp such as /^https:\\/\\/[a-z0-9-]+\\.example\\.com$/',
    }
  }
  if (scheme === 'http' || scheme === 'https') {
    const origin = urlOrigin(entry)
    if (origin === undefined) return { problem: 'is not a valid http(s) origin' }
    if (origin !== lower) return { problem: `must be written as browsers send it: "${origin}"` }
    return { origin }
  }
  if (!OTHER_SCHEME_HOST.test(authority)) return { problem: 'has an invalid host or port' }
  return { origin: lower }
}

function urlOrigin(text: string): string | undefined {
  try {
    const origin = new URL(text).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}

/**
 * Checks one RegExp of `origins`: it must be anchored at both ends on every top-level branch
 * (`/^https:\/\/a\.example\.com$|^https:\/\/b\.example\.com$/`), carry no `g`, `y` or `m` flag,
 * and match neither the `null` origin nor an arbitrary origin. Returns a problem or `undefined`.
 */
export function checkOriginPattern(pattern: RegExp): string | undefined {
  for (const flag of ['g', 'y', 'm']) {
    if (pattern.flags.includes(flag)) {
      return `must not use the "${flag}" flag (${flag === 'm' ? 'it unanchors ^ and $' : 'it makes test() stateful'})`
    }
  }
  const branches = topLevelBranches(pattern.source, pattern.flags.includes('v'))
  const loose = branches.findIndex((branch) => !branch.startsWith('^') || !endsWithUnescapedDollar(branch))
  if (loose !== -1) {
    const where = branches.length > 1 ? ` (branch ${loose + 1} of ${branches.length}: ${branches[loose]})` : ''
    return `must be anchored: start with ^ and end with $${where}, or "https://app.example.com.evil.com" can match`
  }
  for (const probe of PROBE_ORIGINS) {
    if (pattern.test(probe)) {
      return probe === 'null'
        ? "matches the 'null' origin, which untrusted sandboxed and file: documents send"
        : `matches any origin (it matched "${probe}"); list the origins instead`
    }
  }
  return undefined
}

/** Splits a pattern's source on the `|` that are outside groups and character classes. */
function topLevelBranches(source: string, unicodeSets: boolean): string[] {
  const branches: string[] = []
  let depth = 0
  let classDepth = 0
  let start = 0
  for (let i = 0; i < source.length; i++) {
    const char = source[i]
    if (char === '\\') {
      i++
    } else if (classDepth > 0) {
      if (char === ']') classDepth--
      else if (char === '[' && unicodeSets) classDepth++
    } else if (char === '[') {
      classDepth = 1
    } else if (char === '(') {
      depth++
    } else if (char === ')') {
      depth--
    } else if (char === '|' && depth === 0) {
      branches.push(source.slice(start, i))
      start = i + 1
    }
  }
  branches.push(source.slice(start))
  return branches
}

function endsWithUnescapedDollar(branch: string): boolean {
  if (!branch.endsWith('$')) return false
  let backslashes = 0
  for (let i = branch.length - 2; i >= 0 && branch[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 0
}
