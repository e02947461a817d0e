import Fastify from 'fastify'
import t from 'tap'
import rampartSignature, {
  type NonceStore,
  type SignatureHeaders,
  type SignatureOptions,
  type SignatureRouteOptions,
  signRequest,
} from '../src/index.js'
import { KEY_ID, SECRET } from './fixtures/helpers.js'

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the typecheck if the
// line it guards stops being an error.
const store: NonceStore = { remember: async () => true }
const good: SignatureOptions = {
  keys: { a: SECRET, b: new Uint8Array(32) },
  required: ['/api'],
  publicPaths: ['/health'],
  tolerance: 60,
  nonceStore: store,
  realm: 'api',
  now: () => 0,
}
const withRedis: SignatureOptions = { keys: new Map([['a', SECRET]]), redis: { url: 'redis://127.0.0.1:6379' } }
// @ts-expect-error keys are required
const noKeys: SignatureOptions = { required: true }
// @ts-expect-error a route takes `required` only
const badRoute: SignatureRouteOptions = { tolerance: 5 }
// @ts-expect-error secrets are strings or bytes
const badSecret: SignatureOptions = { keys: { a: 42 } }

t.test('the types accept what the plugin accepts', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rampartSignature, { keys: { [KEY_ID]: SECRET } })
  app.get('/typed', { config: { rampart: { signature: { required: true } } } }, async (request) => {
    const keyId: string | null = request.signatureKeyId
    return { keyId }
  })
  app.get('/open', { config: { rampart: { signature: false } } }, async () => 'open')
  const headers: SignatureHeaders = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', url: '/typed' })
  const response = await app.inject({ url: '/typed', headers })
  t.same(response.json(), { keyId: KEY_ID })
  t.ok(good && withRedis && noKeys && badRoute && badSecret, 'the wrong values exist only for the compiler')
})
