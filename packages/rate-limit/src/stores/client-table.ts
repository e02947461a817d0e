import type { Algorithm, Evaluation, Usage } from '../algorithms/algorithm.js'
import { ALGORITHMS } from '../algorithms/registry.js'
import type { Policy } from '../policy.js'
import { OverflowSketch } from './overflow-sketch.js'

const INITIAL_SLOTS = 1024
/** At most this many idle clients are released per lookup: expiry is incremental, never a sweep. */
const EXPIRE_PER_LOOKUP = 2
const NONE = -1

/**
 * The clients of one policy set, in typed-array slabs: slot `s` owns
 * `state[s * stride .. (s + 1) * stride)`, laid out as `[idleAt, (quietUntil, ...algorithmState)
 * per policy]`, plus two LRU links. A `Map` goes from the client key to its slot. Memory grows by
 * doubling up to `maxClients` slots and never beyond.
 *
 * When every slot is taken, the least recently used client is evicted; if its state still matters
 * (its `idleAt` is in the future) its usage is first folded into an `OverflowSketch`, from which any
 * client that is not in the table is restored on its next request. Eviction therefore never gives a
 * client a fresh quota.
 */
export class ClientTable {
  readonly scope: string
  readonly policies: readonly Policy[]
  readonly #algorithms: readonly Algorithm[]
  /** Offset of each policy's block inside a slot. */
  readonly #offsets: readonly number[]
  readonly #stride: number
  readonly #maxClients: number
  readonly #slots = new Map<string, number>()
  readonly #usages: Usage[]
  #capacity: number
  #state: Float64Array
  /** LRU links: towards the most recent (`#newer`) and the least recent (`#older`); free slots chain through `#older`. */
  #newer: Int32Array
  #older: Int32Array
  #keys: (string | undefined)[]
  #head = NONE
  #tail = NONE
  #free = NONE
  #highWater = 0
  #sketch: OverflowSketch | undefined
  #evictions = 0

