import fc from 'fast-check'
import t from 'tap'
import { ALGORITHMS, type AlgorithmName, type Evaluation, type PolicyParameters } from '../src/index.js'

// Property tests of every algorithm over random arrival times: the bound each one guarantees (the
// README's "Guarantees"), agreement with a naive reference model, the accuracy of Retry-After, and
// the eviction summary (`usage` + `replay`) never under-counting.

const EPS = 1e-9
const BASE = Date.UTC(2025, 0, 1)

interface Run {
  policy: PolicyParameters
  arrivals: number[]
}

const runs = fc
  .record({
    limit: fc.integer({ min: 1, max: 12 }),
    burst: fc.integer({ min: 0, max: 4 }),
    windowSeconds: fc.integer({ min: 1, max: 5 }),
    gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3000 })), {
      minLength: 1,
      maxLength: 150,
    }),
    offset: fc.integer({ min: 0, max: 10_000 }),
  })
  .map(({ limit, burst, windowSeconds, gaps, offset }): Run => {
    const arrivals: number[] = []
    let time = BASE + offset
    for (const gap of gaps) arrivals.push((time += gap))
    return { policy: { limit, capacity: limit + burst, windowMs: windowSeconds * 1000 }, arrivals }
  })

function fresh(name: AlgorithmName, policy: PolicyParameters): Float64Array {
  return new Float64Array(ALGORITHMS[name].fields(policy))
}

function evaluation(): Evaluation {
  return { allowed: false, remaining: 0, resetMs: 0, retryAfterMs: 0, used: 0 }
}

/** Feeds the arrivals through the algorithm; returns the admitted times. */
function simulate(
  name: AlgorithmName,
  { policy, arrivals }: Run,
  onStep?: (state: Float64Array, now: number, out: Evaluation) => void,
): number[] {
  const algorithm = ALGORITHMS[name]
  const state = fresh(name, policy)
  const out = evaluation()
  const admitted: number[] = []
  for (const now of arrivals) {
    algorithm.evaluate(state, 0, now, policy, true, out)
    onStep?.(state, now, out)
    if (out.allowed) {
      algorithm.consume(state, 0, now, policy)
      admitted.push(now)
    }
  }
  return admitted
}

const count = (times: readonly number[], from: number, to: number): number =>
  times.filter((time) => time > from && time <= to).length

const property = (name: string, predicate: (run: Run) => boolean | undefined) =>
  t.test(name, async (t) => {
    t.doesNotThrow(() => fc.assert(fc.property(runs, predicate), { numRuns: 300 }))
  })

property('sliding log: never more than capacity in any window (t - w, t], and refuses only when full', (run) => {
  const { capacity, windowMs } = run.policy
  const admitted: number[] = []
  simulate('sliding-log', run, (_state, now, out) => {
    const reference = count(admitted, now - windowMs, now) < capacity
    if (out.allowed !== reference) throw new Error(`at ${now}: got ${out.allowed}, reference ${reference}`)
    if (out.allowed) admitted.push(now)
  })
  for (const time of admitted) {
    if (count(admitted, time - windowMs, time) > capacity)
      throw new Error(`more than ${capacity} in window ending ${time}`)
  }
  return true
})

property(
  'fixed window: never more than capacity per aligned window, never more than 2 x capacity in any window',
  (run) => {
    const { capacity, windowMs } = run.policy
    const admitted: number[] = []
    simulate('fixed-window', run, (_state, now, out) => {
      const start = now - (now % windowMs)
      const reference = admitted.filter((time) => time >= start).length < capacity
      if (out.allowed !== reference) throw new Error(`at ${now}: got ${out.allowed}, reference ${reference}`)
      if (out.allowed) admitted.push(now)
    })
    for (const time of admitted) {
      const start = time - (time % windowMs)
      if (admitted.filter((other) => other >= start && other < start + windowMs).length > capacity) return false
      if (count(admitted, time - windowMs, time) > 2 * capacity) return false
    }
    return true
  },
)

property(
  'sliding window counter: matches the weighted estimate, capacity per aligned window, < 2 x capacity in any window',
  (run) => {
    const { capacity, windowMs } = run.policy
    const admitted: number[] = []
    simulate('sliding-window', run, (_state, now, out) => {
      const start = now - (now % windowMs)
      const current = admitted.filter((time) => time >= start).length
      const previous = admitted.filter((time) => time >= start - windowMs && time < start).length
      const estimate = previous * (1 - (now - start) / windowMs) + current
      const reference = estimate + 1 <= capacity + EPS
      if (out.allowed !== reference) throw new Error(`at ${now}: got ${out.allowed}, reference ${reference}`)
      if (out.allowed) admitted.push(now)
    })
    for (const time of admitted) {
      const start = time - (time % windowMs)
      if (admitted.filter((other) => other >= start && other < start + windowMs).length > capacity) return false
      if (count(admitted, time - windowMs, time) > 2 * capacity - 1) return false
    }
    return true
  },
)

