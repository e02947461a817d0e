import Fastify from 'fastify'
import t from 'tap'
import rampartCors, { DEFAULTS, resolveOptions } from '../src/index.js'

t.test('dangerous or malformed options fail register with a coded error naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ origins: '*', credentials: true }, /option "origins" is '\*' with credentials: true/],
    [
      { origins: ['https://a.com', '*'] },
      /option "origins\[1\]" is '\*', which allows every origin: give origins: '\*' alone/,
    ],
    [{ origins: ['null'] }, /option "origins\[0\]" is the 'null' origin/],
    [
      { origins: [/^https:\/\/app\.example\.com/] },
      /option "origins\[0\]" must be anchored: start with \^ and end with \$/,
    ],
    [{ origins: [/https:\/\/app\.example\.com$/] }, /option "origins\[0\]" must be anchored/],
    [{ origins: [/app\.example\.com/] }, /must be anchored/],
    [{ origins: [/^https:\/\/a\.example\.com|b\.example\.com$/] }, /must be anchored: .*\(branch 1 of 2: \^https/],
    [{ origins: [/^https:\/\/a\.com$|^https:\/\/b\.com/] }, /\(branch 2 of 2: \^https:\\\/\\\/b\\\.com\)/],
    [{ origins: [/^https:\/\/a\.com\$/] }, /must be anchored/],
    [{ origins: [/^https:\/\/a\.com$/g] }, /must not use the "g" flag/],
    [{ origins: [/^https:\/\/a\.com$/y] }, /must not use the "y" flag/],
    [{ origins: [/^https:\/\/a\.com$/m] }, /must not use the "m" flag \(it unanchors/],
    [{ origins: [/^.*$/] }, /matches the 'null' origin/],
    [{ origins: [/^https?:\/\/.+$/] }, /matches any origin \(it matched "https:\/\/rampart-cors-probe\.invalid"\)/],
    [
      { origins: ['https://app.example.com/'] },
      /must be an origin without path, query or trailing slash: "https:\/\/app\.example\.com"/,
    ],
    [{ origins: ['https://app.example.com/api'] }, /without path, query or trailing slash/],
    [{ origins: ['https://app.example.com?x=1'] }, /without path, query or trailing slash/],
    [
      { origins: ['https://app.example.com:443'] },
      /must be written as browsers send it: "https:\/\/app\.example\.com"/,
    ],
    [{ origins: ['http://localhost:80'] }, /must be written as browsers send it: "http:\/\/localhost"/],
    [
      { origins: ['https://bücher.example'] },
      /must be written as browsers send it: "https:\/\/xn--bcher-kva\.example"/,
    ],
    [{ origins: ['https://*.example.com'] }, /is not a pattern: for subdomains use an anchored RegExp/],
    [{ origins: ['app.example.com'] }, /must be an origin: scheme:\/\/host\[:port\]/],
    [{ origins: ['https://'] }, /must be an origin: scheme/],
    [{ origins: ['https://user@app.example.com'] }, /must be an origin/],
    [{ origins: ['https://app.example.com:99999'] }, /is not a valid http\(s\) origin/],
    [{ origins: ['capacitor://local host'] }, /must be an origin/],
    [{ origins: ['capacitor://localhost:0'] }, /has an invalid host or port/],
    [{ origins: [`https://${'a'.repeat(300)}.com`] }, /is longer than 300 characters/],
    [{ origins: [''] }, /option "origins\[0\]" must be an origin string or a RegExp/],
    [{ origins: [42] }, /option "origins\[0\]" must be an origin string or a RegExp \(got 42\)/],
    [{ origins: 'https://app.example.com' }, /option "origins" must be '\*' or an array/],
    [{ credentials: 'yes' }, /option "credentials" must be true or false/],
    [{ methods: ['*'] }, /option "methods\[0\]" must be listed explicitly, not '\*'/],
    [{ methods: ['GET, POST'] }, /option "methods\[0\]" must be an HTTP token/],
    [{ allowedHeaders: ['Content-Type', '*'] }, /option "allowedHeaders\[1\]" must be listed explicitly/],
    [{ allowedHeaders: ['X-Bad:'] }, /option "allowedHeaders\[0\]" must be an HTTP token/],
    [{ exposedHeaders: ['*'] }, /option "exposedHeaders\[0\]" must be listed explicitly/],
    [{ exposedHeaders: 'RateLimit' }, /option "exposedHeaders" must be an array of strings/],
    [{ maxAge: -1 }, /option "maxAge" must be >= 0/],
    [{ maxAge: 86401 }, /option "maxAge" must be <= 86400/],
    [{ maxAge: 1.5 }, /option "maxAge" must be an integer/],
    [{ origin: ['https://app.example.com'] }, /option "origin" is not a known option/],
    [{ allowCredentials: true }, /option "allowCredentials" is not a known option/],
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong options
    app.register(rampartCors, options as any)
    await t.rejects(async () => app.ready(), { code: 'RAMPART_CORS_INVALID_OPTION', message }, String(message))
  }
})

t.test('defaults are those of the spec, frozen', async (t) => {
  const resolved = resolveOptions()
  t.same(resolved, {
    anyOrigin: false,
    exactOrigins: [],
    originPatterns: [],
    credentials: false,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Accept', 'Accept-Language', 'Content-Language', 'Content-Type', 'Authorization'],
    exposedHeaders: [],
    maxAge: 600,
  })
  t.ok(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.methods) && Object.isFrozen(resolved))
})

t.test('good origins are accepted and normalised; * without credentials is allowed', async (t) => {
  const pattern = /^https:\/\/(?:a|b)\.example\.com$/i
  const resolved = resolveOptions({
    origins: [
      'https://App.Example.COM',
      'https://app.example.com',
      'http://localhost:3000',
      'http://[::1]:8080',
      'capacitor://localhost',
      'chrome-extension://abcdefghijklmnop',
      pattern,
    ],
  })
  t.same(resolved.exactOrigins, [
    'https://app.example.com',
    'http://localhost:3000',
    'http://[::1]:8080',
    'capacitor://localhost',
    'chrome-extension://abcdefghijklmnop',
  ])
  t.equal(resolved.originPatterns[0], pattern, 'patterns are kept as given')
  t.equal(resolveOptions({ origins: '*' }).anyOrigin, true)
  t.equal(resolveOptions({ origins: '*', credentials: false }).anyOrigin, true)
  t.same(resolveOptions({ methods: [], allowedHeaders: [] }).methods, [])
})
