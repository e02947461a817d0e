import { type Cluster, Redis } from 'ioredis'
import { storeStateChannel } from '../diagnostics.js'
import type { PolicySet } from '../policy.js'
import type { ConsumeResult, RateLimitStore } from '../store.js'
import { type BreakerState, CircuitBreaker } from './circuit-breaker.js'
import { DeadlineError, DeadlineQueue } from './deadline.js'
import { InsuranceLimiter } from './insurance-limiter.js'
import { type CallPlan, callArguments, callPlan, decodeReply } from './redis-call-plan.js'
import { RATE_LIMIT_SCRIPT, RATE_LIMIT_SCRIPT_SHA } from './redis-script.js'
import {
  type BufferScripting,
  type RedisClient,
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
  redisStoreValidator,
  resolveRedisStoreOptions,
} from './redis-store-options.js'

/** The client the store creates from a URL: nothing queued, retried or resent behind its back. */
function createClient(url: string): Redis {
  return new Redis(url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  })
}

function describeFailure(error: unknown): string {
  if (error instanceof DeadlineError) return 'timeout'
  return error instanceof Error ? error.message : String(error)
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/** Resolves when `client` is ready, has ended, or `ms` have passed; never rejects. */
function whenReady(client: RedisClient, ms: number): Promise<void> {
  if (client.status === 'ready' || ms === 0) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      client.off('ready', done)
      client.off('end', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    client.once('ready', done)
    client.once('end', done)
  })
}

/**
 * The shared store: every request is ONE `EVALSHA` of `RATE_LIMIT_SCRIPT`, which decides every
 * policy of every set at the Redis server's time, all-or-nothing. Around it: a deadline per call,
 * a circuit breaker, and an in-memory insurance limiter that decides while Redis cannot (each
 * instance enforcing its share of every limit), so a lost or slow Redis never stalls or fails a
 * request, and shared limiting resumes by itself when Redis is back.
 */
export class RedisStore implements RateLimitStore {
  readonly shared = true
  readonly name: string
  readonly client: RedisClient
  readonly #options: ResolvedRedisStoreOptions
  readonly #ownClient: boolean
  readonly #plans = new WeakMap<readonly PolicySet[], CallPlan>()
  readonly #breaker: CircuitBreaker
  readonly #deadlines: DeadlineQueue
  readonly #insurance: InsuranceLimiter
  /** Commands sent and not yet answered (including those past their deadline). */
  #pending = 0
  #loading: Promise<void> | undefined
  #closed = false