for (const name of ['gcra', 'token-bucket'] as const) {
  property(`${name}: admits exactly when capacity + limit x t / w holds for every interval [t_i, now]`, (run) => {
    const { capacity, limit, windowMs } = run.policy
    // Both algorithms admit a request iff, for every earlier admitted t_i, the requests in
    // [t_i, now] (this one included) stay within capacity + limit * (now - t_i) / window. Instants
    // are compared to the microsecond (TIME_EPSILON), so the check allows that much slack.
    const slack = 1e-3 * (limit / windowMs) + 1e-9
    const admitted: number[] = []
    simulate(name, run, (_state, now, out) => {
      let worst = Number.NEGATIVE_INFINITY
      for (let i = 0; i < admitted.length; i++) {
        const inInterval = admitted.length - i + 1
        worst = Math.max(worst, inInterval - (capacity + (limit * (now - (admitted[i] as number))) / windowMs))
      }
      if (admitted.length === 0) worst = 1 - capacity
      if (out.allowed && worst > slack) throw new Error(`at ${now}: admitted ${worst} over the bound`)
      if (!out.allowed && worst <= -slack) throw new Error(`at ${now}: refused ${-worst} under the bound`)
      if (out.allowed) admitted.push(now)
    })
    return true
  })
}

property('GCRA and the token bucket agree on every request', (run) => {
  const gcra = simulate('gcra', run)
  const bucket = simulate('token-bucket', run)
  return gcra.length === bucket.length && gcra.every((time, index) => time === bucket[index])
})

for (const name of Object.keys(ALGORITHMS) as AlgorithmName[]) {
  property(`${name}: Retry-After is exact to the millisecond, and t (reset) is when remaining grows`, (run) => {
    const algorithm = ALGORITHMS[name]
    const probe = evaluation()
    simulate(name, run, (state, now, out) => {
      if (!out.allowed) {
        algorithm.evaluate(state, 0, now + out.retryAfterMs, run.policy, true, probe)
        if (!probe.allowed) throw new Error(`${name}: still refused ${out.retryAfterMs} ms later`)
        algorithm.evaluate(state, 0, now + out.retryAfterMs - 1, run.policy, true, probe)
        if (probe.allowed) throw new Error(`${name}: already allowed 1 ms before Retry-After`)
        if (out.resetMs !== out.retryAfterMs) throw new Error(`${name}: t differs from Retry-After on a refusal`)
      } else if (out.resetMs > 0) {
        // After this request is counted, remaining grows exactly at resetMs.
        const copy = Float64Array.from(state)
        algorithm.consume(copy, 0, now, run.policy)
        algorithm.evaluate(copy, 0, now + out.resetMs, run.policy, false, probe)
        if (probe.remaining <= out.remaining) throw new Error(`${name}: remaining did not grow at t`)
        algorithm.evaluate(copy, 0, now + out.resetMs - 1, run.policy, false, probe)
        if (probe.remaining > out.remaining) throw new Error(`${name}: remaining grew before t`)
      }
    })
    return true
  })

  property(`${name}: an evicted client's summary never admits more than the client would have`, (run) => {
    const algorithm = ALGORITHMS[name]
    const { policy, arrivals } = run
    const last = arrivals.at(-1) as number
    const original = fresh(name, policy)
    const out = evaluation()
    for (const now of arrivals) {
      algorithm.evaluate(original, 0, now, policy, true, out)
      if (out.allowed) algorithm.consume(original, 0, now, policy)
    }
    const usage = { units: 0, at: 0 }
    algorithm.usage(original, 0, last, policy, usage)
    const restored = fresh(name, policy)
    if (usage.units > 0) algorithm.replay(restored, 0, usage.units, usage.at, policy)
    const a = evaluation()
    const b = evaluation()
    for (let later = last; later <= last + 3 * policy.windowMs; later += 97) {
      algorithm.evaluate(original, 0, later, policy, false, a)
      algorithm.evaluate(restored, 0, later, policy, false, b)
      if (b.remaining > a.remaining)
        throw new Error(`${name}: restored has ${b.remaining} > ${a.remaining} at +${later - last}`)
    }
    return true
  })
}
