import { parseMediaType } from '@rampart/content-guard'
import { OriginMatcher } from '@rampart/cors'
import { cookieValue, DUPLICATE } from '@rampart/csrf'
import { buildCsp, parseCsp } from '@rampart/headers'
import { AMBIGUOUS, readCookie } from '@rampart/session'
import { HostMatcher, parseHostEntry } from '@rampart/trusted-host'
import fc from 'fast-check'
import t from 'tap'
import { FuzzLog, runs } from '../../src/fuzz.js'

// Header parsers: media types (@rampart/content-guard), CSP directives (@rampart/headers), the
// session and CSRF cookie readers, allowed hosts (@rampart/trusted-host) and origins (@rampart/cors).

const log = new FuzzLog('parsers')
t.teardown(() => log.write())

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 12 })
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 })
const quoted = fc
  .string({ unit: fc.constantFrom(...'abc XYZ;=,/\\"\t!#'.split('')), maxLength: 10 })
  .map((text) => `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`)
const parameter = fc
  .tuple(ows, ows, token, fc.oneof(token, quoted))
  .map(([a, b, name, value]) => `${a};${b}${name}=${value}`)
const ascii = fc.string({
  unit: fc.integer({ min: 0, max: 127 }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
})

t.test('media types', async (t) => {
  await log.check(
    t,
    'never throws; an answer is the lower-case type/subtype before the first ;',
    runs(2000),
    fc.property(fc.oneof(ascii, fc.string({ unit: 'binary', maxLength: 60 })), (value) => {
      const type = parseMediaType(value)
      if (type === undefined) return true
      const essence = value
        .split(';')[0]
        ?.replace(/^[ \t]+|[ \t]+$/g, '')
        .toLowerCase()
      return type === essence && /^[^/\s]+\/[^/\s]+$/.test(type) && type === type.toLowerCase()
    }),
  )
  await log.check(
    t,
    'any well-formed media type (case, whitespace, parameters, quoted strings) is read as its type',
    runs(2000),
    fc.property(
      ows,
      token,
      token,
      fc.array(parameter, { maxLength: 4 }),
      ows,
      (lead, type, subtype, parameters, trail) => {
        return (
          parseMediaType(`${lead}${type}/${subtype}${parameters.join('')}${trail}`) ===
          `${type}/${subtype}`.toLowerCase()
        )
      },
    ),
  )
  await log.check(
    t,
    'anything but ; after the type makes it malformed',
    runs(2000),
    fc.property(
      token,
      token,
      fc.constantFrom(' x', '\tx', ',text/plain', ' ,', '/x', '\u000bx', '\u00a0'),
      (type, subtype, junk) => parseMediaType(`${type}/${subtype}${junk}`) === undefined,
    ),
  )
  await log.check(
    t,
    'case never changes the answer',
    runs(2000),
    fc.property(ascii, (value) => parseMediaType(value.toUpperCase()) === parseMediaType(value.toLowerCase())),
  )
})

const DIRECTIVES = [
  'default-src',
  'script-src',
  'img-src',
  'style-src',
  'frame-ancestors',
  'sandbox',
  'report-uri',
  'report-to',
  'upgrade-insecure-requests',
  'object-src',
  'base-uri',
  'trusted-types',
  'webrtc',
  'bogus-src',
  'Script-Src',
]
const SOURCES = [
  "'self'",
  "'none'",
  'self',
  "'unsafe-inline'",
  "'nonce-abc123'",
  "'sha256-AAAA='",
  'https:',
  'data:',
  'https://cdn.example.com',
  '*.example.com:443',
  '*',
  "'bogus'",
  'allow-scripts',
  'https://a.example/path;x',
  'a,b',
  '/report',
  "'allow'",
  "'script'",
]
const policyText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc
    .array(fc.tuple(fc.constantFrom(...DIRECTIVES), fc.array(fc.constantFrom(...SOURCES), { maxLength: 4 }), ows), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => parts.map(([name, sources, space]) => `${space}${name} ${sources.join(' ')}`).join(';')),
)

t.test('CSP directives', async (t) => {
  await log.check(
    t,
    'a policy string is either refused with RAMPART_HEADERS_INVALID_OPTION or read; what is read writes back to a fixed point',
    runs(2000),
    fc.property(policyText, (text) => {
      let parsed: Record<string, string[]>
      try {
        parsed = parseCsp(text)
      } catch (error) {
        return (error as { code?: unknown }).code === 'RAMPART_HEADERS_INVALID_OPTION'
      }
      const header = buildCsp(parsed)
      if (/[\r\n,]/.test(header) || header.includes('\u0000') || !('default-src' in parsed)) return false
      const again = parseCsp(header)
      return JSON.stringify(again) === JSON.stringify(parsed) && buildCsp(again) === header
    }),
  )
  const FETCH = [
    'script-src',
    'img-src',
    'style-src',
    'connect-src',
    'font-src',
    'object-src',
    'base-uri',
    'form-action',
  ]
  const GOOD = [
    "'self'",
    "'unsafe-inline'",
    "'nonce-abc123'",
    "'sha256-AAAA='",
    'https:',
    'data:',
    'https://cdn.example.com',
    '*.example.com:443',
    '*',
  ]
  await log.check(
    t,
    'a valid policy, in any case, spacing and order, is read and written back to the same directives',
    runs(2000),
    fc.property(
      fc.array(fc.constantFrom(...GOOD), { minLength: 1, maxLength: 4 }),
      fc.uniqueArray(
        fc.tuple(fc.constantFrom(...FETCH), fc.array(fc.constantFrom(...GOOD), { minLength: 1, maxLength: 3 })),
        {
          selector: ([name]) => name,
          maxLength: 5,
        },
      ),
      fc.boolean(),
      ows,
      (defaults, others, upper, space) => {
        const parts = [['default-src', defaults] as const, ...others].map(
          ([name, sources]) =>
            `${space}${upper ? name.toUpperCase() : name}${space} ${sources.join(`${space} `)}${space}`,
        )
        const parsed = parseCsp(parts.join(';'))
        const header = buildCsp(parsed)
        return (
          JSON.stringify(parseCsp(header)) === JSON.stringify(parsed) &&
          JSON.stringify(parsed['default-src']) === JSON.stringify(defaults) &&
          Object.keys(parsed).length === others.length + 1
        )
      },
    ),
  )
})

