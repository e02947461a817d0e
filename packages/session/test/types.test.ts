import Fastify from 'fastify'
import t from 'tap'
import rampartSession, {
  type RampartSessionApi,
  type Session,
  type SessionInfo,
  type SessionOptions,
  type SessionStore,
} from '../src/index.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: SessionOptions = {
  production: true,
  sameSite: 'strict',
  idleTimeout: 900,
  absoluteTimeout: 3600,
  touchInterval: 30,
  bindUserAgent: true,
  autoLoad: false,
  redis: { url: 'redis://127.0.0.1:6379', commandTimeout: 100 },
  prefix: 'app:session',
  now: () => 0,
}
// @ts-expect-error SameSite=None is not offered
const none: SessionOptions = { sameSite: 'none' }
// @ts-expect-error durations are numbers of seconds
const textual: SessionOptions = { idleTimeout: '30m' }
// @ts-expect-error a store implements the whole interface
const partial: SessionStore = { get: () => null }

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartSession, { idleTimeout: 900 })
  app.get('/typed', { config: { rampart: { session: true } } }, async (request) => {
    const session: Session | null = request.session
    const loaded: Session = await request.sessionLoad()
    const id: string | null = loaded.id
    const count: number | undefined = loaded.get<number>('count')
    return { hasSession: session !== null, id: id !== null, count: count ?? 0 }
  })
  const never = () => {
    // @ts-expect-error the route setting is a boolean
    app.get('/bad', { config: { rampart: { session: 'yes' } } }, async () => 'never registered')
  }
  t.type(never, 'function')
  const api: RampartSessionApi = app.rampartSession
  const list: SessionInfo[] = await api.list('alice')
  t.same(list, [])
  t.same((await app.inject('/typed')).json(), { hasSession: true, id: false, count: 0 })
  t.ok(good && none && textual && partial)
})
