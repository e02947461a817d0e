import { createRequire } from 'node:module'
import fc from 'fast-check'
import t from 'tap'
import { parseMediaType, type UnsupportedMediaTypeEvent, unsupportedMediaTypeChannel } from '../src/index.js'
import { build } from './fixtures/app.js'

const POST_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']

t.test('seed: application/xml is 415 listing the allowed types; small JSON passes', async (t) => {
  const app = await build()
  const json = await app.inject({ method: 'POST', url: '/api/test', payload: { test: 'data' } })
  t.equal(json.statusCode, 200)
  const xml = await app.inject({
    method: 'POST',
    url: '/api/test',
    headers: { 'content-type': 'application/xml' },
    payload: '<test/>',
  })
  t.equal(xml.statusCode, 415)
  t.match(xml.headers['content-type'], /^application\/problem\+json/)
  t.match(xml.json(), { code: 'RAMPART_CONTENT_GUARD_UNSUPPORTED_MEDIA_TYPE', allowed: POST_TYPES })
  t.equal(xml.headers['accept-post'], POST_TYPES.join(', '))
})

t.test('JSON in any legal spelling is JSON, and Fastify parses it as such', async (t) => {
  const app = await build()
  const spellings = [
    'application/json',
    'APPLICATION/JSON ; charset=utf-8',
    'Application/Json;charset=UTF-8',
    'application/json\t;\tcharset=utf-8',
    ' application/json ',
    'application/json; charset="utf-8"',
    'application/json; a=b; c="x;y\\"z"',
    'application/json;',
    'application/json; ;charset=utf-8',
  ]
  for (const contentType of spellings) {
    const response = await app.inject({
      method: 'POST',
      url: '/x',
      headers: { 'content-type': contentType },
      payload: '{"a":1}',
    })
    t.same([response.statusCode, response.json()], [200, { size: 7 }], JSON.stringify(contentType))
  }
})

t.test('malformed or other types are 415, never a bypass', async (t) => {
  const app = await build()
  const events: UnsupportedMediaTypeEvent[] = []
  t.teardown(unsupportedMediaTypeChannel.subscribe((event) => events.push(event)))
  const refused: [string, string | undefined][] = [
    ['application/json\tx', undefined],
    ['application/json x', undefined],
    ['application/json,text/plain', undefined],
    ['application/json; charset', undefined],
    ['application/json; =utf-8', undefined],
    ['application/json; charset=', undefined],
    ['application/json; charset="utf-8', undefined],
    ['application/json; charset=a b', undefined],
    ['application/json/x', undefined],
    ['application/', undefined],
    ['/json', undefined],
    ['json', undefined],
    ['', undefined],
    ['application/jsön', undefined],
    ['application/xml', 'application/xml'],
    ['text/xml; x=application/json', undefined],
    ['text/xml; x="application/json"', 'text/xml'],
    ['application/json-patch+json', 'application/json-patch+json'],
  ]
  for (const [contentType] of refused) {
    const response = await app.inject({
      method: 'POST',
      url: '/x',
      headers: { 'content-type': contentType },
      payload: '{"a":1}',
    })
    t.equal(response.statusCode, 415, JSON.stringify(contentType))
    t.same(response.json().allowed, POST_TYPES)
  }
  t.same(
    events.map((event) => [event.contentType, event.mediaType]),
    refused,
  )
})

t.test('a body without Content-Type is 415 unless requireContentType is false', async (t) => {
  const strict = await build()
  const noType = { method: 'POST' as const, url: '/x', payload: Buffer.from('hello') }
  const refused = await strict.inject(noType)
  t.same([refused.statusCode, refused.json().detail], [415, 'A request body needs a Content-Type.'])
  t.equal((await strict.inject({ method: 'POST', url: '/x' })).statusCode, 200, 'no body, no type needed')
  const lenient = await build({ requireContentType: false })
  t.same((await lenient.inject(noType)).json(), { size: 5 })
})

t.test('per-method defaults: PUT, PATCH; DELETE is not checked unless configured', async (t) => {
  const app = await build()
  const send = (method: 'PUT' | 'PATCH' | 'DELETE', type: string) =>
    app.inject({ method, url: '/x', headers: { 'content-type': type }, payload: '{}' })
  t.equal((await send('PUT', 'application/octet-stream')).statusCode, 200)
  t.equal((await send('PUT', 'text/plain')).statusCode, 415)
  t.equal((await send('PATCH', 'application/merge-patch+json')).statusCode, 200)
  const patch = await send('PATCH', 'text/plain')
  t.equal(patch.statusCode, 415)
  t.equal(patch.headers['accept-patch'], 'application/json, application/merge-patch+json', 'RFC 5789')
  t.equal((await send('DELETE', 'application/xml')).statusCode, 200)

  const configured = await build({ allowedTypes: { delete: ['application/json'] } })
  const del = await configured.inject({
    method: 'DELETE',
    url: '/x',
    headers: { 'content-type': 'application/xml' },
    payload: '<x/>',
  })
  t.same([del.statusCode, del.json().allowed], [415, ['application/json']])
  const post = await configured.inject({
    method: 'POST',
    url: '/x',
    headers: { 'content-type': 'application/xml' },
    payload: '<x/>',
  })
  t.equal(post.statusCode, 200, 'allowedTypes replaces the defaults: POST is no longer checked')
})

