import fc from 'fast-check'
import t from 'tap'
import { needsInspection, urlNeedsInspection } from '../src/inspector.js'
import { PATTERN_RULES } from '../src/rules.js'

/**
 * The fast path skips values made of "safe" characters. That is sound only while no built-in rule
 * can match such a value: these properties hold the rules to it, with random strings and with
 * strings built from the very words the rules look for.
 */

const WORD_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'
const VALUE_CHARS = [...WORD_CHARS, '-', '.', '~', '=', ',', '@']
const PATH_CHARS = [...WORD_CHARS, '-', '.', '~', '/']
const KEYWORDS = [
  'union',
  'select',
  'all',
  'or',
  'and',
  '1',
  '1=1',
  'sleep',
  'benchmark',
  'waitfor',
  'delay',
  'drop',
  'table',
  'information_schema',
  'tables',
  'xp_cmdshell',
  'exec',
  'script',
  'javascript',
  'alert',
  'onerror',
  'iframe',
  'etc',
  'passwd',
  'shadow',
  'proc',
  'self',
  'environ',
  'windows',
  'win.ini',
  'boot.ini',
  '.env',
  '.git',
  'config',
  'cat',
  'id',
  'whoami',
  'ls',
  'sh',
  'bash',
  'IFS',
  'bin',
  'cmd',
  'powershell',
  'ping',
  'curl',
  'wget',
  'nc',
  'data',
  'text',
  'html',
  'document',
  'cookie',
  'eval',
  'char',
  'concat',
  'order',
  'by',
  'having',
  '0x7e',
]
const RUNS = 3000

function rulesFor(location: 'path' | 'query' | 'header' | 'body') {
  return PATTERN_RULES.filter((rule) => rule.locations.includes(location))
}

function noRuleMatches(location: 'path' | 'query' | 'header' | 'body', value: string): boolean {
  const hits = rulesFor(location).filter((rule) => rule.pattern.test(value))
  if (hits.length > 0) throw new Error(`${JSON.stringify(value)} matched ${hits.map((rule) => rule.id)}`)
  return true
}

const safeValue = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 80 }),
    fc
      .array(fc.tuple(fc.constantFrom(...KEYWORDS), fc.constantFrom('-', '_', '.', ',', '=', '@', '~', '')), {
        maxLength: 12,
      })
      .map((parts) => parts.map(([word, separator]) => word + separator).join('')),
  )
  .filter((value) => !needsInspection(value, 'query'))

const safePath = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 80 }),
    fc
      .array(fc.tuple(fc.constantFrom(...KEYWORDS), fc.constantFrom('/', '-', '_', '.', '')), { maxLength: 12 })
      .map((parts) => `/${parts.map(([word, separator]) => word + separator).join('')}`),
  )
  .filter((value) => !needsInspection(value, 'path'))

t.test('no built-in query, header or body rule matches a value the precheck calls safe', async (t) => {
  for (const location of ['query', 'header', 'body'] as const) {
    fc.assert(
      fc.property(safeValue, (value) => noRuleMatches(location, value)),
      { numRuns: RUNS, seed: 42 },
    )
  }
  t.pass(`${RUNS} values per location`)
})

t.test('no built-in path rule matches a path the precheck calls safe', async (t) => {
  fc.assert(
    fc.property(safePath, (value) => noRuleMatches('path', value)),
    { numRuns: RUNS, seed: 42 },
  )
  t.pass(`${RUNS} paths`)
})

t.test('a URL the fast path skips has a safe path and only safe query parameters', async (t) => {
  const url = fc
    .tuple(
      safePath,
      fc.option(
        fc.array(
          safeValue.filter((value) => !value.includes('&')),
          { maxLength: 5 },
        ),
      ),
    )
    .map(([path, query]) => (query === null ? path : `${path}?${query.join('&')}`))
  fc.assert(
    fc.property(url, (target) => {
      if (urlNeedsInspection(target)) return true
      const [path, query] = target.split('?') as [string, string | undefined]
      if (needsInspection(path, 'path')) return false
      return (query ?? '').split('&').every((pair) => !needsInspection(pair, 'query'))
    }),
    { numRuns: RUNS, seed: 7 },
  )
  t.ok(!urlNeedsInspection('/api/users/42?page=2&sort=-date&fields=id,name'), 'the common case is skipped')
  for (const target of ['/a/../b', '/.env', '/x?q=a+b', '/x?q=%27', '/x?next=/home', "/o'brien", '/x?a=1;2']) {
    t.ok(urlNeedsInspection(target), target)
  }
})
