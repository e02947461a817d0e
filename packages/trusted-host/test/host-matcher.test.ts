import fc from 'fast-check'
import t from 'tap'
import { type HostEntry, HostMatcher, parseHostEntry } from '../src/index.js'

const matcherFor = (...entries: string[]) => new HostMatcher(entries.map((entry) => parseHostEntry(entry) as HostEntry))

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => `${labels.join('.')}.test`)

t.test('*.<domain> matches every subdomain and never the domain or a look-alike', async () => {
  fc.assert(
    fc.property(domain, fc.array(label, { minLength: 1, maxLength: 3 }), label, (base, sub, junk) => {
      const matcher = matcherFor(`*.${base}`)
      const subdomain = `${sub.join('.')}.${base}`
      return (
        matcher.matches(subdomain) &&
        matcher.matches(`${subdomain}:8080`) &&
        !matcher.matches(base) &&
        !matcher.matches(`${junk}${base}`) &&
        !matcher.matches(`${subdomain}.evil`) &&
        !matcher.matches(`${base}.${junk}`)
      )
    }),
  )
})

t.test('an exact entry matches only itself, on any port', async () => {
  fc.assert(
    fc.property(domain, domain, fc.integer({ min: 1, max: 65535 }), (allowed, other, port) => {
      const matcher = matcherFor(allowed)
      return (
        matcher.matches(allowed) &&
        matcher.matches(`${allowed}:${port}`) &&
        matcher.matches(`${allowed}.`) &&
        matcher.matches(other) === (other === allowed) &&
        !matcher.matches(`x${allowed}`) &&
        !matcher.matches(`x.${allowed}`)
      )
    }),
  )
})

t.test('a pinned port matches only that port', async () => {
  fc.assert(
    fc.property(domain, fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (host, port, other) => {
      const exact = matcherFor(`${host}:${port}`)
      const wildcard = matcherFor(`*.${host}:${port}`)
      return (
        exact.matches(`${host}:${port}`) &&
        !exact.matches(host) &&
        exact.matches(`${host}:${other}`) === (other === port) &&
        wildcard.matches(`a.${host}:${port}`) &&
        !wildcard.matches(`a.${host}`) &&
        wildcard.matches(`a.${host}:${other}`) === (other === port)
      )
    }),
  )
})

t.test("'*' matches everything", async (t) => {
  const matcher = matcherFor('*')
  t.ok(matcher.matchesAny)
  t.ok(matcher.matches('whatever:1'))
})
