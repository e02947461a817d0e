import t from 'tap'
import type { HeadersOptions } from '../src/index.js'
import { build } from './fixtures/build.js'

/** Each bad policy, and the option (with its directive) the error must name. */
const CASES: [string, unknown, string, RegExp][] = [
  ['missing default-src', { 'script-src': ["'self'"] }, 'default-src', /is required/],
  ['missing default-src (string)', "script-src 'self'", 'default-src', /is required/],
  ['unquoted self', { 'default-src': ['self'] }, 'default-src', /keyword self unquoted/],
  ['unquoted none', { 'default-src': ["'self'"], 'object-src': ['none'] }, 'object-src', /keyword none unquoted/],
  [
    'unquoted unsafe-inline',
    "default-src 'self'; script-src 'self' unsafe-inline",
    'script-src',
    /keyword unsafe-inline unquoted/,
  ],
  ['unquoted strict-dynamic', { 'default-src': ["'self'"], scriptSrc: ['strict-dynamic'] }, 'script-src', /unquoted/],
  ['unquoted nonce', { 'default-src': ["'self'"], 'script-src': ['nonce-abc'] }, 'script-src', /unquoted/],
  ['quoted non-keyword', { 'default-src': ["'selfish'"] }, 'default-src', /no CSP keyword/],
  ['unknown directive', { 'default-src': ["'self'"], 'scrpt-src': ["'self'"] }, 'scrpt-src', /is not a CSP directive/],
  ['unknown directive (string)', "default-src 'self'; frame-options deny", 'frame-options', /is not a CSP directive/],
  ['semicolon in a source', { 'default-src': ["'self'; script-src *"] }, 'default-src', /whitespace, ",", ";"/],
  ['comma in a source', { 'default-src': ["'self',"] }, 'default-src', /whitespace, ",", ";"/],
  ['CR/LF in a source', { 'default-src': ["'self'\r\nX-Evil: 1"] }, 'default-src', /CR\/LF/],
  ['space in a source', { 'default-src': ["'self' https:"] }, 'default-src', /one source per array item/],
  ['CR/LF in a string', "default-src 'self'\r\nX-Evil: 1", 'default-src', /control or non-ASCII/],
  ['comma in a string', "default-src 'self', script-src *", 'default-src', /second policy/],
  ['non-ASCII in a string', "default-src 'self' https://exämple.com", 'default-src', /non-ASCII/],
  ["'none' with others", { 'default-src': ["'none'", "'self'"] }, 'default-src', /'none' must stand alone/],
  ['empty source list', { 'default-src': ["'self'"], 'img-src': [] }, 'img-src', /has no sources/],
  ['true on a source list', { 'default-src': true }, 'default-src', /has no sources/],
  [
    'a value on a flag',
    { 'default-src': ["'self'"], 'upgrade-insecure-requests': ['yes'] },
    'upgrade-insecure-requests',
    /takes no value/,
  ],
  ['bad host', { 'default-src': ['https://exa mple.com'] }, 'default-src', /whitespace/],
  ['bad source expression', { 'default-src': ['https://@evil'] }, 'default-src', /invalid source expression/],
  [
    'frame-ancestors keyword',
    { 'default-src': ["'self'"], 'frame-ancestors': ["'unsafe-inline'"] },
    'frame-ancestors',
    /allows only/,
  ],
  ['sandbox token', { 'default-src': ["'self'"], sandbox: ['allow-everything'] }, 'sandbox', /unknown token/],
  ['report-to two groups', { 'default-src': ["'self'"], 'report-to': ['a', 'b'] }, 'report-to', /exactly one/],
  [
    'trusted-types-for',
    { 'default-src': ["'self'"], 'require-trusted-types-for': ['script'] },
    'require-trusted-types-for',
    /'script'/,
  ],
  ['webrtc', { 'default-src': ["'self'"], webrtc: ["'maybe'"] }, 'webrtc', /'allow'/],
  ['report-uri empty', { 'default-src': ["'self'"], 'report-uri': true }, 'report-uri', /needs at least one URI/],
  [
    'trusted-types name',
    { 'default-src': ["'self'"], 'trusted-types': ['bad!name'] },
    'trusted-types',
    /invalid policy name/,
  ],
  [
    'trusted-types none',
    { 'default-src': ["'self'"], 'trusted-types': ["'none'", 'app'] },
    'trusted-types',
    /combines 'none'/,
  ],
  ['duplicate (string)', "default-src 'self'; default-src *", 'default-src', /appears twice/],
  ['duplicate (camel and kebab)', { defaultSrc: ["'self'"], 'default-src': ["'self'"] }, 'default-src', /given twice/],
  ['not an array', { 'default-src': "'self'" }, 'default-src', /must be an array/],
  ['not a string', { 'default-src': [42] }, 'default-src[0]', /non-empty string/],
]

t.test('every bad policy fails register with RAMPART_HEADERS_INVALID_OPTION naming the directive', async (t) => {
  for (const [what, policy, directive, problem] of CASES) {
    for (const option of ['csp', 'cspReportOnly'] as const) {
      const error = await build({ [option]: policy } as HeadersOptions).then(
        () => undefined,
        (error: Error & { code?: string }) => error,
      )
      t.equal(error?.code, 'RAMPART_HEADERS_INVALID_OPTION', `${what} (${option}): coded`)
      t.ok(
        error?.message.includes(`option "${option}.${directive}"`),
        `${what} (${option}): names ${option}.${directive}`,
      )
      t.match(error?.message, problem, `${what} (${option}): says what is wrong`)
    }
  }
})

t.test('a policy of the wrong type, or empty', async (t) => {
  await t.rejects(build({ csp: 42 as unknown as string }), { message: /option "csp" must be an object/ })
  await t.rejects(build({ csp: ' ; ' }), { message: /option "csp" must not be empty/ })
  await t.rejects(build({ csp: true as unknown as string }), { message: /option "csp" must be an object/ })
})
