import Fastify from 'fastify'
import t from 'tap'
import rampartTemplate, { blockedChannel, type TemplateOptions } from '../src/index.js'

async function build(options: TemplateOptions = {}) {
  const app = Fastify()
  await app.register(rampartTemplate, options)
  app.get('/*', async () => ({ ok: true }))
  return app
}

t.test('sets its header on every response', async (t) => {
  const app = await build({ headerValue: 'yes' })
  const response = await app.inject('/anything')
  t.equal(response.headers['x-rampart-template'], 'yes')
})

t.test('refuses blocked paths with problem+json, whatever the spelling of the path', async (t) => {
  const app = await build({ blockedPaths: ['/admin'] })
  const events: string[] = []
  const unsubscribe = blockedChannel.subscribe((event) => events.push(event.path))
  t.teardown(unsubscribe)
  for (const url of ['/admin', '//admin', '/./admin/', '/%61dmin', '/admin/x']) {
    const response = await app.inject(url)
    t.equal(response.statusCode, 403, url)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.equal(response.json().code, 'RAMPART_TEMPLATE_BLOCKED')
  }
  t.equal((await app.inject('/administrator')).statusCode, 200, 'prefixes are segment-aware')
  t.same(events, ['/admin', '/admin', '/admin', '/admin', '/admin/x'])
})
