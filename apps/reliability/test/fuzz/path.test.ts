import { normalizePath, PrefixMatcher } from '@rampart/core'
import fc from 'fast-check'
import t from 'tap'
import { FuzzLog, runs } from '../../src/fuzz.js'

// Path normalisation: core's `normalizePath` (what `requestPath` gives every plugin) and the
// `PrefixMatcher` the path rules of rate-limit, auth, signature, content-guard, csrf... use.

const log = new FuzzLog('path')
t.teardown(() => log.write())

const UNRESERVED = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~'
const safeSegment = fc.string({ unit: fc.constantFrom(...UNRESERVED), minLength: 1, maxLength: 8 })
const safePath = fc.array(safeSegment, { minLength: 0, maxLength: 6 })
const anyPath = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(
      fc.oneof(
        safeSegment,
        fc.constantFrom(
          '',
          '.',
          '..',
          '%2e',
          '%2E%2e',
          '%2F',
          '%2f',
          '%25',
          '%252e',
          '%00',
          '%zz',
          '%',
          '%3F',
          '%23',
          '?',
          '#',
          '%C3%A9',
          '%FF',
          '\u00e9',
        ),
      ),
      {
        maxLength: 10,
      },
    )
    .map((parts) => `/${parts.join('/')}`),
)

/** Percent-encodes some characters of a segment (upper or lower hex), as a client may. */
const encodeSome = (segment: string, mask: number, lower: boolean) =>
  [...segment]
    .map((char, index) => {
      if (((mask >> index) & 1) === 0) return char
      const hex = char.charCodeAt(0).toString(16).padStart(2, '0')
      return `%${lower ? hex : hex.toUpperCase()}`
    })
    .join('')

t.test('normalizePath', async (t) => {
  await log.check(
    t,
    'never throws; the result starts with /, has no empty, . or .. segment and no trailing slash',
    runs(2000),
    fc.property(anyPath, fc.boolean(), (path, caseSensitive) => {
      const normal = normalizePath(path, caseSensitive)
      if (!normal.startsWith('/')) return false
      if (normal === '/') return true
      return normal
        .slice(1)
        .split('/')
        .every((segment) => segment !== '' && segment !== '.' && segment !== '..')
    }),
  )
  await log.check(
    t,
    'normalising twice equals normalising once, for every result that holds no escape left to decode nor a decoded ? or #',
    runs(2000),
    fc.property(anyPath, (path) => {
      const once = normalizePath(path)
      if (/%(?!2F)[0-9A-Fa-f]{2}|[?#]/.test(once)) return true
      return normalizePath(once) === once
    }),
  )
  await log.check(
    t,
    'every spelling of a path (//, ./, x/../, a trailing slash, escapes in either case, a query) is the same path',
    runs(2000),
    fc.property(
      safePath,
      fc.array(fc.nat({ max: 4 }), { maxLength: 8 }),
      fc.nat(),
      fc.boolean(),
      fc.constantFrom('', '?a=1', '?x=/../admin', '#frag'),
      (segments, tricks, mask, lower, suffix) => {
        const canonical = normalizePath(`/${segments.join('/')}`)
        const parts: string[] = []
        segments.forEach((segment, index) => {
          const trick = tricks[index] ?? 0
          if (trick === 1) parts.push('')
          if (trick === 2) parts.push('.')
          if (trick === 3) parts.push('zz', '..')
          if (trick === 4) parts.push('%2e')
          parts.push(encodeSome(segment, mask >> index, lower))
        })
        const spelled = `/${parts.join('/')}${tricks.length % 2 === 1 ? '/' : ''}${suffix}`
        return normalizePath(spelled) === canonical
      },
    ),
  )
  await log.check(
    t,
    'never climbs above the root',
    runs(1000),
    fc.property(fc.nat({ max: 10 }), safePath, (ups, segments) => {
      return normalizePath(`/${'../'.repeat(ups)}${segments.join('/')}`) === normalizePath(`/${segments.join('/')}`)
    }),
  )
  await log.check(
    t,
    'an encoded slash is never a separator: segments stay segments',
    runs(1000),
    fc.property(
      fc.array(fc.tuple(safeSegment, safeSegment, fc.constantFrom('%2F', '%2f')), { minLength: 1, maxLength: 5 }),
      (pairs) => {
        const normal = normalizePath(`/${pairs.map(([a, b, slash]) => `${a}${slash}${b}`).join('/')}`)
        return normal.split('/').length === pairs.length + 1
      },
    ),
  )
  await log.check(
    t,
    'case-insensitive normalising is the lower case of case-sensitive normalising',
    runs(1000),
    fc.property(anyPath, (path) => normalizePath(path, false) === normalizePath(path, true).toLowerCase()),
  )
  await log.check(
    t,
    'an absolute-form request target (http://host/path) is its path, as the router reads it',
    runs(500),
    fc.property(fc.constantFrom('http', 'https'), fc.domain(), safePath, (scheme, host, segments) => {
      const path = `/${segments.join('/')}`
      return normalizePath(`${scheme}://${host}${path}`) === normalizePath(path)
    }),
  )
})

t.test('PrefixMatcher', async (t) => {
  await log.check(
    t,
    'a rule matches a path exactly when the path is the rule or under it, segment-aware, whatever the spelling',
    runs(1000),
    fc.property(safePath, safePath, fc.nat({ max: 3 }), (rule, rest, trick) => {
      if (rule.length === 0) return true
      const matcher = new PrefixMatcher([[`/${rule.join('/')}`, true]])
      const under = normalizePath(`/${[...rule, ...rest].join('/')}`)
      const sibling = normalizePath(`/${[...rule.slice(0, -1), `${rule.at(-1)}x`, ...rest].join('/')}`)
      const spelled = trick === 0 ? `/${rule.join('//')}/` : trick === 1 ? `/./${rule.join('/')}` : `/${rule.join('/')}`
      return (
        matcher.match(under) === true &&
        matcher.match(sibling) === undefined &&
        matcher.match(normalizePath(spelled)) === true
      )
    }),
  )
})
