import t from 'tap'
import { build, collectDetectionsWithRequest, listen, send } from './fixtures/app.js'
import { type BenignRequest, benignCorpus } from './fixtures/benign.js'

/** The false-positive bound this test holds the rules to, as reported in the README. */
const MAX_FALSE_POSITIVE_RATE = 0.005

const corpus = benignCorpus()

/** Sends the corpus over a real socket; returns the requests that drew a detection, with what matched. */
async function falsePositives(
  t: { teardown(fn: () => unknown): void },
  requests: readonly BenignRequest[],
): Promise<{ request: BenignRequest; matched: string[] }[]> {
  const app = await build({ body: true })
  const client = await listen(app, t)
  const events = collectDetectionsWithRequest(t)
  for (const [index, request] of requests.entries()) {
    const response = await send(client, {
      method: request.method,
      path: request.url,
      headers: { ...request.headers, 'x-case': String(index) },
      body: request.body,
    })
    if (response.status !== 200) throw new Error(`${request.url}: ${response.status} ${response.body}`)
  }
  const matched = new Map<number, string[]>()
  for (const event of events) {
    const index = Number(event.request.headers['x-case'])
    matched.set(index, [...(matched.get(index) ?? []), `${event.rule} in ${event.location}: ${event.sample}`])
  }
  return [...matched].map(([index, rules]) => ({ request: requests[index] as BenignRequest, matched: rules }))
}

t.test('the benign corpus: at least 1,000 realistic requests from every kind of building block', async (t) => {
  t.ok(corpus.length >= 1000, `${corpus.length} requests`)
  const kinds = new Map<string, number>()
  for (const request of corpus) {
    const kind = request.kind.split(' ')[0] as string
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  for (const kind of ['search', 'filter', 'redirect', 'path', 'body']) {
    t.ok((kinds.get(kind) ?? 0) >= 150, `${kind}: ${kinds.get(kind)}`)
  }
  const urls = corpus.map((request) => request.url)
  t.ok(
    urls.some((url) => url.includes('%27')),
    'apostrophes (names like O’Brien) are in the corpus',
  )
  t.ok(
    urls.some((url) => url.includes(';color=')),
    'matrix parameters are in the corpus',
  )
  t.ok(
    urls.some((url) => url.includes('redirect_uri=https%3A')),
    'URLs inside query values are in the corpus',
  )
})

t.test(`the false-positive rate over the benign corpus stays below ${MAX_FALSE_POSITIVE_RATE * 100}%`, async (t) => {
  const flagged = await falsePositives(t, corpus)
  const rate = flagged.length / corpus.length
  t.comment(`false positives: ${flagged.length}/${corpus.length} = ${(rate * 100).toFixed(2)}%`)
  for (const { request, matched } of flagged) t.comment(`${request.kind}: ${request.url} -> ${matched.join('; ')}`)
  t.ok(rate <= MAX_FALSE_POSITIVE_RATE, `${(rate * 100).toFixed(2)}% <= ${MAX_FALSE_POSITIVE_RATE * 100}%`)
})
