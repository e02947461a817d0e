import Fastify from 'fastify'
import t from 'tap'
import { addHealthCheck, healthChecks } from '../src/index.js'

t.test('checks added in any encapsulated scope are seen from the root', async (t) => {
  const app = Fastify()
  await app.register(async (child) => {
    addHealthCheck(child, 'child:redis', () => ({ status: 'healthy' }))
  })
  addHealthCheck(app, 'root:pg', () => ({ status: 'down' }))
  await app.ready()
  t.same([...healthChecks(app).keys()].sort(), ['child:redis', 'root:pg'])
  t.same(await healthChecks(app).get('child:redis')?.(), { status: 'healthy' })
  const other = Fastify()
  t.equal(healthChecks(other).size, 0, 'another app has its own list')
})
