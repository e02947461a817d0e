import Fastify from 'fastify'
import t from 'tap'
import rampartRequestId, { createRequestIdGenerator, DEFAULTS, resolveOptions } from '../src/index.js'

t.test('defaults', async (t) => {
  t.same(resolveOptions(), {
    header: 'x-request-id',
    trustIncoming: true,
    maxLength: 128,
    extraCharacters: '',
    generate: undefined,
  })
  t.ok(Object.isFrozen(DEFAULTS))
  t.equal(resolveOptions({ header: 'X-Correlation-ID' }).header, 'x-correlation-id', 'the header name is lowercased')
})

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ header: '' }, /option "header" must not be empty/],
    [{ header: 'x request id' }, /option "header" must match/],
    [{ header: 'x-id\r\n' }, /option "header" must match/],
    [{ header: 'Content-Length' }, /option "header" must not be a header HTTP itself relies on/],
    [{ header: 'set-cookie' }, /option "header" must not be a header HTTP itself relies on/],
    [{ trustIncoming: 'no' }, /option "trustIncoming" must be true or false/],
    [{ maxLength: 0 }, /option "maxLength" must be >= 1/],
    [{ maxLength: 5000 }, /option "maxLength" must be <= 1024/],
    [{ maxLength: 12.5 }, /option "maxLength" must be an integer/],
    [{ extraCharacters: ' ' }, /option "extraCharacters" must match/],
    [{ extraCharacters: '+/,' }, /option "extraCharacters" must match/],
    [{ generate: 'uuid' }, /option "generate" must be a function/],
    [{ headerName: 'x-id' }, /option "headerName" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartRequestId, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_REQUEST_ID_INVALID_OPTION', message })
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    t.throws(() => createRequestIdGenerator(options as any), { code: 'RAMPART_REQUEST_ID_INVALID_OPTION' })
  }
})

t.test("Fastify's own requestIdHeader is refused: it would take the header unchecked", async (t) => {
  for (const requestIdHeader of ['x-request-id', 'X-Trace-Id'] as const) {
    const app = Fastify({ requestIdHeader })
    app.register(rampartRequestId)
    await t.rejects(async () => app.ready(), {
      code: 'RAMPART_REQUEST_ID_CONFLICTING_FASTIFY_OPTION',
      message: /requestIdHeader is set to "x-(request|trace)-id"/,
    })
  }
  const off = Fastify({ requestIdHeader: false })
  off.register(rampartRequestId)
  await t.resolves(async () => off.ready())
})
