import diagnosticsChannel from 'node:diagnostics_channel'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineRefusal, type Identity, problemRepliesPlugin, sendProblem } from '@rampart/core'
import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import rampartMetrics, { type MetricsOptions, SUBSCRIBED_CHANNELS } from '../src/index.js'
import { exposedNames, scrape } from './fixtures/exposition.js'
import { dashboardQueries, metricNamesIn, readRules, withoutGrafanaVariables } from './fixtures/promql.js'
import { promtool, promtoolAvailable } from './fixtures/promtool.js'

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url))
const RULES = join(DOCS, 'prometheus-rules.yml')
const DASHBOARD = join(DOCS, 'grafana-dashboard.json')
/** Grafana's reference to the dashboard's datasource variable. */
const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('')
const RULE_TESTS = fileURLToPath(new URL('./fixtures/prometheus-rules.test.yml', import.meta.url))

const skip = promtoolAvailable()
  ? false
  : 'promtool not found: install Debian\'s "prometheus" package (/usr/bin/promtool) or set PROMTOOL'

const TOO_LARGE = defineRefusal('content-guard', 'TOO_LARGE', 413, 'Content Too Large')
const publish = (name: string, message: unknown): void => diagnosticsChannel.channel(name).publish(message)

/** An app with every series of the plugin populated, the Node.js default metrics included. */
async function busyApp(options: MetricsOptions = {}) {
  const app = Fastify()
  await app.register(problemRepliesPlugin)
  await app.register(rampartMetrics, { defaultMetrics: true, ...options })
  const user: Identity = { id: 'u', kind: 'user', scopes: [] }
  app.get('/api/users/:id', async () => ({ ok: true }))
  // a pattern with a backslash and a quote-free regex: label escaping in the exposition
  app.get('/files/:name(^\\d+)', async () => 'file')
  app.post('/api/upload', async (_request, reply) => sendProblem(reply, TOO_LARGE))
  app.get('/api/events', async (request: FastifyRequest) => {
    request.identity = user
    publish(SUBSCRIBED_CHANNELS.rateLimitExceeded, { request, shadow: false })
    publish(SUBSCRIBED_CHANNELS.rateLimitExceeded, { request, shadow: true })
    publish(SUBSCRIBED_CHANNELS.authAuthenticated, { request, strategy: 'jwt', identity: user })
    publish(SUBSCRIBED_CHANNELS.authFailed, { request, strategy: null, reason: 'missing' })
    publish(SUBSCRIBED_CHANNELS.shieldDetected, { request, type: 'sql_injection', severity: 'high', mode: 'monitor' })
    publish(SUBSCRIBED_CHANNELS.circuitBreakerState, { request, route: '/api/pay', from: 'closed', to: 'open' })
    publish(SUBSCRIBED_CHANNELS.ddosShedding, { request, active: true })
    return 'events'
  })
  app.get('/boom', async () => {
    throw new Error('boom')
  })
  await app.inject('/api/users/1')
  await app.inject({ method: 'HEAD', url: '/api/users/2' })
  await app.inject('/files/42')
  await app.inject({ method: 'POST', url: '/api/upload' })
  await app.inject('/api/events')
  await app.inject('/boom')
  await app.inject('/not/a/route')
  return app
}

t.test('the exposition passes promtool check metrics', { skip }, async (t) => {
  for (const options of [{}, { prefix: 'shop_' }] as MetricsOptions[]) {
    const app = await busyApp(options)
    t.teardown(() => app.close())
    const { text } = await scrape(app)
    for (const name of ['http_requests_total', 'rampart_refusals_total', 'security_violations_total', 'process_cpu']) {
      t.match(text, new RegExp(`^${options.prefix ?? ''}${name}\\S*\\{?.* \\d`, 'm'), `${name} has samples`)
    }
    t.match(text, /route="\/files\/:name\(\^\\\\d\+\)"/, 'the backslash is escaped')
    const result = promtool(['check', 'metrics'], text)
    t.equal(result.status, 0, result.output || `clean with ${JSON.stringify(options)}`)
  }
})

t.test('the promtool check can fail: a broken exposition is refused', { skip }, async (t) => {
  const broken = '# HELP requests no suffix\n# TYPE requests counter\nrequests 1\n'
  const result = promtool(['check', 'metrics'], broken)
  t.not(result.status, 0)
  t.match(result.output, /_total/)
})

t.test('docs/prometheus-rules.yml passes promtool check rules and its unit tests', { skip }, async (t) => {
  const check = promtool(['check', 'rules', RULES])
  t.equal(check.status, 0, check.output)
  t.match(check.output, /SUCCESS: \d+ rules found/)
  const tests = promtool(['test', 'rules', RULE_TESTS])
  t.equal(tests.status, 0, tests.output)
})

