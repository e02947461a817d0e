import Fastify from 'fastify'
import t from 'tap'
import { ensureSessionId, getSessionId } from '../src/index.js'
import { buildApp, cookie, cookieValue } from './fixtures/helpers.js'

t.test('getSessionId / ensureSessionId: what @rampart/csrf binds its tokens to', async (t) => {
  const app = await buildApp(t, {}, (app) => {
    app.get('/form', async (request) => {
      const before = getSessionId(request) ?? null
      const id = await ensureSessionId(request)
      return { before, same: id === getSessionId(request), again: id === (await ensureSessionId(request)) }
    })
    app.post('/check', async (request) => {
      const before = getSessionId(request) ?? null
      await request.sessionLoad()
      return {
        before,
        id: getSessionId(request) ?? null,
        viaApi: app.rampartSession.getSessionId(request) ?? null,
      }
    })
  })
  const form = await app.inject('/form')
  t.same(form.json(), { before: null, same: true, again: true })
  const id = cookieValue(form) as string
  t.ok(id, 'the visitor got a session (and its cookie) to bind to')
  const check = await app.inject({ method: 'POST', url: '/check', headers: cookie(id) })
  t.same(check.json(), { before: null, id, viaApi: id }, 'null until loaded, then the id the cookie carries')

  const login = await app.inject({ method: 'POST', url: '/login/alice', headers: cookie(id) })
  const rotated = cookieValue(login) as string
  const after = await app.inject({ method: 'POST', url: '/check', headers: cookie(rotated) })
  t.equal(after.json().id, rotated, 'the id changes at login: tokens bound to it must be re-issued')

  t.equal((await app.inject({ method: 'POST', url: '/check' })).json().id, null, 'no session: undefined')
})

t.test("getSessionId fits @rampart/csrf's sessionId option as is", async (t) => {
  const sessionId: (request: import('fastify').FastifyRequest) => string | undefined = getSessionId
  t.type(sessionId, 'function')
})

t.test('ensureSessionId on an app without the plugin: a coded error', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/', async (request) => {
    try {
      await ensureSessionId(request)
      return { code: null }
    } catch (error) {
      return { code: (error as { code: string }).code, id: getSessionId(request) ?? null }
    }
  })
  t.same((await app.inject('/')).json(), { code: 'RAMPART_SESSION_NOT_REGISTERED', id: null })
})
