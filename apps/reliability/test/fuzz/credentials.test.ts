import { randomBytes } from 'node:crypto'
import { createApiKeyStrategy } from '@rampart/api-key'
import type { AuthOutcome } from '@rampart/core'
import { createJwtStrategy } from '@rampart/jwt'
import {
  canonicalQuery,
  encodeRfc3986,
  KEY_ID_PATTERN,
  NONCE_PATTERN,
  queryPairs,
  signRequest,
} from '@rampart/signature'
import fc from 'fast-check'
import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import { FuzzLog, runs } from '../../src/fuzz.js'
import { buildSuiteApp } from '../../src/suite-app.js'

// Credentials as they arrive: the JWT extraction (`Authorization: Bearer`, the cookie), the API
// key header, and the signature headers and canonical query of @rampart/signature.

const log = new FuzzLog('credentials')
t.teardown(() => log.write())

const host = Fastify()
t.teardown(() => host.close())
const SECRET = randomBytes(48).toString('base64url')
const jwt = createJwtStrategy(host, { secret: SECRET, cookie: 'access_token' })
const API_KEY = `rk_${randomBytes(24).toString('base64url')}`
const apiKey = createApiKeyStrategy(host, { keys: [{ id: 'k', owner: 'owner', key: API_KEY }] })

/** The part of a request the strategies read. */
function request(headers: Record<string, string | string[]>): FastifyRequest {
  return { headers, query: {}, url: '/', raw: { headers } } as unknown as FastifyRequest
}

async function outcome(result: AuthOutcome | Promise<AuthOutcome>): Promise<AuthOutcome> {
  return await result
}

const headerText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearer\t', 'Basic', 'ApiKey', 'Bearerx', ''),
      fc.string({ maxLength: 60 }),
    )
    .map(([scheme, rest]) => `${scheme} ${rest}`),
)

t.test('JWT extraction', async (t) => {
  const token = jwt.sign({ sub: 'alice' })
  await log.check(
    t,
    'any Authorization and Cookie header: never throws, never authenticates without the token',
    runs(2000),
    fc.asyncProperty(headerText, fc.option(headerText, { nil: undefined }), async (authorization, cookie) => {
      const result = await outcome(
        jwt.authenticate(request({ authorization, ...(cookie === undefined ? {} : { cookie }) })),
      )
      return result.status === 'absent' || result.status === 'invalid'
    }),
  )
  await log.check(
    t,
    'another scheme, and no cookie, is no token at all',
    runs(2000),
    fc.asyncProperty(headerText, async (authorization) => {
      fc.pre(!/^bearer( |$)/i.test(authorization))
      return (await outcome(jwt.authenticate(request({ authorization })))).status === 'absent'
    }),
  )
  await log.check(
    t,
    'the scheme in any case with any number of spaces reads the one token; anything after it makes the request invalid',
    runs(2000),
    fc.asyncProperty(
      fc
        .array(fc.boolean(), { minLength: 6, maxLength: 6 })
        .map((upper) => [...'bearer'].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join('')),
      fc.integer({ min: 1, max: 6 }),
      fc.option(fc.tuple(fc.constantFrom(' ', ','), fc.string({ minLength: 1, maxLength: 10 })), { nil: undefined }),
      async (scheme, spaces, junk) => {
        const header = `${scheme}${' '.repeat(spaces)}${token}${junk === undefined ? '' : junk.join('')}`
        const result = await outcome(jwt.authenticate(request({ authorization: header })))
        return junk === undefined ? result.status === 'authenticated' : result.status === 'invalid'
      },
    ),
  )
  await log.check(
    t,
    'a token with one character changed is refused, unless it only re-encodes the same bytes',
    runs(2000),
    fc.asyncProperty(
      fc.nat(),
      fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
      async (at, char) => {
        const index = at % token.length
        const mutated = `${token.slice(0, index)}${char}${token.slice(index + 1)}`
        fc.pre(mutated !== token)
        const result = await outcome(jwt.authenticate(request({ authorization: `Bearer ${mutated}` })))
        if (result.status !== 'authenticated') return true
        const bytes = (value: string) => value.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex'))
        return JSON.stringify(bytes(mutated)) === JSON.stringify(bytes(token))
      },
    ),
  )
  await log.check(
    t,
    'the cookie carries the token among any other cookies; a look-alike name does not',
    runs(1000),
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.constantFrom('a', 'xaccess_token', 'access_tokenx', 'b'),
          fc.string({ unit: fc.constantFrom(...'abc123'), maxLength: 5 }),
        ),
        {
          maxLength: 4,
        },
      ),
      fc.boolean(),
      async (others, present) => {
        const pairs = others.map(([name, value]) => `${name}=${value}`)
        if (present) pairs.push(`access_token=${token}`)
        const result = await outcome(jwt.authenticate(request({ cookie: pairs.join('; ') })))
        return present ? result.status === 'authenticated' : result.status !== 'authenticated'
      },
    ),
  )
})

