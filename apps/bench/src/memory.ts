/**
 * The in-memory limiter under a million clients, in a process of its own:
 * `node --expose-gc --import tsx src/memory.ts [--clients N]` prints one JSON line (MemoryResult).
 *
 * 1. Fills @rampart/rate-limit's default memory store (the plugin's default minute + hour policies,
 *    `maxClients` = N) with N distinct clients, keyed as the plugin keys them (`hashClientKey`), and
 *    measures the heap and typed-array bytes it holds per client after a full GC.
 * 2. Sends N/4 more distinct clients: the store must stay within its cap (it evicts).
 * 3. Moves its clock two hours on, so every client is idle, and keeps 1,000 clients busy until the
 *    idle ones are released, measuring the event loop's delay (`monitorEventLoopDelay`) and GC
 *    pauses meanwhile: expiry must never stall the loop.
 * Requests are simulated in batches of 1,000 `consume` calls per turn of the event loop.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { hashClientKey, type MemoryStore, type PolicySet, resolveOptions } from '@rampart/rate-limit'
import { HIGH_LIMIT } from './token.js'

export interface DelayStats {
  readonly seconds: number
  /** Longest event-loop delay seen, ms (`monitorEventLoopDelay`, 1 ms resolution). */
  readonly maxDelayMs: number
  readonly p99DelayMs: number
  /** Longest GC pause, ms (`PerformanceObserver` `gc` entries, wall time). */
  readonly maxGcPauseMs: number
  /**
   * Longest synchronous turn (one batch of 1,000 lookups, GC pauses inside it included) in CPU
   * time of the main thread, ms (Linux `/proc/thread-self/schedstat`; elsewhere the whole process's
   * `cpuUsage`). Unlike the wall-clock figures above, not inflated while the thread waits for a
   * core other processes hold.
   */
  readonly longestTurnCpuMs: number
  /** Clients tracked after that turn. */
  readonly longestTurnAt: number
  /** The longest time one turn spent waiting for a core (run queue), ms; 0 where not measurable. */
  readonly longestRunQueueWaitMs: number
}

export interface MemoryResult {
  /** `maxClients` of the store. */
  readonly cap: number
  /** Distinct clients sent in all (the cap plus a quarter). */
  readonly distinctClients: number
  /** Clients tracked when the cap was first reached. */
  readonly trackedAtFull: number
  /** (heapUsed + external) growth / tracked clients, after a full GC. */
  readonly bytesPerClient: number
  /** The store's own count of its slab bytes (`stats().bytes`), per client. */
  readonly slabBytesPerClient: number
  /** Most clients ever tracked at once. */
  readonly maxTracked: number
  /** Clients evicted while their state still mattered. */
  readonly evictions: number
  readonly fill: DelayStats
  readonly expiry: DelayStats & {
    readonly clientsBefore: number
    readonly clientsAfter: number
    readonly lookups: number
  }
}

const BATCH = 1000

declare const gc: (() => void) | undefined

function collect(): void {
  if (typeof gc !== 'function') throw new Error('run with --expose-gc')
  gc()
  gc()
}

function heldBytes(): number {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

/** Client `i` as the plugin keys an IPv4 client. */
function clientKey(i: number): string {
  return hashClientKey(`ip:${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`)
}

/** The main thread's on-CPU and run-queue times, ns (Linux), or the process's CPU time elsewhere. */
function threadTimes(): { cpu: number; wait: number } {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')
    return { cpu: Number(cpu), wait: Number(wait) }
  } catch {
    const usage = process.cpuUsage()
    return { cpu: (usage.user + usage.system) * 1000, wait: 0 }
  }
}

