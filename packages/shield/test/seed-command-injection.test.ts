import t from 'tap'
import { matchingRules } from '../src/index.js'
import { benignCorpus } from './fixtures/benign.js'
import { MALICIOUS } from './fixtures/malicious.js'

/**
 * Regression: the seed's security monitor (002, Part 6) flags `[;&|`$()]` anywhere in
 * `str(request.url)`, so every URL with two query parameters is "command injection". Its other
 * patterns run over the percent-encoded URL, so an encoded payload passes them. Its patterns are
 * copied here verbatim, to measure them, never to use them.
 */
const SEED_PATTERNS: Readonly<Record<string, RegExp>> = {
  sql_injection: /(\b(select|union|insert|update|delete|drop|create|alter)\b.*\b(from|into|table|database)\b)/i,
  xss_attempt: /<script|<iframe|<object|<embed/i,
  path_traversal: /\.\.\/|\.\.\\/,
  command_injection: /[;&|`$()]/,
}

/** `str(request.url)` in the seed: the full URL as received. */
const fullUrl = (target: string) => `http://127.0.0.1:3000${target}`
const seedFlags = (target: string, pattern: RegExp) => pattern.test(fullUrl(target))

const ORDINARY = [
  '/search?q=shoes&page=2',
  '/api/products?price[gte]=10&sort=-date',
  '/products/t-shirt-(blue)',
  '/cars;color=red;year=2012',
  '/deals?max=$5',
  '/login?next=%2Fdashboard&remember=1',
]

t.test("the seed's command-injection pattern flags ordinary URLs; ours does not", async (t) => {
  for (const url of ORDINARY) {
    t.ok(seedFlags(url, SEED_PATTERNS.command_injection as RegExp), `seed flags ${url}`)
    const [path, query = ''] = url.split('?') as [string, string?]
    const ours = [...matchingRules(path, 'path'), ...query.split('&').flatMap((pair) => matchingRules(pair, 'query'))]
    t.same(ours, [], `shield does not flag ${url}`)
  }
})

t.test("over the benign corpus, the seed's command-injection pattern flags most requests", async (t) => {
  const corpus = benignCorpus()
  const rate = (pattern: RegExp) => corpus.filter((request) => seedFlags(request.url, pattern)).length / corpus.length
  for (const [name, pattern] of Object.entries(SEED_PATTERNS)) {
    t.comment(`seed ${name}: ${(rate(pattern) * 100).toFixed(1)}% of ${corpus.length} benign requests`)
  }
  t.ok(rate(SEED_PATTERNS.command_injection as RegExp) > 0.3, 'over 30% false positives')
})

t.test('the seed sees the URL still percent-encoded: encoded payloads pass its patterns', async (t) => {
  const inUrl = MALICIOUS.filter((item) => item.where === 'query' || item.where === 'raw' || item.where === 'path')
  const target = (item: (typeof inUrl)[number]) =>
    item.where === 'query'
      ? `/search?q=${encodeURIComponent(item.payload)}`
      : item.where === 'raw'
        ? `/search?q=${item.payload}`
        : item.payload
  const own: Record<string, RegExp> = {
    sqli: SEED_PATTERNS.sql_injection as RegExp,
    xss: SEED_PATTERNS.xss_attempt as RegExp,
    'path-traversal': SEED_PATTERNS.path_traversal as RegExp,
  }
  // Command injection is left out: the seed's pattern "detects" it by flagging everything.
  const cases = inUrl.filter((item) => item.type !== 'command-injection')
  const caught = cases.filter((item) => seedFlags(target(item), own[item.type] as RegExp)).length
  t.comment(`seed detection of SQLi, XSS and traversal in URLs: ${caught}/${cases.length}`)
  t.ok(caught / cases.length < 0.25, 'most encoded payloads pass')
  t.notOk(seedFlags('/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', SEED_PATTERNS.xss_attempt as RegExp))
  t.same(matchingRules('q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'query'), ['xss-script-tag', 'xss-script-api'])
})
