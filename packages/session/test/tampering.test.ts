import t from 'tap'
import { AMBIGUOUS, MAX_COOKIE_HEADER_LENGTH, MemorySessionStore, readCookie, sessionHandle } from '../src/index.js'
import { buildApp, cookie, cookieValue, setCookies } from './fixtures/helpers.js'
import { generateId } from './fixtures/ids.js'

t.test('readCookie: exact names, blanks, duplicates, bounds', async (t) => {
  t.equal(readCookie(undefined, 'sid'), null)
  t.equal(readCookie('', 'sid'), null)
  t.equal(readCookie('sid=abc', 'sid'), 'abc')
  t.equal(readCookie('a=1; sid=abc; b=2', 'sid'), 'abc')
  t.equal(readCookie('a=1;sid=abc;b=2', 'sid'), 'abc')
  t.equal(readCookie('  sid=abc  ;', 'sid'), 'abc')
  t.equal(readCookie('xsid=abc; sidx=def; SID=ghi', 'sid'), null, 'no prefix, suffix or case match')
  t.equal(readCookie('sid', 'sid'), null, 'a name without =')
  t.equal(readCookie('sid=', 'sid'), '', 'an empty value')
  t.equal(readCookie('sid=abc; sid=abc', 'sid'), 'abc', 'the same value twice is one')
  t.equal(readCookie('sid=abc; sid=def', 'sid'), AMBIGUOUS, 'two values: neither is trusted')
  t.equal(readCookie(['a=1', 'sid=abc'], 'sid'), 'abc', 'several Cookie headers')
  t.equal(
    readCookie(`pad=${'x'.repeat(MAX_COOKIE_HEADER_LENGTH)}; sid=abc`, 'sid'),
    null,
    'an oversized header is not read',
  )
  t.equal(readCookie('sid="abc"', 'sid'), '"abc"', 'quotes are kept, so the id check refuses them')
})

t.test('a tampered, malformed or unknown cookie is no session: 200, never a 500, nothing written', async (t) => {
  const store = new MemorySessionStore()
  const app = await buildApp(t, { store })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  const flipped = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`
  const cases: Array<[string, string]> = [
    ['one character changed', `sid=${flipped}`],
    ['well-formed but never issued', `sid=${generateId()}`],
    ['truncated', `sid=${id.slice(0, 42)}`],
    ['extended', `sid=${id}A`],
    ['quoted', `sid="${id}"`],
    ['a character outside base64url', `sid=+${id.slice(1)}`],
    ['percent-encoded', `sid=${encodeURIComponent(`${id}=`)}`],
    ['empty', 'sid='],
    ['control characters', 'sid=%00%0d%0a'],
    ['huge', `sid=${'A'.repeat(10_000)}`],
    ['non-ASCII', 'sid=ÿÿÿ'],
    ['the handle instead of the id', `sid=${sessionHandle(id)}`],
    ['cookie tossing: a second value', `sid=${generateId()}; sid=${id}`],
  ]
  for (const [name, header] of cases) {
    const response = await app.inject({ url: '/whoami', headers: { cookie: header } })
    t.equal(response.statusCode, 200, name)
    t.same(response.json(), { userId: null, data: {}, isNew: true }, name)
    t.same(setCookies(response), [], `${name}: no cookie written (a dead cookie is left alone)`)
  }
  t.equal(store.size, 1, 'no session was created by any of them')
  t.equal(
    (await app.inject({ url: '/whoami', headers: cookie(id) })).json().userId,
    'alice',
    'the real session is untouched',
  )
})

t.test('a store holding junk under a handle yields no session', async (t) => {
  const id = generateId()
  const junk = {
    get: () => ({ userId: 5, data: [], createdAt: 'x' }) as never,
    create: () => {},
    update: () => true,
    touch: () => true,
    delete: () => null,
    list: () => [],
    deleteAll: () => 0,
  }
  const app = await buildApp(t, { store: junk })
  const response = await app.inject({ url: '/whoami', headers: cookie(id) })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { userId: null, data: {}, isNew: true }, 'what a store returns is checked, never trusted')
})

t.test('the cookie value is never logged, even at trace level and on store errors', async (t) => {
  const lines: string[] = []
  let failing = false
  const inner = new MemorySessionStore()
  const store = {
    get: (handle: string) => (failing ? Promise.reject(new Error('store down')) : inner.get(handle)),
    create: inner.create.bind(inner),
    update: inner.update.bind(inner),
    touch: inner.touch.bind(inner),
    delete: inner.delete.bind(inner),
    list: inner.list.bind(inner),
    deleteAll: inner.deleteAll.bind(inner),
  }
  const app = await buildApp(t, { store }, undefined, { logLines: lines })
  const id = cookieValue(await app.inject({ method: 'POST', url: '/login/alice' })) as string
  await app.inject({ url: '/whoami', headers: cookie(id) })
  await app.inject({ url: '/whoami', headers: { cookie: `sid=${id}; sid=${generateId()}` } })
  await app.inject({ url: '/whoami', headers: cookie(`${id}x`) })
  failing = true
  t.equal((await app.inject({ url: '/whoami', headers: cookie(id) })).statusCode, 503)
  t.ok(lines.length > 5, 'requests were logged')
  t.ok(
    lines.some((line) => line.includes('session store failed')),
    'the store failure was logged',
  )
  t.ok(
    lines.some((line) => line.includes('session cookie sent twice')),
    'the ambiguous cookie was logged',
  )
  t.notOk(
    lines.some((line) => line.includes(id)),
    'the id appears in no log line',
  )
  t.notOk(
    lines.some((line) => line.includes(sessionHandle(id))),
    'nor its handle',
  )
})
