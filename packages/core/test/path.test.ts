import fc from 'fast-check'
import t from 'tap'
import { decodePercent, normalizePath } from '../src/index.js'

t.test('spellings of one path normalise to one path', async (t) => {
  for (const variant of [
    '/api/upload',
    '//api/upload',
    '/api/./upload',
    '/api/x/../upload',
    '/api/upload/',
    '/api/%75pload',
    '/api/upload?x=1',
    '/api/upload#frag',
    'api/upload',
    '/../api/upload',
  ]) {
    t.equal(normalizePath(variant), '/api/upload', variant)
  }
  t.equal(normalizePath('/API/Upload', false), '/api/upload', 'case folded when case-insensitive')
  t.equal(normalizePath('/API/Upload'), '/API/Upload', 'case kept by default')
  t.equal(normalizePath('/'), '/')
  t.equal(normalizePath(''), '/')
  t.equal(normalizePath('/a/%2e%2e/b'), '/b', 'encoded dot segments resolve')
  t.equal(normalizePath('/api%2Fupload'), '/api%2Fupload', '%2F is not a separator, as for the router')
  t.equal(normalizePath('/admin/..%2fpublic'), '/admin/..%2Fpublic', 'so ..%2F cannot climb out of a prefix')
})

t.test('percent-decoding decodes once and never throws', async (t) => {
  t.equal(decodePercent('%zz%4'), '%zz%4', 'invalid escapes stay')
  t.equal(decodePercent('%252e'), '%2e', 'decoded once only')
  t.equal(decodePercent('%C3%A9'), 'é', 'UTF-8 sequences')
  t.equal(decodePercent('é%41'), 'éA', 'non-ASCII input kept')
  t.equal(decodePercent('%00'), '\0')
})

t.test('normalising is idempotent (property)', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
      const once = normalizePath(raw)
      return normalizePath(once) === once || once.includes('%')
    }),
    { numRuns: 2000 },
  )
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), (raw) => {
      const path = normalizePath(raw)
      return path.startsWith('/') && !path.includes('//') && !/\/\.\.?(\/|$)/.test(path)
    }),
    { numRuns: 2000 },
  )
  t.pass('properties hold')
})

t.test('absolute-form request targets normalise to the path the router serves', async (t) => {
  t.equal(normalizePath('http://api.example.com/files/private/report.pdf'), '/files/private/report.pdf')
  t.equal(normalizePath('HTTPS://api.example.com:8443//files/./private/'), '/files/private')
  t.equal(normalizePath('http://api.example.com'), '/')
  t.equal(normalizePath('http://api.example.com?x=1'), '/')
  t.equal(normalizePath('/http://not-absolute/x'), '/http:/not-absolute/x', 'origin-form paths are untouched')
})
