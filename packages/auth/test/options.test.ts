import Fastify from 'fastify'
import t from 'tap'
import rampartAuth from '../src/index.js'
import { tokenStrategy } from './fixtures/strategies.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const jwt = tokenStrategy()
  const cases: [unknown, RegExp][] = [
    [{}, /option "strategies" must be a non-empty array/],
    [{ strategies: [] }, /option "strategies" must be a non-empty array/],
    [{ strategies: [{}] }, /option "strategies\[0\].name" must be a string/],
    [{ strategies: [{ ...jwt, name: 'JWT!' }] }, /option "strategies\[0\].name" must match/],
    [
      { strategies: [{ name: 'x', challenge: 'Bad\r\nHeader', authenticate() {} }] },
      /strategies\[0\].challenge" must match/,
    ],
    [{ strategies: [{ name: 'x', challenge: 'X' }] }, /option "strategies\[0\].authenticate" must be a function/],
    [{ strategies: [jwt, jwt] }, /option "strategies\[1\].name" is the name of another strategy/],
    [{ strategies: [jwt], mode: 'any' }, /option "mode" must be one of "first", "all"/],
    [{ strategies: [jwt], defaultPolicy: 'public' }, /option "defaultPolicy" must be one of/],
    [{ strategies: [jwt], publicPaths: ['health'] }, /option "publicPaths\[0\]" must start with "\/"/],
    [{ strategies: [jwt], requiredPaths: ['/health/'] }, /option "requiredPaths\[0\]" is also in publicPaths/],
    [
      { strategies: [jwt], optionalPaths: ['/a'], requiredPaths: ['//a'] },
      /"requiredPaths\[0\]" is also in optionalPaths/,
    ],
    [{ strategies: [jwt], hook: 'onSend' }, /option "hook" must be one of/],
    [{ strategies: [jwt], strategy: [] }, /option "strategy" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartAuth, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_AUTH_INVALID_OPTION', message }, String(message))
  }
})

t.test('bad route configs fail when the route is added', async (t) => {
  const app = Fastify()
  await app.register(rampartAuth, { strategies: [tokenStrategy()] })
  const cases: [unknown, RegExp][] = [
    [{ strategies: ['api-key'] }, /strategies\[0\]" is not a strategy; known: jwt/],
    [{ strategies: [] }, /strategies" must name at least one strategy/],
    [{ strategies: ['jwt', 'jwt'] }, /strategies" names a strategy twice/],
    [{ mode: 'some' }, /mode" must be one of/],
    [{ required: 'yes' }, /required" must be true or false/],
    [{ required: false, scopes: ['x'] }, /required" cannot be false when `scopes` are required/],
    [{ scope: ['x'] }, /scope" is not a known option/],
  ]
  let index = 0
  for (const [auth, message] of cases) {
    t.throws(
      () => app.get(`/r${index++}`, { config: { rampart: { auth: auth as never } } }, async () => 'ok'),
      { code: 'RAMPART_AUTH_INVALID_OPTION', message: new RegExp(`route GET /r\\d+\\)?.*${message.source}`) },
      String(message),
    )
  }
})
