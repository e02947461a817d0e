import t from 'tap'
import { sqlComments } from '../src/decode.js'
import { matchingRules, PATTERN_RULES } from '../src/index.js'
import { adversarialValues } from './fixtures/adversarial.js'

/**
 * Catastrophic backtracking: every rule (and the SQL comment pass) over inputs built to make a
 * backtracking engine work hard, at the default maxValueLength. The rules run in linear time
 * (about 0.2 ms per 4 KiB value at worst, measured); the bound below is 100 times that, so that
 * a loaded machine cannot fail it while a quadratic or exponential pattern (seconds) still does.
 */
const BOUND_MS = 25

function bestOf(runs: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    fn()
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6)
  }
  return best
}

t.test('no rule backtracks catastrophically on adversarial 4 KiB values', async (t) => {
  const values = adversarialValues()
  const checks: [string, (value: string) => unknown][] = [
    ...PATTERN_RULES.map(
      (rule) => [rule.id, (value: string) => rule.pattern.exec(value)] as [string, (v: string) => unknown],
    ),
    ['sqlComments', sqlComments],
  ]
  for (const [, check] of checks) for (let i = 0; i < 20; i++) check(`warm up ${i} ' or 1=1 <a onx=1>`)
  const slow: string[] = []
  let worst = 0
  for (const value of values) {
    for (const [id, check] of checks) {
      const ms = bestOf(2, () => check(value))
      worst = Math.max(worst, ms)
      if (ms > BOUND_MS) slow.push(`${id} ${ms.toFixed(1)} ms on ${JSON.stringify(value.slice(0, 24))}...`)
    }
  }
  t.comment(`${values.length} values x ${checks.length} checks; slowest ${worst.toFixed(2)} ms`)
  t.same(slow, [])
})

t.test('the whole inspection of an adversarial value, every form included, stays linear', async (t) => {
  const values = adversarialValues()
  for (let i = 0; i < 10; i++) matchingRules(`q=warm ' or 1=1 ${i}`, 'query')
  const slow = values.filter((value) => bestOf(2, () => matchingRules(value, 'body')) > BOUND_MS * 4)
  t.same(
    slow.map((value) => JSON.stringify(value.slice(0, 24))),
    [],
  )
})
