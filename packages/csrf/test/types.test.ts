import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import rampartCsrf, {
  type CsrfControl,
  type CsrfOptions,
  type CsrfRouteOptions,
  type RejectedEvent,
  type RejectionReason,
} from '../src/index.js'
import { SECRET } from './fixtures/helpers.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const good: CsrfOptions = {
  secret: [SECRET, Buffer.alloc(32)],
  sessionId: (request: FastifyRequest) => request.headers['x-session'] as string | undefined,
  cookieName: 'XSRF-TOKEN',
  cookieSameSite: 'strict',
  allowedOrigins: ['https://app.example.com'],
}
// @ts-expect-error sessionId is required
const noSession: CsrfOptions = { secret: SECRET }
// @ts-expect-error SameSite is lax, strict or none
const badSameSite: CsrfOptions = { ...good, cookieSameSite: 'always' }
// @ts-expect-error the session id is synchronous
const asyncSession: CsrfOptions = { ...good, sessionId: async () => 'x' }
const route: CsrfRouteOptions = { skipWhenNoCookies: false }
// @ts-expect-error only skipWhenNoCookies can be overridden per route
const badRoute: CsrfRouteOptions = { fetchMetadata: false }
const reasonOf = (event: RejectedEvent): RejectionReason => event.reason

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  await app.register(rampartCsrf, good)
  app.post('/login', { config: { rampart: { csrf: route } } }, async () => 'ok')
  app.post('/hook', { config: { rampart: { csrf: false } } }, async () => 'ok')
  app.get('/form', async (request, reply) => {
    const token: string = reply.csrfToken()
    const control: CsrfControl = app.csrf
    return { same: token === control.token(request), field: control.fieldName }
  })
  const response = await app.inject({ url: '/form', headers: { 'x-session': 'abc' } })
  t.same(response.json(), { same: true, field: 'csrf_token' })
  t.ok(noSession && badSameSite && asyncSession && badRoute && reasonOf)
})