t.test('API key header', async (t) => {
  await log.check(
    t,
    'any X-API-Key value: never throws, authenticates exactly the key',
    runs(2000),
    fc.asyncProperty(
      fc.oneof(
        headerText,
        fc.constant(API_KEY),
        fc.constant(`${API_KEY} `),
        fc.constant(API_KEY.slice(1)),
        fc.array(fc.constant(API_KEY), { minLength: 2, maxLength: 2 }),
      ),
      async (value) => {
        const result = await outcome(apiKey.authenticate(request({ 'x-api-key': value })))
        return value === API_KEY ? result.status === 'authenticated' : result.status === 'invalid'
      },
    ),
  )
})

t.test('signature headers and canonical query', async (t) => {
  const rfc3986 = /^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*$/
  await log.check(
    t,
    'canonicalQuery never throws, writes only RFC 3986 text, and its output is a fixed point',
    runs(2000),
    fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })), (query) => {
      const canonical = canonicalQuery(query)
      const pairs = canonical === '' ? [] : canonical.split('&')
      return (
        pairs.every((pair) => pair.split('=').length === 2 && pair.split('=').every((part) => rfc3986.test(part))) &&
        canonicalQuery(canonical) === canonical
      )
    }),
  )
  await log.check(
    t,
    'the canonical form keeps what the parser reads: the same pairs, names in order, values of one name in order',
    runs(2000),
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 5 }),
      (pairs) => {
        const raw = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')
        const read = queryPairs(canonicalQuery(raw))
        const expected = pairs
          .map(([name, value]) => [name, value] as [string, string])
          .sort((a, b) =>
            encodeRfc3986(a[0]) < encodeRfc3986(b[0]) ? -1 : encodeRfc3986(a[0]) > encodeRfc3986(b[0]) ? 1 : 0,
          )
        return JSON.stringify(read) === JSON.stringify(expected)
      },
    ),
  )
  await log.check(
    t,
    'the header patterns accept only their alphabets',
    runs(2000),
    fc.property(fc.string({ unit: 'binary', maxLength: 70 }), (value) => {
      const keyOk = KEY_ID_PATTERN.test(value) === /^[A-Za-z0-9._~-]{1,64}$/.test(value)
      const nonceOk = !NONCE_PATTERN.test(value) || /^[A-Za-z0-9_-]{16,128}$/.test(value)
      return keyOk && nonceOk
    }),
  )

  const { app, secrets } = await buildSuiteApp({ sessions: false, audit: false })
  t.teardown(() => app.close())
  // Each request from its own address: the long form's 10,000 would otherwise meet the rate limit.
  let requests = 0
  const nextClient = () => {
    requests++
    return `198.19.${(requests >> 8) & 255}.${requests & 255}`
  }
  const signatureHeader = fc.record(
    {
      'x-signature-key-id': fc.oneof(fc.constant(secrets.signingKeyId), fc.string({ maxLength: 70 })),
      'x-signature': fc.oneof(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        fc.string({ maxLength: 70 }),
      ),
      'x-signature-timestamp': fc.oneof(
        fc.constant(String(Math.floor(Date.now() / 1000))),
        fc.string({ maxLength: 12 }),
      ),
      'x-signature-nonce': fc.oneof(fc.base64String({ minLength: 16, maxLength: 40 }), fc.string({ maxLength: 40 })),
    },
    { requiredKeys: [] },
  )
  await log.check(
    t,
    'any signature headers on a signed route: a 401 problem, never a 500, never a pass',
    runs(200),
    fc.asyncProperty(signatureHeader, fc.string({ maxLength: 40 }), async (headers, body) => {
      const printable = Object.fromEntries(
        Object.entries(headers).filter(([, value]) => /^[\t\x20-\x7e]*$/.test(value)),
      )
      const response = await app.inject({
        method: 'POST',
        url: '/api/signed/echo',
        headers: { host: 'api.example.com', 'content-type': 'text/plain', ...printable },
        payload: body,
        remoteAddress: nextClient(),
      })
      return response.statusCode === 401 && /problem\+json/.test(String(response.headers['content-type']))
    }),
  )
  await log.check(
    t,
    'a request signed by signRequest verifies, whatever its query and body',
    runs(200),
    fc.asyncProperty(
      fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: 4 }),
      fc.string({ maxLength: 200 }),
      async (pairs, text) => {
        const query = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')
        const url = `/api/signed/echo${query === '' ? '' : `?${query}`}`
        const body = JSON.stringify({ text })
        const headers = signRequest({
          keyId: secrets.signingKeyId,
          secret: secrets.signingSecret,
          method: 'POST',
          url,
          body,
        })
        const response = await app.inject({
          method: 'POST',
          url,
          headers: { host: 'api.example.com', 'content-type': 'application/json', ...headers },
          payload: body,
          remoteAddress: nextClient(),
        })
        return response.statusCode === 200
      },
    ),
  )
})
