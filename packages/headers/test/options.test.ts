import t from 'tap'
import { DEFAULTS, type HeadersOptions, resolveOptions } from '../src/index.js'
import { build } from './fixtures/build.js'

t.test('bad options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    ['yes', /option "" must be an object/],
    [{ frameOptoins: 'DENY' }, /option "frameOptoins" is not a known option/],
    [{ frameOptions: 'ALLOWALL' }, /option "frameOptions" must be one of "DENY", "SAMEORIGIN"/],
    [{ frameOptions: true }, /option "frameOptions" must be one of/],
    [{ referrerPolicy: 'sometimes' }, /option "referrerPolicy" must be one of/],
    [{ referrerPolicy: [] }, /option "referrerPolicy" must name at least one policy/],
    [{ referrerPolicy: 'no-referrer,,origin' }, /option "referrerPolicy" must be one of/],
    [{ server: 'x\r\nSet-Cookie: a=b' }, /option "server" must match/],
    [{ server: '' }, /option "server" must not be empty/],
    [{ server: true }, /option "server" must be a string/],
    [{ cacheControl: 'no-store\n' }, /option "cacheControl" must match/],
    [{ cacheControl: ' no-store' }, /option "cacheControl" must match/],
    [{ crossOriginOpenerPolicy: 'same-site' }, /option "crossOriginOpenerPolicy" must be one of/],
    [{ crossOriginResourcePolicy: 'none' }, /option "crossOriginResourcePolicy" must be one of/],
    [{ crossOriginEmbedderPolicy: 'require' }, /option "crossOriginEmbedderPolicy" must be one of/],
    [{ permittedCrossDomainPolicies: true }, /option "permittedCrossDomainPolicies" must be one of/],
    [{ dnsPrefetchControl: 'maybe' }, /option "dnsPrefetchControl" must be one of/],
    [{ xssProtection: '1; mode=block' }, /option "xssProtection" must be true or false/],
    [{ contentTypeOptions: 'nosniff' }, /option "contentTypeOptions" must be true or false/],
    [{ production: 'yes' }, /option "production" must be true or false/],
    [{ hsts: true }, /option "hsts" must be an object/],
    [{ hsts: { maxAge: -1 } }, /option "hsts\.maxAge" must be >= 0/],
    [{ hsts: { maxAge: 1.5 } }, /option "hsts\.maxAge" must be an integer/],
    [{ hsts: { preload: true, maxAge: 60 } }, /option "hsts\.preload" needs maxAge >= 31536000/],
    [{ hsts: { preload: true, includeSubDomains: false } }, /option "hsts\.preload" needs/],
    [{ hsts: { maxage: 1 } }, /option "hsts\.maxage" is not a known option/],
    [{ cspNonce: 'yes' }, /option "cspNonce" must be an array of strings/],
    [{ csp: "default-src 'self'", cspNonce: ['img-src'] }, /option "cspNonce\[0\]" must be one of/],
    [{ csp: "default-src 'self'", cspNonce: [] }, /option "cspNonce" must list at least one directive/],
    [{ csp: "default-src 'self'", cspNonce: ['script-src', 'script-src'] }, /option "cspNonce\[1\]" repeats/],
    [{ cspNonce: true }, /option "cspNonce" needs csp or cspReportOnly/],
  ]
  for (const [options, message] of cases) {
    await t.rejects(
      build(options as HeadersOptions),
      { code: 'RAMPART_HEADERS_INVALID_OPTION', message },
      String(message),
    )
  }
})

t.test('resolveOptions: the defaults, frozen', async (t) => {
  const resolved = resolveOptions()
  t.ok(Object.isFrozen(resolved) && Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.hsts))
  t.equal(resolved.production, false)
  t.same(resolved.hsts, { maxAge: 31_536_000, includeSubDomains: true, preload: false })
  t.equal(resolved.csp, false)
  t.same(resolved.cspNonce, [])
  t.equal(resolveOptions({ referrerPolicy: 'no-referrer , origin' as 'origin' }).referrerPolicy, 'no-referrer, origin')
  t.same(resolveOptions({ csp: "default-src 'self'", cspNonce: true }).cspNonce, ['script-src', 'style-src'])
  t.same(resolveOptions(undefined), resolved, 'no options: the defaults')
})