const cookieText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('sid', 'sid ', ' sid', 'SID', 'xsid', 'sid2', '__Host-csrf', 'a'),
        fc.oneof(token, quoted, fc.constant('')),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; ')),
)

t.test('cookie readers', async (t) => {
  await log.check(
    t,
    'the session and CSRF readers never throw and never return a value holding ; or a line break',
    runs(2000),
    fc.property(cookieText, (header) => {
      const session = readCookie(header, 'sid')
      const csrf = cookieValue(header, '__Host-csrf')
      for (const value of [session, csrf]) {
        if (typeof value === 'string' && /[;\r\n]/.test(value)) return false
      }
      return true
    }),
  )
  await log.check(
    t,
    'a cookie sent once is read; sent twice with different values it is nobody\u2019s',
    runs(2000),
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'xsid', 'sidx'), token), { maxLength: 4 }),
      token,
      fc.option(token, { nil: undefined }),
      (others, value, second) => {
        const pairs = others.map(([name, v]) => `${name}=${v}`)
        pairs.splice(pairs.length >> 1, 0, `sid=${value}`)
        if (second !== undefined) pairs.push(`sid=${second}`)
        const read = readCookie(pairs.join('; '), 'sid')
        if (second === undefined || second === value) return read === value
        return read === AMBIGUOUS
      },
    ),
  )
  await log.check(
    t,
    'the CSRF reader: a name sent twice counts as absent',
    runs(1000),
    fc.property(token, token, (first, second) => {
      const read = cookieValue(`__Host-csrf=${first}; other=1; __Host-csrf=${second}`, '__Host-csrf')
      return read === DUPLICATE || read === undefined
    }),
  )
})

const hostEntries = ['api.example.com', '*.example.com', 'example.org:8443', '[::1]', '203.0.113.7']
const hosts = new HostMatcher(
  hostEntries.map((entry) => parseHostEntry(entry) as Exclude<ReturnType<typeof parseHostEntry>, string>),
)

t.test('allowed hosts and origins', async (t) => {
  await log.check(
    t,
    'a host matches only an allowed name (or a subdomain of an allowed wildcard), never a look-alike',
    runs(2000),
    fc.property(
      fc.oneof(
        fc.domain(),
        fc.string({ maxLength: 40 }),
        fc
          .tuple(fc.domain(), fc.constantFrom('', ':80', ':8443', ':', ':08443', ':-1', '.'))
          .map(([domain, suffix]) => `${domain}${suffix}`),
        fc.constantFrom(
          'api.example.com.evil.com',
          'evilexample.com',
          'example.com',
          'api.example.com@evil.com',
          'a.evilexample.com',
          '[::1]:3000',
          '[0:0::1]',
          '203.0.113.7.nip.io',
        ),
      ),
      (raw) => {
        const host = raw.toLowerCase()
        const allowed = hosts.matches(host)
        if (!allowed) return true
        const name = host.startsWith('[')
          ? host.slice(0, host.indexOf(']') + 1)
          : (host.split(':')[0] ?? '').replace(/\.$/, '')
        return (
          name === 'api.example.com' ||
          (name.endsWith('.example.com') && name.length > '.example.com'.length) ||
          name === 'example.org' ||
          name === '[::1]' ||
          name === '[0:0::1]' ||
          name === '203.0.113.7'
        )
      },
    ),
  )
  const origins = new OriginMatcher(['https://example.com'], [/^https:\/\/[a-z0-9-]+\.preview\.example\.com$/])
  await log.check(
    t,
    'an origin is allowed only when it is listed exactly or matches an anchored pattern',
    runs(2000),
    fc.property(
      fc.oneof(
        fc.webUrl().map((url) => new URL(url).origin),
        fc.string({ maxLength: 60 }),
        fc.constantFrom(
          'null',
          'https://example.com.evil.com',
          'https://evilexample.com',
          'https://a.preview.example.com.evil.com',
          'https://a.preview.example.com/',
          'HTTPS://EXAMPLE.COM',
        ),
      ),
      (origin) => {
        if (!origins.allows(origin)) return true
        return origin === 'https://example.com' || /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/.test(origin)
      },
    ),
  )
})
