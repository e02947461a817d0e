import t from 'tap'
import { buildCsp, parseCsp, SEED_CSP_DIRECTIVES } from '../src/index.js'
import { build } from './fixtures/build.js'

const SEED_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; frame-src 'none'"

t.test('off by default', async (t) => {
  const response = await (await build()).inject('/')
  t.notOk('content-security-policy' in response.headers)
  t.notOk('content-security-policy-report-only' in response.headers)
})

t.test("from directives: seed 002's set", async (t) => {
  const app = await build({ csp: SEED_CSP_DIRECTIVES })
  t.equal((await app.inject('/')).headers['content-security-policy'], SEED_CSP)
})

t.test('camelCase keys, value-less directives, false leaves a directive out', async (t) => {
  const app = await build({
    csp: {
      ...SEED_CSP_DIRECTIVES,
      frameSrc: false,
      'frame-src': false,
      upgradeInsecureRequests: true,
      frameAncestors: ["'none'"],
    },
  })
  t.equal(
    (await app.inject('/')).headers['content-security-policy'],
    `${SEED_CSP.replace("; frame-src 'none'", '')}; upgrade-insecure-requests; frame-ancestors 'none'`,
  )
})

t.test('from a string: validated, sent normalised', async (t) => {
  const app = await build({
    csp: "  default-src 'self' ;SCRIPT-SRC  'self'   https://cdn.example;; upgrade-insecure-requests ",
  })
  t.equal(
    (await app.inject('/')).headers['content-security-policy'],
    "default-src 'self'; script-src 'self' https://cdn.example; upgrade-insecure-requests",
  )
})

t.test('report-only alone, and both at once as two independent policies', async (t) => {
  const reportOnly = await build({ cspReportOnly: { 'default-src': ["'self'"], 'report-to': ['csp'] } })
  const alone = await reportOnly.inject('/')
  t.notOk('content-security-policy' in alone.headers)
  t.equal(alone.headers['content-security-policy-report-only'], "default-src 'self'; report-to csp")

  const both = await build({ csp: SEED_CSP_DIRECTIVES, cspReportOnly: "default-src 'none'; report-uri /csp-reports" })
  const response = await both.inject('/')
  t.equal(response.headers['content-security-policy'], SEED_CSP)
  t.equal(response.headers['content-security-policy-report-only'], "default-src 'none'; report-uri /csp-reports")
})

t.test('buildCsp and parseCsp', async (t) => {
  t.equal(buildCsp(SEED_CSP_DIRECTIVES), SEED_CSP)
  t.equal(buildCsp("default-src 'self';img-src data:"), "default-src 'self'; img-src data:")
  const parsed = parseCsp("default-src 'self'; upgrade-insecure-requests")
  t.same(parsed, { 'default-src': ["'self'"], 'upgrade-insecure-requests': [] })
  t.equal(
    buildCsp({ ...parsed, 'img-src': ["'self'", 'data:'] }),
    "default-src 'self'; upgrade-insecure-requests; img-src 'self' data:",
  )
  t.throws(() => buildCsp({ 'default-src': ['self'] }), { code: 'RAMPART_HEADERS_INVALID_OPTION' })
  t.throws(() => parseCsp(42 as unknown as string), { code: 'RAMPART_HEADERS_INVALID_OPTION' })
  t.ok(Object.isFrozen(SEED_CSP_DIRECTIVES) && Object.isFrozen(SEED_CSP_DIRECTIVES['default-src']))
})

t.test('the grammars of the non-source directives', async (t) => {
  const policy = {
    'default-src': ["'none'"],
    sandbox: ['allow-scripts', 'allow-forms'],
    'report-uri': ['/csp', 'https://reports.example/csp'],
    'require-trusted-types-for': ["'script'"],
    'trusted-types': ['app-policy', "'allow-duplicates'"],
    webrtc: ["'block'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'", 'https://pay.example'],
    'frame-ancestors': ["'self'", 'https://*.partner.example:8443'],
    'script-src': ["'sha256-abc+/=='", "'nonce-static'", "'strict-dynamic'"],
    'img-src': ['*', 'blob:', 'https://img.example/path/'],
  }
  t.equal(
    buildCsp(policy),
    "default-src 'none'; sandbox allow-scripts allow-forms; report-uri /csp https://reports.example/csp; require-trusted-types-for 'script'; trusted-types app-policy 'allow-duplicates'; webrtc 'block'; base-uri 'self'; form-action 'self' https://pay.example; frame-ancestors 'self' https://*.partner.example:8443; script-src 'sha256-abc+/==' 'nonce-static' 'strict-dynamic'; img-src * blob: https://img.example/path/",
  )
  t.equal(buildCsp({ 'default-src': ["'self'"], sandbox: true }), "default-src 'self'; sandbox")
})
