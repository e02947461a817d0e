import t from 'tap'
import { LoadShedder, resolveOptions } from '../src/index.js'

// The shedding level's hysteresis, fed samples by hand: up at once, down only below the lower
// thresholds, so a signal hovering around `shed` does not make the level flap.

const MB = 1024 * 1024
const shedding = resolveOptions({
  shedding: {
    eventLoopDelay: { shed: 500, shedAll: 2000, recover: 200 },
    eventLoopUtilization: { shed: 0.98, recover: 0.9 },
    heapUsed: { shed: 900 * MB, shedAll: 950 * MB, recover: 850 * MB },
  },
}).shedding
if (shedding === undefined) throw new Error('shedding is on')

const sample = (eventLoopDelayMs: number, utilization = 0.1, heapUsedBytes = 100 * MB) => ({
  eventLoopDelayMs,
  utilization,
  heapUsedBytes,
})

t.test('event-loop delay: up at shed and shedAll, down only below the lower thresholds', async (t) => {
  const shedder = new LoadShedder(shedding)
  const steps: [number, number][] = [
    [100, 0],
    [499, 0],
    [500, 1], // enters at shed
    [300, 1], // between recover and shed: stays
    [499, 1],
    [2000, 2], // shedAll: everyone
    [1500, 2], // below shedAll but above shed: stays at 2
    [450, 1], // below shed: back to anonymous only
    [600, 1], // above shed again, but below shedAll: 1
    [199, 0], // below recover: done
    [300, 0], // between recover and shed: stays off
  ]
  for (const [delay, level] of steps) {
    shedder.update(sample(delay), 0)
    t.equal(shedder.level, level, `delay ${delay} -> level ${level}`)
  }
})

t.test('from 2 straight to 0 when everything is below recover; reasons name the signal', async (t) => {
  const shedder = new LoadShedder(shedding)
  t.equal(shedder.update(sample(2500), 10), true)
  t.equal(shedder.reason, 'event-loop-delay')
  t.equal(shedder.since, 10)
  t.equal(shedder.update(sample(2400), 20), false, 'no change, no event')
  t.equal(shedder.update(sample(10), 30), true)
  t.equal(shedder.level, 0)
  t.equal(shedder.reason, 'recovered')
  t.equal(shedder.since, 30)
})

t.test('any signal starts shedding; every signal must recover', async (t) => {
  const shedder = new LoadShedder(shedding)
  shedder.update(sample(10, 0.99), 0)
  t.equal(shedder.level, 1)
  t.equal(shedder.reason, 'event-loop-utilization')
  shedder.update(sample(10, 0.95, 960 * MB), 0)
  t.equal(shedder.level, 2, 'the heap above shedAll')
  t.equal(shedder.reason, 'heap-used')
  shedder.update(sample(10, 0.95, 870 * MB), 0)
  t.equal(shedder.level, 1, 'nothing above shed: down to 1')
  t.equal(shedder.reason, 'event-loop-utilization', 'named by the first signal still above recover')
  shedder.update(sample(10, 0.5, 870 * MB), 0)
  t.equal(shedder.level, 1, 'the heap has not recovered')
  t.equal(shedder.reason, 'event-loop-utilization', 'a level that does not change keeps its reason')
  shedder.update(sample(10, 0.5, 800 * MB), 0)
  t.equal(shedder.level, 0)
})

t.test('utilisation never sheds everyone by default (shedAll: false)', async (t) => {
  const shedder = new LoadShedder(shedding)
  shedder.update(sample(10, 1), 0)
  t.equal(shedder.level, 1)
  t.equal(resolveOptions().shedding?.eventLoopUtilization?.shedAll, Number.POSITIVE_INFINITY)
})

t.test('ignored signals are not looked at', async (t) => {
  const shedder = new LoadShedder({
    eventLoopDelay: undefined,
    eventLoopUtilization: undefined,
    heapUsed: shedding.heapUsed,
  })
  shedder.update(sample(100_000, 1), 0)
  t.equal(shedder.level, 0)
})