  constructor(options: RedisStoreOptions) {
    const resolved = resolveRedisStoreOptions(redisStoreValidator, options)
    this.#options = resolved
    this.name = resolved.name
    this.#ownClient = resolved.client === undefined
    this.client = resolved.client ?? createClient(resolved.url as string)
    // A client we created is ours to watch; its errors also reach the breaker through the calls.
    if (this.#ownClient) this.client.on('error', () => {})
    this.#deadlines = new DeadlineQueue(resolved.timeout)
    this.#breaker = new CircuitBreaker({
      failures: resolved.breakerFailures,
      cooldownMs: resolved.breakerCooldown,
      now: () => performance.now(),
      onChange: (state, previous, reason, failures) => this.#publish(state, previous, reason, failures),
    })
    this.#insurance = new InsuranceLimiter({
      instances: resolved.instances,
      failureMode: resolved.failureMode,
      maxClients: resolved.maxClients,
      now: resolved.now,
    })
  }

  /** The circuit breaker's state: `closed` while Redis decides. */
  get state(): BreakerState {
    return this.#breaker.state
  }

  /** Commands awaiting Redis now. */
  get pending(): number {
    return this.#pending
  }

  register(set: PolicySet): void {
    this.#insurance.register(set)
  }

  consume(client: string, sets: readonly PolicySet[]): ConsumeResult | Promise<ConsumeResult> {
    if (this.#closed || !this.#breaker.acquire()) return this.#insure(client, sets)
    if (this.client.status !== 'ready') return this.#fail('not connected', client, sets)
    if (this.#pending >= this.#options.maxPending) return this.#fail('too many pending calls', client, sets)
    return this.#call(client, sets)
  }

  /** Connects a lazy client, waits up to `readyTimeout` for it, and loads the script. Never rejects. */
  async ready(): Promise<void> {
    if (this.client.status === 'wait') this.client.connect().catch(() => {})
    await whenReady(this.client, this.#options.readyTimeout)
    if (this.client.status !== 'ready') return
    try {
      await this.#load()
    } catch {
      // Loaded again on the first NOSCRIPT; an unreachable Redis is the breaker's business.
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#deadlines.clear()
    this.#insurance.close()
    if (!this.#ownClient) return
    const client = this.client
    if (client.status !== 'ready') {
      // Not connected (or reconnecting): nothing to say goodbye to, and QUIT would not be sent.
      client.disconnect()
      return
    }
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000)
      client.once('end', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    try {
      await client.quit()
    } catch {
      client.disconnect()
    }
    await ended
  }

  #plan(sets: readonly PolicySet[]): CallPlan {
    let plan = this.#plans.get(sets)
    if (plan === undefined) {
      plan = callPlan(sets)
      this.#plans.set(sets, plan)
    }
    return plan
  }

  async #call(client: string, sets: readonly PolicySet[]): Promise<ConsumeResult> {
    const plan = this.#plan(sets)
    const now = this.#options.clock === 'caller' ? String(this.#options.now()) : ''
    try {
      const reply = await this.#deadlines.race(this.#send(plan.keyHeads.length, callArguments(plan, client, now)))
      const result = decodeReply(plan, reply)
      this.#breaker.success()
      return result
    } catch (error) {
      return this.#fail(describeFailure(error), client, sets)
    }
  }

  /** EVALSHA; on NOSCRIPT (Redis restarted, SCRIPT FLUSH, a new cluster node) loads once and retries once. */
  #send(keys: number, args: (string | Buffer)[]): Promise<unknown> {
    this.#pending++
    // The reply is packed doubles: binary, so the Buffer variant (no UTF-8 decoding).
    const client = this.client as unknown as BufferScripting
    const call = client.evalshaBuffer(RATE_LIMIT_SCRIPT_SHA, keys, args).catch(async (error: unknown) => {
      if (!isNoScript(error)) throw error
      await this.#load()
      return client.evalshaBuffer(RATE_LIMIT_SCRIPT_SHA, keys, args)
    })
    const settled = () => {
      this.#pending--
    }
    call.then(settled, settled)
    return call
  }

  /** SCRIPT LOAD on the server (every master of a cluster), shared by concurrent callers. */
  #load(): Promise<void> {
    this.#loading ??= this.#scriptLoad().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  async #scriptLoad(): Promise<void> {
    const client = this.client
    const nodes: readonly RedisClient[] = client.isCluster ? (client as Cluster).nodes('master') : [client]
    const shas = await Promise.all(nodes.map((node) => node.script('LOAD', RATE_LIMIT_SCRIPT)))
    if (shas.some((sha) => sha !== RATE_LIMIT_SCRIPT_SHA)) {
      throw new Error('@rampart/rate-limit: Redis returned another SHA-1 for the rate-limit script')
    }
  }

  #fail(reason: string, client: string, sets: readonly PolicySet[]): ConsumeResult {
    this.#breaker.failure(reason)
    return this.#insure(client, sets)
  }

  #insure(client: string, sets: readonly PolicySet[]): ConsumeResult {
    return this.#insurance.consume(client, sets, this.#breaker.retryAfterMs())
  }

  #publish(state: BreakerState, previous: BreakerState, reason: string, failures: number): void {
    const event = { store: this.name, state, previous, reason, failures }
    if (storeStateChannel.hasSubscribers) storeStateChannel.publish(event)
    const log = this.#options.log
    if (log === undefined) return
    if (state === 'open') {
      log.warn(
        event,
        `@rampart/rate-limit: store "${this.name}" unavailable (${reason}); the insurance limiter decides until it answers again`,
      )
    } else {
      log.info(event, `@rampart/rate-limit: store "${this.name}" ${state} (${reason})`)
    }
  }
}
