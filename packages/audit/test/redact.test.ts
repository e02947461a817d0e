import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import rampartAudit, { DEFAULT_REDACT_KEYS, REDACTED, Redactor } from '../src/index.js'
import { readLines, tempDir } from './fixtures/helpers.js'

t.test('the deny-list: every spelling of every default key, case-insensitive', async (t) => {
  const redactor = new Redactor()
  const sensitive = [
    'authorization',
    'Authorization',
    'AUTHORIZATION',
    'proxy-authorization',
    'cookie',
    'Cookie',
    'set-cookie',
    'Set-Cookie',
    'password',
    'Password',
    'new_password',
    'passwordConfirm',
    'passwd',
    'passphrase',
    'secret',
    'client_secret',
    'clientSecret',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'csrfToken',
    'x-csrf-token',
    'api_key',
    'apiKey',
    'API-KEY',
    'x-api-key',
    'X-Api-Key',
    'aws_secret_access_key',
    'accessKey',
    'private_key',
    'privateKey',
    'credentials',
    'jwt',
    'totp',
    'mfa_code',
    'backup_codes',
    'otp_code',
  ]
  for (const key of sensitive) t.ok(redactor.isSensitiveKey(key), key)
  for (const key of ['username', 'user_id', 'path', 'method', 'status', 'incident_type', 'keyId', 'key_id', 'ip']) {
    t.notOk(redactor.isSensitiveKey(key), key)
  }
  t.ok(DEFAULT_REDACT_KEYS.includes('authorization'))
})

t.test('nested objects, arrays and header maps', async (t) => {
  const redactor = new Redactor()
  const details = redactor.details({
    headers: {
      host: 'example.com',
      authorization: 'Bearer abc.def.ghi',
      cookie: 'sid=s3cr3t',
      'x-api-key': 'rk_live_123',
      'user-agent': 'curl/8',
    },
    body: { user: { name: 'ann', password: 'hunter2', profile: { apiKey: 'k', bio: 'hi' } } },
    attempts: [{ token: 't1' }, { token: 't2', ok: true }],
    password: { nested: 'the whole value is replaced' },
  })
  t.same(details, {
    headers: {
      host: 'example.com',
      authorization: REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'user-agent': 'curl/8',
    },
    body: { user: { name: 'ann', password: REDACTED, profile: { apiKey: REDACTED, bio: 'hi' } } },
    attempts: [{ token: REDACTED }, { token: REDACTED, ok: true }],
    password: REDACTED,
  })
})

t.test('credential values, JWTs and sensitive query parameters are redacted under any key', async (t) => {
  const redactor = new Redactor()
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'
  const details = redactor.details({
    header: 'Bearer abcdef',
    basic: 'Basic dXNlcjpwYXNz',
    note: `token was ${jwt} here`,
    url: '/api/x?page=2&api_key=k123&Token=t&name=a%20b',
    encoded: '/cb?access%5Ftoken=zzz&x=1',
    form: 'username=ann&password=hunter2',
    harmless: 'basic tier, bearer of news',
    digest: 'Digest username="ann", response="abc"',
  })
  t.same(details, {
    header: REDACTED,
    basic: REDACTED,
    note: `token was ${REDACTED} here`,
    url: `/api/x?page=2&api_key=${REDACTED}&Token=${REDACTED}&name=a%20b`,
    encoded: `/cb?access%5Ftoken=${REDACTED}&x=1`,
    form: `username=ann&password=${REDACTED}`,
    harmless: 'basic tier, bearer of news',
    digest: REDACTED,
  })
})

t.test('redactKeys add to the defaults, they never replace them', async (t) => {
  const redactor = new Redactor(['ssn', 'Card-Number'])
  const details = redactor.details({ ssn: '123', card_number: '4111', cardNumber: '4111', password: 'x', other: 1 })
  t.same(details, { ssn: REDACTED, card_number: REDACTED, cardNumber: REDACTED, password: REDACTED, other: 1 })
})

