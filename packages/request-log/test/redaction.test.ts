import t from 'tap'
import { DEFAULTS, REDACTED, redactUrl } from '../src/index.js'
import { build } from './fixtures/build.js'

t.test('sensitive query parameters are redacted in the logged url; others are kept', async (t) => {
  const { app, requestLines } = await build()
  const cases: [string, string][] = [
    ['/?token=abc&page=2', '/?token=[REDACTED]&page=2'],
    ['/?page=2&access_token=eyJhbGciOi.x.y', '/?page=2&access_token=[REDACTED]'],
    [
      '/?refresh_token=r&api_key=k&apikey=k2&key=k3',
      '/?refresh_token=[REDACTED]&api_key=[REDACTED]&apikey=[REDACTED]&key=[REDACTED]',
    ],
    ['/?password=hunter2&secret=s&signature=sig', '/?password=[REDACTED]&secret=[REDACTED]&signature=[REDACTED]'],
    ['/?TOKEN=abc&Api_Key=x', '/?TOKEN=[REDACTED]&Api_Key=[REDACTED]'],
    ['/?%74oken=abc', '/?%74oken=[REDACTED]'],
    ['/?api%5Fkey=abc', '/?api%5Fkey=[REDACTED]'],
    ['/?user[password]=p&user[name]=n', '/?user[password]=[REDACTED]&user[name]=n'],
    ['/?user%5Bpassword%5D=p', '/?user%5Bpassword%5D=[REDACTED]'],
    ['/?creds.secret=s', '/?creds.secret=[REDACTED]'],
    ['/?password[]=a&password[]=b', '/?password[]=[REDACTED]&password[]=[REDACTED]'],
    ['/?a=1;token=abc', '/?a=1;token=[REDACTED]'],
    ['/?token=a=b=c&x=1', '/?token=[REDACTED]&x=1'],
    ['/?token&x=1', '/?token&x=1'],
    ['/?token=', '/?token=[REDACTED]'],
    ['/?tokens=1&mytoken=2', '/?tokens=1&mytoken=2'],
    ['/?a=1&&token=t&', '/?a=1&&token=[REDACTED]&'],
    ['/no-query', '/no-query'],
  ]
  for (const [url] of cases) await app.inject(url)
  const logged = requestLines().map((line) => line.url)
  t.same(
    logged,
    cases.map(([, expected]) => expected),
  )
  const everything = JSON.stringify(requestLines())
  for (const secret of ['hunter2', 'eyJhbGciOi', 'k3']) t.notMatch(everything, secret)
})

t.test('the query parameter list is configurable (and replaces the default)', async (t) => {
  const { app, requestLines } = await build({ redactQuery: [...DEFAULTS.redactQuery, 'OTP'] })
  await app.inject('/?otp=123456&token=t')
  t.equal(requestLines()[0]?.url, '/?otp=[REDACTED]&token=[REDACTED]')
  const replaced = await build({ redactQuery: ['otp'] })
  await replaced.app.inject('/?otp=1&token=t')
  t.equal(replaced.requestLines()[0]?.url, '/?otp=[REDACTED]&token=t')
  const none = await build({ redactQuery: [] })
  await none.app.inject('/?token=t')
  t.equal(none.requestLines()[0]?.url, '/?token=t')
})

t.test('headers are not logged by default', async (t) => {
  const { app, requestLines } = await build()
  await app.inject({ url: '/', headers: { authorization: 'Bearer secret-token', cookie: 'sid=abc' } })
  const line = requestLines()[0] ?? {}
  t.notOk('requestHeaders' in line)
  t.notMatch(JSON.stringify(line), /secret-token|sid=abc/)
})

t.test('with logHeaders, credentials in request and response headers are redacted', async (t) => {
  const { app, requestLines } = await build({ logHeaders: true }, (app) => {
    app.get('/', async (_request, reply) => {
      reply.header('set-cookie', ['sid=server-secret; HttpOnly', 'other=1'])
      reply.header('x-trace', 'visible')
      return 'ok'
    })
  })
  await app.inject({
    url: '/',
    headers: {
      Authorization: 'Bearer secret-token',
      Cookie: 'sid=abc',
      'X-API-Key': 'key-123',
      'Proxy-Authorization': 'Basic cHJveHk=',
      'user-agent': 'tap',
      accept: 'text/plain',
    },
  })
  const line = requestLines()[0] ?? {}
  const request = line.requestHeaders as Record<string, unknown>
  const response = line.responseHeaders as Record<string, unknown>
  t.equal(request.authorization, REDACTED)
  t.equal(request.cookie, REDACTED)
  t.equal(request['x-api-key'], REDACTED)
  t.equal(request['proxy-authorization'], REDACTED)
  t.equal(request['user-agent'], 'tap')
  t.equal(request.accept, 'text/plain')
  t.equal(response['set-cookie'], REDACTED)
  t.equal(response['x-trace'], 'visible')
  t.notMatch(JSON.stringify(line), /secret-token|sid=abc|key-123|cHJveHk=|server-secret/)
})

t.test('the header list is configurable', async (t) => {
  const { app, requestLines } = await build({ logHeaders: true, redactHeaders: ['X-Session'] })
  await app.inject({ url: '/', headers: { 'x-session': 's1', authorization: 'visible-now' } })
  const request = requestLines()[0]?.requestHeaders as Record<string, unknown>
  t.equal(request['x-session'], REDACTED)
  t.equal(request.authorization, 'visible-now')
})

t.test('redactUrl: long urls are cut after redaction', async (t) => {
  const sensitive = new Set(['token'])
  const long = `/?token=${'s'.repeat(5000)}&q=${'x'.repeat(5000)}`
  const cut = redactUrl(long, sensitive, 64)
  t.equal(cut.length, 67)
  t.ok(cut.startsWith('/?token=[REDACTED]&q=xxx'))
  t.ok(cut.endsWith('...'))
  t.equal(redactUrl('/a;token=x', sensitive, 2048), '/a;token=[REDACTED]', 'a ; query (useSemicolonDelimiter)')
  t.equal(redactUrl('/?token=x', new Set(), 2048), '/?token=x')
})
