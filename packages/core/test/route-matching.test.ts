import Fastify from 'fastify'
import t from 'tap'
import { normalizePath, PrefixMatcher, RoutePatternMatcher, routePattern } from '../src/index.js'

const limits = new PrefixMatcher({
  '/api/upload': 'upload',
  '/api/': 'api',
  '/webhook': 'webhook',
  '/': 'default',
})

t.test('the longest segment-aware prefix wins', async (t) => {
  t.equal(limits.match('/api/upload'), 'upload')
  t.equal(limits.match('/api/upload/big'), 'upload')
  t.equal(limits.match('/api/uploads'), 'api', 'a longer segment is not the prefix')
  t.equal(limits.match('/api'), 'api', '"/api/" rule covers "/api"')
  t.equal(limits.match('/apix'), 'default')
  t.equal(limits.match('/webhook/github'), 'webhook')
  t.equal(limits.match('/'), 'default')
  t.equal(limits.match(normalizePath('//api/./%75pload')), 'upload', 'on normalised paths')
  t.equal(new PrefixMatcher({ '/a': 1 }).match('/b'), undefined, 'no root rule: no match')
  t.equal(limits.size, 4)
})

t.test('case-insensitive matchers fold both sides', async (t) => {
  const matcher = new PrefixMatcher([['/API/Auth', true]], { caseSensitive: false })
  t.equal(matcher.match('/api/auth/login'), true)
  t.equal(new PrefixMatcher([['/API/Auth', true]]).match('/api/auth'), undefined)
})

t.test('route patterns share one rule across ids', async (t) => {
  const rules = new RoutePatternMatcher({ '/api/users/:id': 'users' })
  const app = Fastify()
  app.get('/api/users/:id', async (request) => ({ rule: rules.match(request) ?? null, pattern: routePattern(request) }))
  app.setNotFoundHandler(async (request) => ({
    rule: rules.match(request) ?? null,
    pattern: routePattern(request) ?? null,
  }))
  t.same((await app.inject('/api/users/1')).json(), { rule: 'users', pattern: '/api/users/:id' })
  t.same((await app.inject('/api/users/2')).json(), { rule: 'users', pattern: '/api/users/:id' })
  t.same((await app.inject('/nope')).json(), { rule: null, pattern: null })
  t.equal(rules.matchPattern('/api/users/:id'), 'users')
})