t.test('values are made JSON- and PostgreSQL-safe', async (t) => {
  const redactor = new Redactor([], { maxStringLength: 20, maxDepth: 3 })
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic.self = cyclic
  const list: unknown[] = [1]
  list.push(list)
  const shared = { a: 1 }
  const details = redactor.details({
    cyclic,
    list,
    shared1: shared,
    shared2: shared,
    big: 10n,
    date: new Date('2025-01-02T03:04:05.000Z'),
    bad: new Date(Number.NaN),
    buffer: Buffer.from('secret bytes'),
    error: Object.assign(new Error('boom'), { code: 'E_X' }),
    nan: Number.NaN,
    fn: () => 1,
    undef: undefined,
    nul: 'a\u0000b',
    surrogate: 'x\uD800y',
    pair: '\uD83D\uDE00',
    long: 'abcdefghijklmnopqrstuvwxyz',
    deep: { a: { b: { c: { d: 1 } } } },
    map: new Map([['k', 'v']]),
    set: new Set(['s']),
  })
  t.same(details, {
    cyclic: { name: 'loop', self: '[Circular]' },
    list: [1, '[Circular]'],
    shared1: { a: 1 },
    shared2: { a: 1 },
    big: '10',
    date: '2025-01-02T03:04:05.000Z',
    bad: null,
    buffer: '[12 bytes]',
    error: { name: 'Error', message: 'boom', code: 'E_X' },
    nan: 'NaN',
    nul: 'ab',
    surrogate: 'x\uFFFDy',
    pair: '\uD83D\uDE00',
    long: 'abcdefghijklmnopqrst…[+6 chars]',
    deep: { a: { b: '[Truncated]' } },
    map: { k: 'v' },
    set: ['s'],
  })
  t.doesNotThrow(() => JSON.stringify(details))
})

t.test('objects with toJSON are redacted in their JSON form', async (t) => {
  const redactor = new Redactor()
  const selfish = { toJSON: () => selfish }
  const throwing = {
    toJSON: () => {
      throw new Error('no')
    },
  }
  t.same(
    redactor.details({
      url: new URL('https://example.com/cb?code=1&refresh_token=abc'),
      wrapped: { toJSON: () => ({ password: 'x', ok: 1 }) },
      selfish,
      throwing,
    }),
    {
      url: `https://example.com/cb?code=1&refresh_token=${REDACTED}`,
      wrapped: { password: REDACTED, ok: 1 },
      selfish: '[Circular]',
      throwing: null,
    },
  )
  t.equal(redactor.value('Bearer x'), REDACTED)
})

t.test('arrays and objects are cut to maxItems', async (t) => {
  const redactor = new Redactor([], { maxItems: 3 })
  t.same(redactor.details({ many: [1, 2, 3, 4, 5] }), { many: [1, 2, 3, '[+2 items]'] })
  t.same(redactor.details({ a: 1, b: 2, c: 3, d: 4, e: 5 }), { a: 1, b: 2, c: 3, '…': '[+2 keys]' })
})

t.test('a huge structure is cut to the node budget', async (t) => {
  const redactor = new Redactor([], { maxNodes: 50, maxItems: 1000 })
  const details = redactor.details({ items: Array.from({ length: 500 }, (_, i) => ({ i })) })
  const text = JSON.stringify(details)
  t.match(text, /\[\+\d+ items\]/)
  t.ok(text.length < 2000, `${text.length} characters`)
})

t.test('end to end: a secret handed to record() never reaches the file', async (t) => {
  const path = join(await tempDir(t), 'audit.jsonl')
  const app = Fastify()
  await app.register(rampartAudit, { sink: { type: 'file', path } })
  app.get('/login', async (request) => {
    // What the seed's monitor did: every request header into the log.
    app.audit.securityIncident(request, {
      incidentType: 'suspicious_request',
      details: { headers: request.headers, url: request.url },
    })
    return { ok: true }
  })
  const response = await app.inject({
    url: '/login?access_token=QUERYSECRET&page=1',
    headers: {
      authorization: 'Bearer HEADERSECRET',
      cookie: 'session=COOKIESECRET',
      'x-api-key': 'KEYSECRET',
    },
  })
  t.equal(response.statusCode, 200)
  await app.close()
  const text = await readFile(path, 'utf8')
  for (const secret of ['QUERYSECRET', 'HEADERSECRET', 'COOKIESECRET', 'KEYSECRET'])
    t.notOk(text.includes(secret), secret)
  const [record] = await readLines(path)
  t.match(record, {
    details: {
      incident_type: 'suspicious_request',
      headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED },
      url: `/login?access_token=${REDACTED}&page=1`,
    },
  })
})
