import t from 'tap'
import { build, cookieHeader, fetchToken } from './fixtures/helpers.js'

const FORM = 'application/x-www-form-urlencoded'

t.test('the form field is read from the parsed body: the stream is read once, by the parser', async (t) => {
  let parsed = 0
  const app = await build({}, (app) => {
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      parsed++
      done(null, JSON.parse(body as string))
    })
  })
  const { token } = await fetchToken(app, { sid: 's1' })
  const form = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': `${FORM}; charset=utf-8` },
    payload: `name=Al%C3%AFce&csrf_token=${encodeURIComponent(token)}`,
  })
  t.equal(form.statusCode, 200)
  t.same(form.json().body, { name: 'Alïce', csrf_token: token })

  // a JSON post without the header is refused before its body is parsed: it cannot carry a field
  const json = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': 'application/json' },
    payload: JSON.stringify({ csrf_token: token }),
  })
  t.equal(json.json().code, 'RAMPART_CSRF_MISSING')
  t.equal(parsed, 0, 'the JSON parser never ran')
  const withHeader = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': 'application/json', 'x-csrf-token': token },
    payload: JSON.stringify({ a: 1 }),
  })
  t.same(withHeader.json().body, { a: 1 })
  t.equal(parsed, 1)
})

t.test('a header wins over the form field, and a bad header is not rescued by a good field', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: 's1' })
  const send = (header: string) =>
    app.inject({
      method: 'POST',
      url: '/profile',
      headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': FORM, 'x-csrf-token': header },
      payload: `csrf_token=${token}`,
    })
  t.equal((await send('forged')).json().code, 'RAMPART_CSRF_INVALID')
  t.equal((await send('')).statusCode, 200, 'an empty header counts as none')
})

t.test('a field sent twice, or not a string, is invalid', async (t) => {
  const app = await build()
  const { token } = await fetchToken(app, { sid: 's1' })
  const response = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': FORM },
    payload: `csrf_token=${token}&csrf_token=${token}`,
  })
  t.equal(response.json().code, 'RAMPART_CSRF_INVALID')
})

t.test("multipart bodies as @fastify/multipart's attachFieldsToBody leaves them", async (t) => {
  let shape: 'keyValues' | 'parts' = 'keyValues'
  let token = ''
  const app = await build({}, (app) => {
    // stands in for @fastify/multipart: the field arrives as a string, or as a field part
    app.addContentTypeParser('multipart/form-data', (_request, payload, done) => {
      payload.resume()
      payload.on('end', () => {
        if (shape === 'keyValues') done(null, { title: 'x', csrf_token: token })
        else done(null, { title: { type: 'field', value: 'x' }, csrf_token: { type: 'field', value: token } })
      })
    })
  })
  token = (await fetchToken(app, { sid: 's1' })).token
  const send = () =>
    app.inject({
      method: 'POST',
      url: '/upload',
      headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x--\r\n',
    })
  t.equal((await send()).statusCode, 200, 'keyValues')
  shape = 'parts'
  t.equal((await send()).statusCode, 200, 'field parts')
  token = 'forged'
  t.equal((await send()).json().code, 'RAMPART_CSRF_INVALID')
})

t.test('other bodies carry no field: the form path needs a form parser', async (t) => {
  const app = await build({}, (app) => {
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body))
    app.addContentTypeParser('multipart/form-data-x', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  })
  const { token } = await fetchToken(app, { sid: 's1' })
  for (const type of ['text/plain', 'multipart/form-data-x']) {
    const response = await app.inject({
      method: 'POST',
      url: '/profile',
      headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': type },
      payload: `csrf_token=${token}`,
    })
    t.equal(response.json().code, 'RAMPART_CSRF_MISSING', type)
  }
  const empty = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': FORM },
    payload: '',
  })
  t.equal(empty.json().code, 'RAMPART_CSRF_MISSING', 'an empty form')
})

t.test('fieldName and headerNames are options', async (t) => {
  const app = await build({ fieldName: '_csrf', headerNames: ['X-Requested-Token'] })
  const { token } = await fetchToken(app, { sid: 's1' })
  const form = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'content-type': FORM },
    payload: `_csrf=${token}`,
  })
  t.equal(form.statusCode, 200)
  const header = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'x-requested-token': token },
  })
  t.equal(header.statusCode, 200)
  const old = await app.inject({
    method: 'POST',
    url: '/profile',
    headers: { cookie: cookieHeader({ sid: 's1' }), 'x-csrf-token': token },
  })
  t.equal(old.json().code, 'RAMPART_CSRF_MISSING', 'the default header is no longer read')
})
