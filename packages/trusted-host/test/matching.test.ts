import t from 'tap'
import { build } from './fixtures/helpers.js'

async function statusFor(allowedHosts: string[], hosts: string[]) {
  const app = await build({ allowedHosts })
  const result: Record<string, number> = {}
  for (const host of hosts) result[host] = (await app.inject({ url: '/', headers: { host } })).statusCode
  await app.close()
  return result
}

t.test('exact hosts match on any port, and nothing else', async (t) => {
  t.same(
    await statusFor(
      ['example.com'],
      ['example.com', 'example.com:8080', 'www.example.com', 'evilexample.com', 'example.com.evil.com', 'example.co'],
    ),
    {
      'example.com': 200,
      'example.com:8080': 200,
      'www.example.com': 400,
      'evilexample.com': 400,
      'example.com.evil.com': 400,
      'example.co': 400,
    },
  )
})

t.test('case does not matter, in the entry or the request', async (t) => {
  t.same(await statusFor(['Example.COM'], ['EXAMPLE.com', 'example.com', 'ExAmPlE.CoM:443']), {
    'EXAMPLE.com': 200,
    'example.com': 200,
    'ExAmPlE.CoM:443': 200,
  })
})

t.test('a trailing dot (fully qualified name) is the same host', async (t) => {
  t.same(
    await statusFor(['example.com', 'api.example.net.'], ['example.com.', 'example.com.:8443', 'api.example.net']),
    { 'example.com.': 200, 'example.com.:8443': 200, 'api.example.net': 200 },
  )
  t.same(await statusFor(['example.com'], ['example.com..', '.example.com']), {
    'example.com..': 400,
    '.example.com': 400,
  })
})

t.test('*.example.com matches subdomains at any depth, never the apex or look-alikes', async (t) => {
  t.same(
    await statusFor(
      ['*.example.com'],
      [
        'a.example.com',
        'a.b.example.com:3000',
        'A.EXAMPLE.COM.',
        'example.com',
        'evilexample.com',
        'a.evilexample.com',
        'example.com.evil.com',
        '.example.com',
        'a..example.com',
      ],
    ),
    {
      'a.example.com': 200,
      'a.b.example.com:3000': 200,
      'A.EXAMPLE.COM.': 200,
      'example.com': 400,
      'evilexample.com': 400,
      'a.evilexample.com': 400,
      'example.com.evil.com': 400,
      '.example.com': 400,
      'a..example.com': 400,
    },
  )
})

t.test('an entry with a port matches that port only', async (t) => {
  t.same(
    await statusFor(
      ['example.com:8443', '*.example.net:9000'],
      [
        'example.com:8443',
        'example.com',
        'example.com:443',
        'example.com:08443',
        'example.com:84430',
        'a.example.net:9000',
        'a.example.net',
        'a.example.net:9001',
      ],
    ),
    {
      'example.com:8443': 200,
      'example.com': 400,
      'example.com:443': 400,
      'example.com:08443': 400,
      'example.com:84430': 400,
      'a.example.net:9000': 200,
      'a.example.net': 400,
      'a.example.net:9001': 400,
    },
  )
})

t.test('IPv4 and IPv6 literals', async (t) => {
  t.same(
    await statusFor(
      ['127.0.0.1', '[::1]', '[2001:DB8:0:0::1]:3000'],
      [
        '127.0.0.1',
        '127.0.0.1:3000',
        '127.0.0.2',
        '127.1',
        '[::1]',
        '[::1]:3000',
        '[0:0::1]:80',
        '[2001:db8::1]:3000',
        '[2001:db8::1]',
        '[2001:db8::1]:3001',
        '[::2]',
        '::1',
        '[::1',
        '[::1]x',
        '[::g]',
      ],
    ),
    {
      '127.0.0.1': 200,
      '127.0.0.1:3000': 200,
      '127.0.0.2': 400,
      '127.1': 400,
      '[::1]': 200,
      '[::1]:3000': 200,
      '[0:0::1]:80': 200,
      '[2001:db8::1]:3000': 200,
      '[2001:db8::1]': 400,
      '[2001:db8::1]:3001': 400,
      '[::2]': 400,
      '::1': 400,
      '[::1': 400,
      '[::1]x': 400,
      '[::g]': 400,
    },
  )
})

t.test('an empty port is no port', async (t) => {
  t.same(await statusFor(['example.com', 'example.net:8080'], ['example.com:', 'example.net:']), {
    'example.com:': 200,
    'example.net:': 400,
  })
})

t.test('a refusal is problem+json with the NOT_ALLOWED code and does not echo the host', async (t) => {
  const app = await build({ allowedHosts: ['example.com'] })
  const response = await app.inject({ url: '/', headers: { host: 'evil.com' } })
  t.equal(response.statusCode, 400)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  const body = response.json()
  t.equal(body.code, 'RAMPART_TRUSTED_HOST_NOT_ALLOWED')
  t.equal(body.type, 'https://rampart.dev/problems/trusted-host/not-allowed')
  t.notMatch(response.body, /evil/)
})

t.test('refuses before the handler and before a 404', async (t) => {
  let handled = 0
  const app = await build({ allowedHosts: ['example.com'] })
  app.get('/count', async () => ++handled)
  t.equal((await app.inject({ url: '/count', headers: { host: 'evil.com' } })).statusCode, 400)
  t.equal(handled, 0)
  const unknownMethod = await app.inject({ method: 'DELETE', url: '/nowhere', headers: { host: 'evil.com' } })
  t.equal(unknownMethod.statusCode, 400)
})
