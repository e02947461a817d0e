import t from 'tap'
import { decodeEntities, decodeOnce, foldConfusables, hasEntity, hasEscape } from '../src/decode.js'
import { build, collectDetections } from './fixtures/app.js'

t.test('decodeOnce: percent-escapes once, as UTF-8; malformed ones stay', async (t) => {
  const cases: [string, boolean, string][] = [
    ['%2e%2e%2f', false, '../'],
    ['%2E%2E%5C', false, '..\\'],
    ['%252e', false, '%2e'],
    ['a+b%20c', true, 'a b c'],
    ['a+b', false, 'a+b'],
    ['%C3%A9t%C3%A9', false, 'été'],
    ['100%', false, '100%'],
    ['%zz%4', false, '%zz%4'],
    ['%u002e%u002E%u2215', false, '..\u2215'],
    ['%u12', false, '%u12'],
    ['%uzzzz', false, '%uzzzz'],
    ['%c0%ae%c0%ae%c0%af', false, '../'],
    ['%e0%80%ae', false, '.'],
    ['%c0', false, '\ufffd'],
    ['%ff%fe', false, '\ufffd\ufffd'],
    ['déjà vu 😀', false, 'déjà vu 😀'],
    ['%F0%9F%98%80 😀', false, '😀 😀'],
    ['plain', true, 'plain'],
  ]
  for (const [input, plus, expected] of cases) t.equal(decodeOnce(input, plus), expected, input)
})

t.test('hasEscape, hasEntity, decodeEntities, foldConfusables', async (t) => {
  t.ok(hasEscape('%2e'))
  t.ok(hasEscape('%u002e'))
  t.notOk(hasEscape('100%'))
  t.notOk(hasEscape('%zz'))
  t.ok(hasEntity('&#106;'))
  t.ok(hasEntity('&colon;'))
  t.notOk(hasEntity('Tom &amp; Jerry'))
  t.notOk(hasEntity('a & b'))
  t.equal(decodeEntities('&#106;&#x61;&#X76;a&colon;&Tab;&#0;&#9999999;'), 'java:\t&#0;&#9999999;')
  t.equal(foldConfusables('．．／etc＼x＜y＞∕⁄∖'), '../etc\\x<y>//\\')
  t.equal(foldConfusables('東京（とうきょう）'), '東京（とうきょう）')
})

t.test('a payload encoded twice is found and reported as double-percent', async (t) => {
  const app = await build()
  const events = collectDetections(t)
  await app.inject('/x?file=%252e%252e%252fetc%252fpasswd')
  await app.inject('/x?file=..%2fetc')
  t.same(
    events.map((event) => [event.rule, event.encoding]),
    [
      ['path-traversal-sequence', 'double-percent'],
      ['path-traversal-file', 'double-percent'],
      ['path-traversal-sequence', undefined],
    ],
  )
  events.length = 0
  await app.inject(`/x?id=${encodeURIComponent(encodeURIComponent('1/**/UNION/**/SELECT/**/1'))}`)
  t.same(
    events.map((event) => [event.rule, event.encoding, event.sample]),
    [['sqli-union-select', 'double-percent', 'id=1 UNION SELECT 1']],
    'SQL comments are read as blanks in the twice-decoded form too',
  )
  events.length = 0
  await app.inject({ url: '/', headers: { referer: 'https://x.example/?q=%3Cscript%3E' } })
  await app.inject({ url: '/x?u=%26%23106%3Bavascript%3Avoid(0)' })
  t.same(
    events.map((event) => [event.rule, event.encoding]),
    [
      ['xss-script-tag', 'percent'],
      ['xss-script-url', 'html-entity'],
    ],
  )
})
