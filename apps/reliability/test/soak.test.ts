import t from 'tap'
import { LONG, writeResult } from '../src/results.js'
import { runSoak } from '../src/soak.js'

// The soak: all of Phase 3's preset with Redis at full load, 10 s here (60 s with RAMPART_LONG=1),
// after a warm-up. Heap after a forced GC once the load stopped within 10% of the start (at the
// end with the load still running it also holds the requests in flight, a few MB that vary with
// the machine's speed: reported, not asserted), no unhandled rejection, no file descriptor growth;
// the event-loop delay is reported.

const SECONDS = LONG ? 60 : 10

t.test(`soak: ${SECONDS} s at full load`, async (t) => {
  t.ok(typeof globalThis.gc === 'function', 'GC exposed (node --expose-gc)')
  const figures = await runSoak({ durationMs: SECONDS * 1000, log: (line) => t.comment(line) })
  writeResult('soak', { ...figures })
  const totals = figures.load
  t.ok(totals.requests > 100, `${totals.requests} requests, ${figures.requestsPerSecond.mean}/s`)
  t.equal(totals.clientErrors, 0, 'every request answered')
  t.notOk(
    Object.values(totals.byKind).some((statuses) => '500' in statuses),
    'no 500',
  )
  t.ok(
    figures.heapMb.retained <= 10,
    `heap after GC ${figures.heapMb.start} MB at the start, ${figures.heapMb.afterStop} MB once the load stopped (${figures.heapMb.retained}%)`,
  )
  t.comment(`heap at the end, load still running: ${figures.heapMb.end} MB (${figures.heapMb.change}%)`)
  t.ok(
    figures.fds.end <= figures.fds.start + 5,
    `file descriptors: ${figures.fds.start} at the start, ${figures.fds.end} at the end`,
  )
  t.equal(figures.unhandledRejections, 0, 'no unhandled rejection')
  t.comment(
    `event-loop delay p50 ${figures.eventLoopDelay.p50Ms} ms, p99 ${figures.eventLoopDelay.p99Ms} ms, max ${figures.eventLoopDelay.maxMs} ms`,
  )
})
