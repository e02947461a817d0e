import Fastify from 'fastify'
import t from 'tap'
import rampartRequestLog, { DEFAULTS, resolveOptions } from '../src/index.js'

t.test('defaults', async (t) => {
  const resolved = resolveOptions()
  t.equal(resolved.message, 'request completed')
  t.same(resolved.levels, { success: 'info', clientError: 'warn', serverError: 'error' })
  t.equal(resolved.logHeaders, false)
  t.equal(resolved.unmatchedRoute, '<unmatched>')
  for (const name of ['token', 'access_token', 'refresh_token', 'api_key', 'apikey', 'key', 'password', 'secret']) {
    t.ok(resolved.redactQuery.includes(name), name)
  }
  t.ok(resolved.redactQuery.includes('signature'))
  for (const name of ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization']) {
    t.ok(resolved.redactHeaders.includes(name), name)
  }
  t.ok(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.levels) && Object.isFrozen(DEFAULTS.redactQuery))
  t.same(resolveOptions({ redactHeaders: [' X-Secret '] }).redactHeaders, ['x-secret'], 'names are lowercased')
})

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ message: '' }, /option "message" must not be empty/],
    [{ levels: 'info' }, /option "levels" must be an object/],
    [{ levels: { success: 'loud' } }, /option "levels.success" must be one of/],
    [{ levels: { ok: 'info' } }, /option "levels.ok" is not a known option/],
    [{ redactQuery: 'token' }, /option "redactQuery" must be an array of strings/],
    [{ redactHeaders: ['authorization', 7] }, /option "redactHeaders\[1\]" must be a non-empty string/],
    [{ logHeaders: 1 }, /option "logHeaders" must be true or false/],
    [{ maxUrlLength: 3 }, /option "maxUrlLength" must be >= 16/],
    [{ unmatchedRoute: 5 }, /option "unmatchedRoute" must be a string/],
    [{ logHeader: true }, /option "logHeader" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartRequestLog, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_REQUEST_LOG_INVALID_OPTION', message })
  }
})

t.test('a bad per-route setting fails ready naming the route', async (t) => {
  const app = Fastify()
  await app.register(rampartRequestLog)
  t.throws(
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong route config
    () => app.get('/x', { config: { rampart: { requestLog: 'off' as any } } }, async () => 'x'),
    { code: 'RAMPART_REQUEST_LOG_INVALID_OPTION', message: /config\.rampart\.requestLog of GET \/x/ },
  )
})
