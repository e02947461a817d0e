import type { Identity } from '@rampart/core'
import t from 'tap'
import { rolesFromClaims } from '../src/index.js'
import { build, call, identity } from './fixtures/app.js'

const RULE = { config: { rampart: { rbac: { permissions: ['read:users'] } } } }

t.test('a frozen identity is worked out once, then read from the cache', async (t) => {
  let calls = 0
  const frozen = identity('morgan', { role: 'moderator' }, ['extra:scope'])
  const app = await build(
    {
      rolesOf: (who) => {
        calls++
        return rolesFromClaims(who)
      },
    },
    {},
    { frozen },
  )
  app.get('/users', RULE, async () => [])
  for (let i = 0; i < 5; i++) t.equal((await call(app, 'frozen', '/users')).statusCode, 200)
  t.ok(app.rbac.can(frozen, 'extra:scope'))
  t.equal(calls, 1)
})

t.test('a mutable identity is worked out every time', async (t) => {
  let calls = 0
  const mutable: Identity = { id: 'm', kind: 'user', scopes: [], claims: { role: 'moderator' } }
  const app = await build(
    {
      rolesOf: (who) => {
        calls++
        return rolesFromClaims(who)
      },
    },
    {},
    { mutable },
  )
  app.get('/users', RULE, async () => [])
  for (let i = 0; i < 3; i++) await call(app, 'mutable', '/users')
  t.equal(calls, 3)
})

t.test('each registration has its own cache: one identity, two role maps', async (t) => {
  const shared = identity('s', { role: 'staff' })
  const strict = await build({ roles: { staff: [] } }, {}, { shared })
  const lenient = await build({ roles: { staff: ['read:users'] } }, {}, { shared })
  strict.get('/users', RULE, async () => [])
  lenient.get('/users', RULE, async () => [])
  t.equal((await call(lenient, 'shared', '/users')).statusCode, 200)
  t.equal((await call(strict, 'shared', '/users')).statusCode, 403)
  t.equal((await call(lenient, 'shared', '/users')).statusCode, 200)
})
