import Fastify from 'fastify'
import t from 'tap'
import { challengeWith, OPTIONAL, PathPolicy, PUBLIC, quoted, REQUIRED, routerCaseSensitive } from '../src/index.js'

t.test('access rules: longest prefix wins, the fallback covers the rest', async (t) => {
  const policy = new PathPolicy(
    [
      ['/health', PUBLIC],
      ['/api/', REQUIRED],
      ['/api/public', PUBLIC],
    ],
    OPTIONAL,
    true,
  )
  t.equal(policy.match('/health'), PUBLIC)
  t.equal(policy.match('/api/users'), REQUIRED)
  t.equal(policy.match('/api/public/x'), PUBLIC)
  t.equal(policy.match('/other'), OPTIONAL)
})

t.test('challenges: auth-params are quoted so no value can break the header', async (t) => {
  t.equal(quoted('a "b" \\ c\r\nX-Evil: 1'), '"a \\"b\\" \\\\ cX-Evil: 1"')
  t.equal(challengeWith('Bearer', [['error', 'invalid_token']]), 'Bearer error="invalid_token"')
  t.equal(
    challengeWith('Bearer realm="api"', [['error_description', 'expired']]),
    'Bearer realm="api", error_description="expired"',
  )
})

t.test("the router's case sensitivity is read from the instance", async (t) => {
  t.equal(routerCaseSensitive(Fastify()), true)
  t.equal(routerCaseSensitive(Fastify({ routerOptions: { caseSensitive: false } })), false)
})