t.test('extendDefaults merges allowedTypes per method; false removes one', async (t) => {
  const app = await build({
    extendDefaults: true,
    allowedTypes: { DELETE: ['application/json'], PUT: false, POST: ['application/json', 'application/cbor'] },
  })
  const send = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', type: string) =>
    app.inject({ method, url: '/x', headers: { 'content-type': type }, payload: '{}' })
  t.equal((await send('DELETE', 'text/plain')).statusCode, 415)
  t.equal((await send('PUT', 'text/html')).statusCode, 200)
  t.equal((await send('PATCH', 'text/plain')).statusCode, 415, 'PATCH keeps its default')
  t.equal((await send('POST', 'application/cbor')).statusCode, 200)
  t.equal((await send('POST', 'text/plain')).statusCode, 415, 'a listed method replaces its default list')
})

t.test('media ranges: type/* and */*', async (t) => {
  const app = await build({ allowedTypes: { POST: ['image/*', 'Application/PDF'], PUT: ['*/*'] } })
  const send = (method: 'POST' | 'PUT', type: string) =>
    app.inject({ method, url: '/x', headers: { 'content-type': type }, payload: 'x' })
  t.equal((await send('POST', 'image/png')).statusCode, 200)
  t.equal((await send('POST', 'IMAGE/SVG+XML; charset=utf-8')).statusCode, 200)
  t.equal((await send('POST', 'application/pdf')).statusCode, 200)
  t.equal((await send('POST', 'imagex/png')).statusCode, 415)
  t.equal((await send('POST', 'text/plain')).statusCode, 415)
  t.equal((await send('PUT', 'text/anything')).statusCode, 200)
  t.equal((await send('PUT', 'text/anything x')).statusCode, 415, '*/* still needs a well-formed type')
})

t.test('per-route allowedTypes and opt-out', async (t) => {
  const app = await build(undefined, (app) => {
    app.post('/csv', { config: { rampart: { contentGuard: { allowedTypes: ['text/csv'] } } } }, async () => 'csv')
    app.delete('/csv', { config: { rampart: { contentGuard: { allowedTypes: ['text/csv'] } } } }, async () => 'del')
    app.post('/any', { config: { rampart: { contentGuard: { allowedTypes: false } } } }, async () => 'any')
  })
  const send = (method: 'POST' | 'DELETE', url: string, type: string) =>
    app.inject({ method, url, headers: { 'content-type': type }, payload: 'a,b' })
  t.equal((await send('POST', '/csv', 'text/csv')).statusCode, 200)
  const json = await send('POST', '/csv', 'application/json')
  t.same([json.statusCode, json.json().allowed], [415, ['text/csv']])
  t.equal((await send('DELETE', '/csv', 'text/plain')).statusCode, 415, 'the route list covers its DELETE too')
  t.equal((await send('POST', '/any', 'application/xml')).statusCode, 200)
})

const token = fc.stringMatching(/^[a-z0-9!#$&^_.+-]{1,10}$/)
const whitespace = fc.constantFrom('', ' ', '\t', ' \t ')
const parameter = fc.tuple(
  whitespace,
  whitespace,
  token,
  fc.oneof(
    token,
    token.map((v) => `"${v}; \\"q\\""`),
  ),
)
/** A well-formed media type with random case, whitespace and parameters, and its expected parse. */
const wellFormed = fc
  .tuple(token, token, fc.array(parameter, { maxLength: 3 }), fc.boolean())
  .map(([type, subtype, params, upper]): [string, string] => {
    let value = `${type}/${subtype}`
    for (const [before, after, name, v] of params) value += `${before};${after}${name}=${v}`
    return [upper ? value.toUpperCase() : value, `${type}/${subtype}`]
  })

t.test('property: type/subtype with any case, whitespace and parameters parses to itself', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(wellFormed, ([value, expected]) => parseMediaType(value) === expected),
      { numRuns: 2000 },
    ),
  )
})

t.test('property: any value parseMediaType accepts, Fastify reads as the same media type', async (t) => {
  // Fastify's own parser picks the body parser; ours must never see a different type than it does.
  const require = createRequire(import.meta.url)
  const ContentType = require('fastify/lib/content-type.js') as new (
    value: string,
  ) => { isValid: boolean; mediaType: string | undefined }
  const pieces = fc.constantFrom('application', '/', 'json', ';', '=', ' ', '\t', '"', '\\', 'x', ',', 'A', '*', '\0')
  const header = fc.oneof(
    fc.string(),
    fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join('')),
    wellFormed.map(([value]) => value),
    fc.tuple(wellFormed, fc.string({ maxLength: 3 })).map(([[value], noise]) => value + noise),
  )
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(header, (value) => {
        const ours = parseMediaType(value)
        if (ours === undefined) return true
        const theirs = new ContentType(value)
        return theirs.isValid && theirs.mediaType === ours
      }),
      { numRuns: 5000 },
    ),
  )
})
