import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, DEVELOPMENT_API_KEY, loadConfig } from '../src/config.js'
import { withEnvFiles } from '../src/env-file.js'

t.test('no variables at all: development defaults at the highest phase, warnings for the random secrets', async (t) => {
  const { config, warnings } = loadConfig({})
  t.equal(config.environment, 'development')
  t.equal(config.host, '127.0.0.1')
  t.equal(config.port, 3000)
  t.same(config.rateLimit, { perMinute: 60, perHour: 1000, burst: 10, maxClients: 100_000, ipv6PrefixLength: 64 })
  t.equal(config.maxUploadSize, 52_428_800)
  t.equal(config.maxRequestSize, 1_048_576)
  t.same(config.trustedProxies, ['127.0.0.1', '::1'])
  t.same(config.cors.origins, [])
  t.equal(config.cors.credentials, true)
  t.same(config.allowedHosts, ['*'])
  t.ok(config.secretKey.length >= 32)
  t.match(warnings.join('\n'), /SECRET_KEY is not set/)
  t.match(warnings.join('\n'), /JWT_SECRET is not set: using a random one, so tokens do not survive a restart/)
  t.equal(config.jwt.algorithm, 'HS256')
  t.equal(config.jwt.expiryMinutes, 60)
  t.ok(Buffer.byteLength(config.jwt.secret) >= 32)
  t.equal(config.demoApiKey, DEVELOPMENT_API_KEY)
  t.equal(config.phase, 3)
  t.equal(
    warnings.filter((warning) => /REDIS_URL|DATABASE_URL/.test(warning)).length,
    1,
    'one warning for the fallbacks',
  )
  t.match(
    warnings.join('\n'),
    /REDIS_URL is not set: rate limits, bans and signature nonces are kept in memory.*DATABASE_URL is not set: the audit log is the JSON-lines file/,
  )
})

t.test('lists: the seed JSON form and comma-separated', async (t) => {
  const json = loadConfig({ CORS_ORIGINS: '["http://localhost:3000"]' }).config
  t.same(json.cors.origins, ['http://localhost:3000'])
  const csv = loadConfig({ CORS_ORIGINS: 'http://localhost:3000, https://app.example.com' }).config
  t.same(csv.cors.origins, ['http://localhost:3000', 'https://app.example.com'])
  const seedWildcard = loadConfig({ CORS_METHODS: '["*"]' })
  t.same(seedWildcard.config.cors.methods, ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'])
  t.match(seedWildcard.warnings.join('\n'), /CORS_METHODS contains "\*"/)
})

t.test('bad values name the variable and what was wrong', async (t) => {
  const cases: [NodeJS.ProcessEnv, RegExp][] = [
    [{ SECURITY_RATE_LIMIT_PER_MINUTE: 'abc' }, /SECURITY_RATE_LIMIT_PER_MINUTE must be a whole number, got "abc"/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ RAMPART_PHASE: '7' }, /RAMPART_PHASE must be one of 1, 2, 3/],
    [{ SECURITY_SHIELD_MODE: 'loud' }, /SECURITY_SHIELD_MODE must be "monitor" or "block"/],
    [{ GEO_BLOCKED_COUNTRIES: 'RU,Russia' }, /GEO_BLOCKED_COUNTRIES must list two-letter country codes, got "Russia"/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN must be 16 to 4096/],
    [{ SIGNING_KEYS: 'client:short' }, /SIGNING_KEYS must be id:secret pairs/],
    [{ SECURITY_DDOS_REQUEST_RATE: '-1' }, /SECURITY_DDOS_REQUEST_RATE must be a whole number/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres/],
    [{ ENVIRONMENT: 'production', SECRET_KEY: 'k'.repeat(32) }, /METRICS_TOKEN is required in production/],
    [{ JWT_ALGORITHM: 'none' }, /JWT_ALGORITHM must be HS256, HS384 or HS512, got "none"/],
    [{ JWT_ALGORITHM: 'HS512', JWT_SECRET: 'x'.repeat(40) }, /JWT_SECRET must be at least 64 bytes for HS512/],
    [{ JWT_EXPIRY_MINUTES: '0' }, /JWT_EXPIRY_MINUTES must be between 1 and/],
    [{ ENVIRONMENT: 'production', SECRET_KEY: 'k'.repeat(32) }, /JWT_SECRET is required in production/],
    [{ ENVIRONMENT: 'production', SECRET_KEY: 'k'.repeat(32) }, /DEMO_API_KEY is required in production/],
    [{ DEMO_API_KEY: 'short' }, /DEMO_API_KEY must be 32 to 256 characters/],
    [{ CORS_ORIGINS: '["http://a",' }, /CORS_ORIGINS is not a valid JSON array/],
    [{ CORS_ORIGINS: '[1]' }, /CORS_ORIGINS must be a JSON array of non-empty strings/],
    [{ ALLOWED_HOSTS: 'a,,b' }, /ALLOWED_HOSTS has an empty item/],
    [{ SECURITY_ENABLE_HSTS: 'maybe' }, /SECURITY_ENABLE_HSTS must be true or false/],
    [{ ENVIRONMENT: 'prod' }, /ENVIRONMENT must be "development" or "production"/],
    [{ ENVIRONMENT: 'production' }, /SECRET_KEY is required in production/],
    [{ ENVIRONMENT: 'production', SECRET_KEY: 'short' }, /SECRET_KEY must be at least 32 characters/],
    [{ JWT_SECRET: 'too-short' }, /JWT_SECRET must be at least 32 bytes for HS256/],
    [{ SECURITY_RATE_LIMIT_IPV6_PREFIX: '32' }, /SECURITY_RATE_LIMIT_IPV6_PREFIX must be between 48 and 128/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), ConfigError)
    try {
      loadConfig(env)
    } catch (error) {
      t.match((error as Error).message, message, JSON.stringify(env))
    }
  }
})

t.test('unknown variables with a known prefix are warned about', async (t) => {
  const { warnings } = loadConfig({ SECURITY_RATE_LIMIT_PER_MINUT: '5', CORS_ORIGIN: 'x', PATH: '/bin' })
  t.match(warnings.join('\n'), /SECURITY_RATE_LIMIT_PER_MINUT is not a variable the demo knows/)
  t.match(warnings.join('\n'), /CORS_ORIGIN is not a variable/)
  t.notMatch(warnings.join('\n'), /PATH/)
})

t.test('.env files fill what the environment lacks; the environment wins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-env-'))
  const first = join(dir, 'first.env')
  const second = join(dir, 'second.env')
  writeFileSync(first, 'PORT=4000\nSECURITY_RATE_LIMIT_BURST=3  # inline comment\n')
  writeFileSync(second, 'PORT=5000\nHOST=0.0.0.0\n')
  const env = withEnvFiles({ HOST: '127.0.0.2' }, [first, second, join(dir, 'missing.env')])
  t.equal(env.PORT, '4000', 'the first file wins over the second')
  t.equal(env.HOST, '127.0.0.2', 'the real environment wins')
  t.equal(loadConfig(env).config.rateLimit.burst, 3)
})
