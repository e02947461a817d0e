import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import {
  type CorpusContext,
  type CorpusResponse,
  type CorpusRow,
  injectRequest,
  jsonOf,
  type RowOutcome,
  runRow,
} from '../src/corpus.js'
import { writeResult } from '../src/results.js'
import { buildSuiteApp, type SuiteApp } from '../src/suite-app.js'
import { rows as body } from './fixtures/corpus/body.js'
import { rows as browser } from './fixtures/corpus/browser.js'
import { rows as credentials } from './fixtures/corpus/credentials.js'
import { rows as jwt } from './fixtures/corpus/jwt.js'
import { rows as paths } from './fixtures/corpus/paths.js'
import { rows as protocol } from './fixtures/corpus/protocol.js'
import { rows as proxy } from './fixtures/corpus/proxy.js'

// The adversarial corpus: one row per attack, each with its request, the status it must get and
// the headers that must (not) be there. Every refusal must be problem+json with the security
// headers, and no row may produce a 500. Rows marked todo are known gaps listed under "found" in
// RELIABILITY.md.

const ROWS: readonly CorpusRow[] = [...jwt, ...body, ...paths, ...proxy, ...browser, ...credentials, ...protocol]

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled)
})

t.test('the corpus is well formed', async (t) => {
  const ids = ROWS.map((row) => row.id)
  t.equal(new Set(ids).size, ids.length, 'row ids are unique')
  t.ok(ROWS.length >= 100, `${ROWS.length} rows (at least 100)`)
  for (const row of ROWS) {
    if ((row.inject === undefined) === (row.raw === undefined)) t.fail(`${row.id}: exactly one of inject and raw`)
  }
})

let keyServerHits = 0
const keyServer = createServer((_request, response) => {
  keyServerHits++
  response.setHeader('content-type', 'application/json')
  response.end('{"keys":[]}')
})

async function listen(app: SuiteApp['app']): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

/** Logs `alice` in through the app and returns the session cookie and a CSRF token bound to it. */
async function logIn(suite: SuiteApp, address: string): Promise<{ cookie: string; csrfToken: string }> {
  const login = await injectRequest(
    suite.app,
    {
      method: 'POST',
      url: '/app/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(suite.secrets.user),
    },
    address,
  )
  const sid = /(?:^|\n)sid=([^;]+)/.exec(login.headers['set-cookie'] ?? '')?.[1]
  if (login.status !== 200 || sid === undefined) throw new Error(`login failed: ${login.status} ${login.body}`)
  const cookie = `sid=${sid}`
  const csrf = await injectRequest(suite.app, { url: '/app/csrf', headers: { cookie } }, address)
  const csrfToken = jsonOf(csrf)?.token
  if (typeof csrfToken !== 'string') throw new Error(`no csrf token: ${csrf.status} ${csrf.body}`)
  return { cookie, csrfToken }
}

const outcomes: { row: CorpusRow; outcome: RowOutcome }[] = []

t.test('rows', async (t) => {
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve))
  t.teardown(() => keyServer.close())
  const main = await buildSuiteApp()
  t.teardown(() => main.app.close())
  const shield = await buildSuiteApp({ shield: { mode: 'block' }, sessions: false, audit: false })
  t.teardown(() => shield.app.close())
  const mainPort = await listen(main.app)
  const shieldPort = await listen(shield.app)
  const context: CorpusContext = {
    main,
    shield,
    mainPort,
    shieldPort,
    token: main.app.rampartJwt.sign({ sub: 'alice' }),
    victim: await logIn(main, '203.0.113.10'),
    attacker: await logIn(main, '203.0.113.66'),
    keyServerHits: () => keyServerHits,
    keyServerUrl: `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`,
    inject: (spec, client, app = 'main'): Promise<CorpusResponse> =>
      injectRequest(app === 'shield' ? shield.app : main.app, spec, client),
  }

  for (const [index, row] of ROWS.entries()) {
    const client = `198.18.${(index + 1) >> 8}.${(index + 1) & 255}`
    await t.test(`${row.id}: ${row.attack}`, async (t) => {
      const outcome = await runRow(row, context, client)
      outcomes.push({ row, outcome })
      // A known gap runs like any row; its failures are todo until the package is fixed.
      for (const failure of outcome.failures) t.fail(failure, row.todo === undefined ? {} : { todo: row.todo })
      if (outcome.failures.length === 0) t.pass(`${outcome.response?.status}`)
      if (outcome.failures.length === 0 && row.todo !== undefined) t.comment(`${row.id} passes now: remove its todo`)
    })
  }
})

t.test('no unhandled rejection, and the figures for RELIABILITY.md', async (t) => {
  t.same(unhandled, [], 'no unhandled rejection during the corpus')
  const passed = outcomes.filter(({ outcome }) => outcome.failures.length === 0)
  const byPlugin: Record<string, number> = {}
  for (const { row } of outcomes) byPlugin[row.plugin] = (byPlugin[row.plugin] ?? 0) + 1
  const statuses: Record<string, number> = {}
  for (const { outcome } of outcomes) {
    const key = String(outcome.response?.status ?? 'none')
    statuses[key] = (statuses[key] ?? 0) + 1
  }
  writeResult('corpus', {
    rows: ROWS.length,
    ran: outcomes.length,
    passed: passed.length,
    failed: outcomes
      .filter(({ outcome }) => outcome.failures.length > 0)
      .map(({ row, outcome }) => ({ id: row.id, todo: row.todo ?? null, failures: outcome.failures })),
    fiveHundreds: outcomes.filter(({ outcome }) => (outcome.response?.status ?? 0) === 500).map(({ row }) => row.id),
    byPlugin,
    statuses,
  })
  t.equal(outcomes.filter(({ outcome }) => outcome.response?.status === 500).length, 0, 'no row produced a 500')
})
