import { execFileSync } from 'node:child_process'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

async function demo(env: NodeJS.ProcessEnv = {}) {
  // Load shedding off: it answers 503 when this process's event loop lags 500 ms, which a CI machine
  // running several suites at once can cause; @rampart/ddos and the reliability suite test it.
  const app = await buildApp(loadConfig({ SECURITY_LOAD_SHEDDING: 'false', ...env }).config, { logger: false })
  t.teardown(() => app.close())
  return app
}

async function tokenOf(app: FastifyInstance, username: string, password = `${username}-demo-password`, code?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: code === undefined ? { username, password } : { username, password, code },
    remoteAddress: `198.51.100.${Math.floor(Math.random() * 250) + 1}`,
  })
  return { response, bearer: { authorization: `Bearer ${response.json().access_token}` } }
}

t.test('registration: 201 without the password, a weak password 400 naming the rule, a taken name 409', async (t) => {
  const app = await demo()
  const register = (payload: object) => app.inject({ method: 'POST', url: '/api/auth/register', payload })
  const created = await register({ username: 'newbie', password: 'correct horse battery', email: 'newbie@example.com' })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { username: 'newbie', email: 'newbie@example.com', role: 'user', tier: 'free' })
  t.notMatch(created.body, /correct horse|argon2|password/i)
  const weak = await register({ username: 'weakling', password: 'short' })
  t.equal(weak.statusCode, 400)
  t.equal(weak.json().rule, 'min-length')
  t.match(weak.headers['content-type'], /application\/problem\+json/)
  t.equal((await register({ username: 'sammy', password: 'sammy-is-my-name-ok' })).json().rule, 'contains-username')
  const taken = await register({ username: 'alice', password: 'another long passphrase' })
  t.equal(taken.statusCode, 409)
  const login = await tokenOf(app, 'newbie', 'correct horse battery')
  t.equal(login.response.statusCode, 200, 'the new user logs in')
})

t.test('RBAC: /api/users needs read:users, /api/admin needs admin:access, no identity is 401', async (t) => {
  const app = await demo()
  const alice = (await tokenOf(app, 'alice')).bearer
  const morgan = (await tokenOf(app, 'morgan')).bearer
  const admin = (await tokenOf(app, 'admin')).bearer
  t.equal((await app.inject('/api/users')).statusCode, 401)
  t.equal((await app.inject({ url: '/api/users', headers: alice })).statusCode, 403)
  const list = await app.inject({ url: '/api/users', headers: morgan })
  t.equal(list.statusCode, 200)
  t.notMatch(list.body, /argon2|passwordHash/)
  t.equal((await app.inject({ url: '/api/admin/stats', headers: morgan })).statusCode, 403)
  t.equal(
    (await app.inject({ url: '/api/admin/stats', headers: { ...alice, 'x-role': 'admin' } })).statusCode,
    403,
    'a header grants nothing',
  )
  t.equal((await app.inject({ url: '/api/admin/stats', headers: admin })).statusCode, 200)
  t.equal((await app.inject({ url: '//api/admin/stats', headers: alice })).statusCode, 403, 'path variants too')
})

t.test('posts: plain text 201, HTML refused 422', async (t) => {
  const app = await demo()
  const alice = (await tokenOf(app, 'alice')).bearer
  const post = (content: string) =>
    app.inject({ method: 'POST', url: '/api/posts', headers: alice, payload: { title: 'Hello', content } })
  const ok = await post('Fish & chips, 3 < 4, and *markdown*.')
  t.equal(ok.statusCode, 201)
  t.match(ok.json(), { id: 1, author: 'alice' })
  for (const html of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '&lt;script&gt;', '<!-- x -->']) {
    const refused = await post(html)
    t.equal(refused.statusCode, 422, html)
  }
})

t.test('MFA: setup, confirm with an oathtool code, then login needs a code and a code is single-use', async (t) => {
  const app = await demo()
  const morgan = (await tokenOf(app, 'morgan')).bearer
  const setup = await app.inject({ method: 'POST', url: '/auth/mfa/setup', headers: morgan })
  t.equal(setup.statusCode, 200)
  t.equal(setup.headers['cache-control'], 'no-store')
  const { secret, qr_code, backup_codes } = setup.json()
  t.match(qr_code, /^data:image\/png;base64,/)
  t.equal(backup_codes.length, 10)
  const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim()
  const confirmed = await app.inject({
    method: 'POST',
    url: '/auth/mfa/verify',
    headers: morgan,
    payload: { token: code },
  })
  t.equal(confirmed.statusCode, 200)
  t.match(confirmed.json(), { verified: true, method: 'totp' })

  const withoutCode = await tokenOf(app, 'morgan')
  t.equal(withoutCode.response.statusCode, 401)
  t.equal(withoutCode.response.json().mfa_required, true)
  const replayed = await tokenOf(app, 'morgan', undefined, code)
  t.equal(replayed.response.statusCode, 400, 'the code that confirmed cannot be used again')
  const backup = await tokenOf(app, 'morgan', undefined, backup_codes[0])
  t.equal(backup.response.statusCode, 200, 'a backup code works once')
  t.equal((await tokenOf(app, 'morgan', undefined, backup_codes[0])).response.statusCode, 400, 'and only once')
})
