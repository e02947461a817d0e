import Fastify from 'fastify'
import t from 'tap'
import rampartShield, {
  BUILT_IN_RULES,
  type BuiltInRuleId,
  type CustomRule,
  type DetectedEvent,
  detectedChannel,
  type ShieldOptions,
  type ShieldRouteOptions,
  type SlowRequestEvent,
} from '../src/index.js'

// Compile-time checks: `tsc` (the typecheck task) fails on any line below that stops holding.

const options: ShieldOptions = {
  mode: 'block',
  rules: { sqli: { mode: 'monitor' }, 'xss-embedding-tag': false, 'slow-request': { severity: 'medium' } },
  customRules: [{ id: 'x', type: 'xss', pattern: /x/, locations: ['query'] } satisfies CustomRule],
  headers: ['user-agent'],
  body: true,
  now: () => performance.now(),
}
// @ts-expect-error an unknown mode
const badMode: ShieldOptions = { mode: 'deny' }
// @ts-expect-error a custom rule's type is one of the four pattern types
const badCustom: CustomRule = { id: 'x', type: 'user-agent', pattern: 'x' }
const route: ShieldRouteOptions = { mode: 'monitor', rules: { sqli: false }, body: false }
// @ts-expect-error a location that does not exist
const badLocation: DetectedEvent['location'] = 'cookie'

function onDetected(event: DetectedEvent): string {
  return `${event.request.id} ${event.rule} ${event.type} ${event.severity} ${event.mode} ${event.location} ${event.sample} ${event.field ?? ''} ${event.encoding ?? ''}`
}
function onSlow(event: SlowRequestEvent): string {
  return `${event.request.id} ${event.durationMs} ${event.route}`
}

t.test('BuiltInRuleId lists exactly the built-in rules', async (t) => {
  const ids: Record<BuiltInRuleId, true> = {
    'sqli-union-select': true,
    'sqli-tautology': true,
    'sqli-blind-subquery': true,
    'sqli-comment': true,
    'sqli-stacked-query': true,
    'sqli-function': true,
    'xss-script-tag': true,
    'xss-event-handler': true,
    'xss-script-url': true,
    'xss-embedding-tag': true,
    'xss-script-api': true,
    'path-traversal-sequence': true,
    'path-traversal-body': true,
    'path-traversal-file': true,
    'path-traversal-dotfile': true,
    'command-injection-chained': true,
    'command-injection-newline': true,
    'command-injection-backtick': true,
    'command-injection-shell': true,
    'user-agent-missing': true,
    'user-agent-oversized': true,
    'origin-mismatch': true,
    'slow-request': true,
  }
  t.same(Object.keys(ids).sort(), BUILT_IN_RULES.map((rule) => rule.id).sort())
})

t.test('the public types are what a user writes', async (t) => {
  const app = Fastify()
  await app.register(rampartShield, { ...options, logLevel: 'silent' })
  app.get('/off', { config: { rampart: { shield: false } } }, async () => 'off')
  app.get('/on', { config: { rampart: { shield: route } } }, async () => 'on')
  await app.ready()
  t.ok(typeof onDetected === 'function' && typeof onSlow === 'function')
  t.equal(typeof detectedChannel.subscribe, 'function')
  t.ok(BUILT_IN_RULES.every((rule) => rule.id.length > 0 && rule.severity !== undefined))
  t.same([badMode, badCustom, badLocation].length, 3)
})
