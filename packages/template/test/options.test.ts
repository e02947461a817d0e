import Fastify from 'fastify'
import t from 'tap'
import rampartTemplate from '../src/index.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ headerValue: 42 }, /option "headerValue" must be a string \(got 42\)/],
    [{ headerValue: 'a\r\nb' }, /option "headerValue" must match/],
    [{ blockedPaths: [''] }, /option "blockedPaths\[0\]" must be a non-empty string/],
    [{ headerValu: 'x' }, /option "headerValu" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartTemplate, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_TEMPLATE_INVALID_OPTION', message })
  }
})
