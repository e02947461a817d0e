import t from 'tap'
import { matchingRules } from '../src/index.js'
import { build, collectDetectionsWithRequest, listen, type SentRequest, send } from './fixtures/app.js'
import { KNOWN_MISSES, MALICIOUS, type MaliciousCase } from './fixtures/malicious.js'

/** The request that carries a case, as an attacker sends it. */
function requestFor(item: MaliciousCase, index: number): SentRequest {
  const headers = { 'x-case': String(index) }
  switch (item.where) {
    case 'query':
      return { path: `/search?q=${encodeURIComponent(item.payload)}`, headers }
    case 'raw':
      return { path: `/search?q=${item.payload}`, headers }
    case 'path':
      return { path: item.payload, headers }
    case 'header':
      return { path: '/search', headers: { ...headers, [item.header ?? 'user-agent']: item.payload } }
    case 'body':
      return { path: '/api/echo', headers, body: { [item.field ?? 'comment']: item.payload } }
  }
}

/** Which cases (by index) produced a detection of their own type, over a real socket. */
async function detect(
  t: { teardown(fn: () => unknown): void },
  cases: readonly MaliciousCase[],
): Promise<{ detected: Set<number>; statuses: Map<number, number> }> {
  const app = await build({ body: true, mode: 'block' })
  const client = await listen(app, t)
  const events = collectDetectionsWithRequest(t)
  const statuses = new Map<number, number>()
  for (const [index, item] of cases.entries()) {
    statuses.set(index, (await send(client, requestFor(item, index))).status)
  }
  const detected = new Set<number>()
  for (const event of events) {
    const index = Number(event.request.headers['x-case'])
    if (event.type === cases[index]?.type) detected.add(index)
  }
  return { detected, statuses }
}

t.test(
  'the malicious corpus: at least 100 classic payloads of the four types, encoded variants included',
  async (t) => {
    const byType = new Map<string, number>()
    for (const item of MALICIOUS) byType.set(item.type, (byType.get(item.type) ?? 0) + 1)
    t.ok(MALICIOUS.length >= 100, `${MALICIOUS.length} payloads`)
    for (const type of ['sqli', 'xss', 'path-traversal', 'command-injection']) {
      t.ok((byType.get(type) ?? 0) >= 25, `${type}: ${byType.get(type)} payloads`)
    }
    t.ok(
      MALICIOUS.filter((item) => item.where === 'raw' || item.where === 'path').length >= 30,
      'encoded variants (percent, double, overlong UTF-8, %u, fullwidth) sent as written',
    )
  },
)

t.test('every payload of the corpus is detected with its own type and refused in block mode', async (t) => {
  const { detected, statuses } = await detect(t, MALICIOUS)
  const missed = MALICIOUS.filter((_, index) => !detected.has(index))
  const rate = detected.size / MALICIOUS.length
  t.comment(`detection rate: ${detected.size}/${MALICIOUS.length} = ${(rate * 100).toFixed(1)}%`)
  t.same(missed, [], 'no payload missed')
  t.equal(rate, 1, 'the README reports 100% on this corpus')
  const notRefused = MALICIOUS.filter((_, index) => statuses.get(index) !== 403)
  t.same(notRefused, [], 'block mode refuses each of them with 403')
})

t.test(
  'the evasions the README lists as known misses are still missed (update the README if this fails)',
  async (t) => {
    const { detected, statuses } = await detect(t, KNOWN_MISSES)
    t.equal(detected.size, 0)
    for (const [index, item] of KNOWN_MISSES.entries()) t.equal(statuses.get(index), 200, item.payload)
  },
)

t.test('a payload past maxValueLength is not seen: the cap is a documented bound', async (t) => {
  const padded = `${'a'.repeat(4096)}' OR '1'='1`
  t.same(matchingRules(`q=${padded}`, 'query'), [])
  t.same(matchingRules(`q=${padded.slice(4000)}`, 'query'), ['sqli-tautology'])
})