t.test('every dashboard query is valid PromQL (checked by promtool as recording rules)', { skip }, async (t) => {
  const queries = dashboardQueries(JSON.parse(readFileSync(DASHBOARD, 'utf8')))
  const directory = mkdtempSync(join(tmpdir(), 'rampart-metrics-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const rules = queries
    .filter((query) => !query.startsWith('label_values('))
    .map(
      (query, i) =>
        `      - record: dashboard:query:${i}\n        expr: ${JSON.stringify(withoutGrafanaVariables(query))}`,
    )
  const file = join(directory, 'dashboard-rules.yml')
  writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`)
  const result = promtool(['check', 'rules', file])
  t.equal(result.status, 0, result.output)
  t.ok(rules.length >= 10, `${rules.length} panel queries checked`)
})

t.test('every metric the dashboard and the rules read is exposed by the plugin or recorded by a rule', async (t) => {
  const app = await busyApp({ defaultMetrics: false })
  t.teardown(() => app.close())
  const exposed = exposedNames((await scrape(app)).text)
  const rules = readRules(readFileSync(RULES, 'utf8'))
  const recorded = new Set(rules.filter((rule) => rule.kind === 'record').map((rule) => rule.name))
  t.ok(rules.length >= 15, `${rules.length} rules read`)
  for (const name of recorded) t.match(name, /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/, `${name} is level:metric:operations`)

  const used = new Map<string, string>()
  for (const rule of rules) for (const name of metricNamesIn(rule.expr)) used.set(name, `rule ${rule.name}`)
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'))
  for (const query of dashboardQueries(dashboard))
    for (const name of metricNamesIn(query)) used.set(name, `dashboard: ${query}`)

  for (const [name, where] of used) t.ok(exposed.has(name) || recorded.has(name), `${name} (${where}) exists`)
  for (const required of [
    'http_requests_total',
    'http_request_duration_seconds_bucket',
    'rampart_refusals_total',
    'rate_limit_hits_total',
    'auth_attempts_total',
  ]) {
    t.ok(
      dashboardQueries(dashboard).some((query) => metricNamesIn(query).has(required)),
      `the dashboard shows ${required}`,
    )
  }
})

t.test('the dashboard is an importable Grafana dashboard', async (t) => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'))
  t.type(dashboard.title, 'string')
  t.type(dashboard.uid, 'string')
  t.type(dashboard.schemaVersion, 'number')
  const ids = new Set<number>()
  for (const panel of dashboard.panels) {
    t.notOk(ids.has(panel.id), `panel id ${panel.id} is unique`)
    ids.add(panel.id)
    if (panel.type === 'row') continue
    t.ok(panel.targets.length > 0, `${panel.title} has a query`)
    for (const target of panel.targets)
      t.equal(target.datasource.uid, DATASOURCE_VARIABLE, `${panel.title} uses the datasource variable`)
  }
  t.ok(dashboard.templating.list.some((variable: { name: string; type: string }) => variable.type === 'datasource'))
})

t.test('metricNamesIn reads the names of the shapes we write, and only those', async (t) => {
  const names = (expression: string) => [...metricNamesIn(expression)].sort()
  t.same(names('rate(http_requests_total[5m])'), ['http_requests_total'])
  t.same(
    names(
      'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))',
    ),
    ['http_request_duration_seconds_bucket'],
  )
  t.same(names('sum(rate(a_total{status=~"5.."}[5m])) / sum(rate(b_total[5m])) > 0.05'), ['a_total', 'b_total'])
  t.same(names('job:http_requests:rate5m > bool 1 and on (job) up offset 5m'), ['job:http_requests:rate5m', 'up'])
  t.same(names('sum(x) by (route) * 1e3'), ['x'])
  t.same(names('label_values(http_requests_total, job)'), ['http_requests_total'])
  t.same(names('max by (job) (rampart_ddos_shedding) == 1'), ['rampart_ddos_shedding'])
  t.same(names('count(nonexistent_metric_total{a="rate(x[5m])"})'), ['nonexistent_metric_total'])
})

t.test('readRules refuses what it cannot read', async (t) => {
  t.throws(() => readRules('  - record: a:b:c\n    expr: |\n      sum(x)\n'), /keep expr on one line/)
  t.throws(() => readRules('  - alert: A\n    labels: {}\n'), /has no expr/)
  t.same(readRules("  - alert: A\n    expr: 'up == 0'\n"), [{ kind: 'alert', name: 'A', expr: 'up == 0' }])
})