class DelayWatch {
  readonly #histogram = monitorEventLoopDelay({ resolution: 1 })
  readonly #observer: PerformanceObserver
  #gcMax = 0
  #started = 0
  #turnMax = 0
  #turnAt = 0
  #waitMax = 0
  #turnStart = { cpu: 0, wait: 0 }

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#gcMax = Math.max(this.#gcMax, entry.duration)
    })
  }

  start(): void {
    this.#histogram.reset()
    this.#histogram.enable()
    this.#observer.observe({ entryTypes: ['gc'] })
    this.#gcMax = 0
    this.#turnMax = 0
    this.#turnAt = 0
    this.#waitMax = 0
    this.#started = performance.now()
  }

  /** Around each synchronous batch. */
  turnStart(): void {
    this.#turnStart = threadTimes()
  }

  turnEnd(clients: () => number): void {
    const end = threadTimes()
    const cpu = (end.cpu - this.#turnStart.cpu) / 1e6
    if (cpu > this.#turnMax) {
      this.#turnMax = cpu
      this.#turnAt = clients()
    }
    this.#waitMax = Math.max(this.#waitMax, (end.wait - this.#turnStart.wait) / 1e6)
  }

  stop(): DelayStats {
    this.#histogram.disable()
    this.#observer.disconnect()
    const round = (value: number) => Math.round(value * 100) / 100
    return {
      seconds: round((performance.now() - this.#started) / 1000),
      maxDelayMs: round(this.#histogram.max / 1e6),
      p99DelayMs: round(this.#histogram.percentile(99) / 1e6),
      maxGcPauseMs: round(this.#gcMax),
      longestTurnCpuMs: round(this.#turnMax),
      longestTurnAt: this.#turnAt,
      longestRunQueueWaitMs: round(this.#waitMax),
    }
  }
}

export async function measureMemory(cap: number): Promise<MemoryResult> {
  let clock = Date.UTC(2030, 0, 1)
  collect()
  const before = heldBytes()
  const settings = resolveOptions({ perMinute: HIGH_LIMIT, perHour: HIGH_LIMIT, maxClients: cap, now: () => clock })
  const store = settings.store as MemoryStore
  const set: PolicySet = { scope: 'rl:memory-test', policies: settings.policies }
  store.register(set)
  const sets = [set]
  const tracked = () => store.stats().reduce((sum, table) => sum + table.clients, 0)
  const watch = new DelayWatch()

  watch.start()
  let next = 0
  while (next < cap) {
    const end = Math.min(cap, next + BATCH)
    watch.turnStart()
    for (; next < end; next++) store.consume(clientKey(next), sets)
    watch.turnEnd(tracked)
    clock += 1
    await nextTurn()
  }
  const fill = watch.stop()
  collect()
  const trackedAtFull = tracked()
  const bytesPerClient = Math.round((heldBytes() - before) / trackedAtFull)
  const slabBytesPerClient = Math.round(store.stats().reduce((sum, table) => sum + table.bytes, 0) / trackedAtFull)

  let maxTracked = trackedAtFull
  const distinctClients = cap + Math.ceil(cap / 4)
  while (next < distinctClients) {
    const end = Math.min(distinctClients, next + BATCH)
    for (; next < end; next++) store.consume(clientKey(next), sets)
    clock += 1
    maxTracked = Math.max(maxTracked, tracked())
    await nextTurn()
  }

  // Every client idle: the busy ones release them a few per lookup.
  clock += 2 * 3600_000 + 60_000
  const clientsBefore = tracked()
  const busy = Array.from({ length: BATCH }, (_, i) => clientKey(distinctClients + i))
  let lookups = 0
  watch.start()
  while (tracked() > BATCH && lookups < 4 * distinctClients) {
    watch.turnStart()
    for (const key of busy) store.consume(key, sets)
    watch.turnEnd(tracked)
    lookups += BATCH
    clock += 1
    await nextTurn()
  }
  const expiry = watch.stop()
  const clientsAfter = tracked()
  const evictions = store.stats().reduce((sum, table) => sum + table.evictions, 0)
  store.close()
  return {
    cap,
    distinctClients,
    trackedAtFull,
    bytesPerClient,
    slabBytesPerClient,
    maxTracked,
    evictions,
    fill,
    expiry: { ...expiry, clientsBefore, clientsAfter, lookups },
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { clients: { type: 'string' } } })
  const clients = Number(values.clients ?? 1_000_000)
  if (!Number.isInteger(clients) || clients < BATCH) throw new Error(`--clients must be an integer >= ${BATCH}`)
  process.stdout.write(`${JSON.stringify(await measureMemory(clients))}\n`)
}
