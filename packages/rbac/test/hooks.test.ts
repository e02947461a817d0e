import t from 'tap'
import type { RbacOptions } from '../src/index.js'
import { build, call } from './fixtures/app.js'

const RULE = { rampart: { rbac: { permissions: ['write:users'] } } }
const SCHEMA = {
  body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
} as const

async function app(hook: RbacOptions['hook']) {
  const instance = await build(hook === undefined ? {} : { hook })
  const parsed: string[] = []
  instance.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    parsed.push(String(body))
    done(null, { name: String(body) })
  })
  instance.post('/users', { config: RULE, schema: SCHEMA }, async (request) => request.body)
  return { instance, parsed }
}

const text = (payload: string) => ({ method: 'POST' as const, payload, headers: { 'content-type': 'text/plain' } })
const json = (payload: unknown) => ({ method: 'POST' as const, payload })

t.test('preHandler (default): after parsing and validation, so a bad body is a 400 first', async (t) => {
  const { instance, parsed } = await app(undefined)
  t.equal((await call(instance, 'alice', '/users', text('x'))).statusCode, 403)
  t.same(parsed, ['x'], 'the body was read')
  t.equal((await call(instance, 'alice', '/users', json({}))).statusCode, 400)
  t.equal((await call(instance, 'root', '/users', json({ name: 'n' }))).statusCode, 200)
})

t.test('preValidation: after parsing, before validation: the forbidden learn nothing of the schema', async (t) => {
  const { instance, parsed } = await app('preValidation')
  t.equal((await call(instance, 'alice', '/users', text('x'))).statusCode, 403)
  t.same(parsed, ['x'])
  t.equal((await call(instance, 'alice', '/users', json({}))).statusCode, 403)
  t.equal((await call(instance, 'root', '/users', json({}))).statusCode, 400)
})

t.test('onRequest: refused before the body is read (needs authentication at onRequest, before it)', async (t) => {
  const { instance, parsed } = await app('onRequest')
  t.equal((await call(instance, 'alice', '/users', text('x'))).statusCode, 403)
  t.equal((await call(instance, null, '/users', text('y'))).statusCode, 401)
  t.same(parsed, [], 'no body was parsed for a refused request')
  t.equal((await call(instance, 'root', '/users', text('z'))).statusCode, 200)
  t.same(parsed, ['z'])
})