  constructor(scope: string, policies: readonly Policy[], maxClients: number) {
    this.scope = scope
    this.policies = policies
    this.#algorithms = policies.map((policy) => ALGORITHMS[policy.algorithm])
    const offsets: number[] = []
    let stride = 1
    policies.forEach((policy, index) => {
      offsets.push(stride)
      stride += 1 + (this.#algorithms[index] as Algorithm).fields(policy)
    })
    this.#offsets = offsets
    this.#stride = stride
    this.#maxClients = maxClients
    this.#capacity = Math.min(maxClients, INITIAL_SLOTS)
    this.#state = new Float64Array(this.#capacity * stride)
    this.#newer = new Int32Array(this.#capacity)
    this.#older = new Int32Array(this.#capacity)
    this.#keys = []
    this.#usages = policies.map(() => ({ units: 0, at: 0 }))
  }

  /** Clients tracked now. */
  get size(): number {
    return this.#slots.size
  }

  /** Clients evicted while their state still mattered (their usage went to the sketch). */
  get evictions(): number {
    return this.#evictions
  }

  /** Bytes held by the slabs and the sketch (not counting the `Map`). */
  get bytes(): number {
    return this.#state.byteLength + this.#newer.byteLength + this.#older.byteLength + (this.#sketch?.bytes ?? 0)
  }

  /** Worst-case slab bytes per client: what `maxClients` multiplies. */
  get bytesPerClient(): number {
    return this.#stride * 8 + 8
  }

  /** The slot of `key`, allocated (and restored from the sketch) if it has none; marks it most recent. */
  locate(key: string, now: number): number {
    this.#expire(now)
    let slot = this.#slots.get(key)
    if (slot !== undefined) {
      this.#unlink(slot)
      this.#pushHead(slot)
      return slot
    }
    slot = this.#allocate(now)
    this.#state.fill(0, slot * this.#stride, (slot + 1) * this.#stride)
    this.#keys[slot] = key
    this.#slots.set(key, slot)
    this.#pushHead(slot)
    if (this.#sketch?.recall(key, this.#usages)) this.#restore(slot)
    return slot
  }

  evaluate(slot: number, index: number, now: number, policy: Policy, admit: boolean, out: Evaluation): void {
    const base = slot * this.#stride + (this.#offsets[index] as number)
    ;(this.#algorithms[index] as Algorithm).evaluate(this.#state, base + 1, now, policy, admit, out)
  }

  consume(slot: number, index: number, now: number, policy: Policy): void {
    const base = slot * this.#stride + (this.#offsets[index] as number)
    ;(this.#algorithms[index] as Algorithm).consume(this.#state, base + 1, now, policy)
  }

  /** True (and quiet for one window) if no near-limit event fired for this client and policy in the last window. */
  markNearLimit(slot: number, index: number, now: number, policy: Policy): boolean {
    const base = slot * this.#stride + (this.#offsets[index] as number)
    if (now < (this.#state[base] as number)) return false
    this.#state[base] = now + policy.windowMs
    return true
  }

  /** Recomputes when the slot stops mattering; call after changing it. */
  refreshIdle(slot: number): void {
    const state = this.#state
    const start = slot * this.#stride
    let idleAt = 0
    for (let index = 0; index < this.policies.length; index++) {
      const base = start + (this.#offsets[index] as number)
      const policy = this.policies[index] as Policy
      const quiet = state[base] as number
      const busy = (this.#algorithms[index] as Algorithm).idleAt(state, base + 1, policy)
      idleAt = Math.max(idleAt, quiet, busy)
    }
    state[start] = idleAt
  }

  /** Releases up to `EXPIRE_PER_LOOKUP` least recently used clients whose state no longer matters. */
  #expire(now: number): void {
    for (let i = 0; i < EXPIRE_PER_LOOKUP && this.#tail !== NONE; i++) {
      if ((this.#state[this.#tail * this.#stride] as number) > now) return
      this.#release(this.#tail)
    }
  }

  #allocate(now: number): number {
    if (this.#free !== NONE) {
      const slot = this.#free
      this.#free = this.#older[slot] as number
      return slot
    }
    if (this.#highWater < this.#capacity) return this.#highWater++
    if (this.#capacity < this.#maxClients) {
      this.#grow()
      return this.#highWater++
    }
    const victim = this.#tail
    if ((this.#state[victim * this.#stride] as number) > now) this.#fold(victim, now)
    this.#release(victim)
    return this.#allocate(now)
  }

  #fold(slot: number, now: number): void {
    const start = slot * this.#stride
    for (let index = 0; index < this.policies.length; index++) {
      const base = start + (this.#offsets[index] as number) + 1
      const algorithm = this.#algorithms[index] as Algorithm
      algorithm.usage(this.#state, base, now, this.policies[index] as Policy, this.#usages[index] as Usage)
    }
    this.#sketch ??= new OverflowSketch(Math.max(256, Math.ceil(this.#maxClients / 8)), this.policies.length)
    this.#sketch.fold(this.#keys[slot] as string, this.#usages)
    this.#evictions++
  }

  #restore(slot: number): void {
    const start = slot * this.#stride
    for (let index = 0; index < this.policies.length; index++) {
      const usage = this.#usages[index] as Usage
      if (usage.units <= 0) continue
      const base = start + (this.#offsets[index] as number) + 1
      const algorithm = this.#algorithms[index] as Algorithm
      algorithm.replay(this.#state, base, usage.units, usage.at, this.policies[index] as Policy)
    }
    this.refreshIdle(slot)
  }

  #release(slot: number): void {
    this.#slots.delete(this.#keys[slot] as string)
    this.#keys[slot] = undefined
    this.#unlink(slot)
    this.#older[slot] = this.#free
    this.#free = slot
  }

  #grow(): void {
    const capacity = Math.min(this.#maxClients, this.#capacity * 2)
    const state = new Float64Array(capacity * this.#stride)
    state.set(this.#state)
    const newer = new Int32Array(capacity)
    newer.set(this.#newer)
    const older = new Int32Array(capacity)
    older.set(this.#older)
    this.#state = state
    this.#newer = newer
    this.#older = older
    this.#capacity = capacity
  }

  #unlink(slot: number): void {
    const newer = this.#newer[slot] as number
    const older = this.#older[slot] as number
    if (newer === NONE) this.#head = older
    else this.#older[newer] = older
    if (older === NONE) this.#tail = newer
    else this.#newer[older] = newer
  }

  #pushHead(slot: number): void {
    this.#newer[slot] = NONE
    this.#older[slot] = this.#head
    if (this.#head !== NONE) this.#newer[this.#head] = slot
    this.#head = slot
    if (this.#tail === NONE) this.#tail = slot
  }
}
