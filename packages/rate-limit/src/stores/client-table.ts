import type { Algorithm, Evaluation, Usage } from '../algorithms/algorithm.js'
import { ALGORITHMS } from '../algorithms/registry.js'
import { fnv1a } from '../fnv.js'
import type { Policy } from '../policy.js'
import { OverflowSketch } from './overflow-sketch.js'

const INITIAL_SLOTS = 1024
/**
 * Slots per slab once the first slab is full: the table then grows by adding a slab, never by
 * copying every client into a bigger array (at a million clients a doubling allocated and copied
 * about 70 MB in one turn of the event loop).
 */
const SLAB_SHIFT = 14
const SLAB_SLOTS = 1 << SLAB_SHIFT
const SLAB_MASK = SLAB_SLOTS - 1
/** At most this many idle clients are released per lookup: expiry is incremental, never a sweep. */
const EXPIRE_PER_LOOKUP = 2
const NONE = -1
/** Clients per shard of the key index, about: small enough that rehashing one shard is brief. */
const CLIENTS_PER_SHARD = 4096
const MAX_SHARDS = 256

/**
 * The key index's shard for `key` (FNV-1a). V8 rehashes a whole `Map` synchronously when it
 * grows or when deletions shrink it below a quarter of its capacity; one `Map` of a million keys
 * stalled the event loop 40–100 ms at each halving. Shards rehash a few thousand keys at a time,
 * and at different moments.
 */
function shardOf(key: string, mask: number): number {
  return fnv1a(key) & mask
}

/**
 * The clients of one policy set, in typed-array slabs of `SLAB_SLOTS` slots: slot `s` owns
 * `stride` doubles at `(s & SLAB_MASK) * stride` of slab `s >> SLAB_SHIFT`, laid out as `[idleAt, (quietUntil, ...algorithmState)
 * per policy]`, plus two LRU links. `Map`s (sharded by a hash of the key) go from the client key to
 * its slot. The first slab grows by doubling, then slabs are added, up to `maxClients` slots and
 * never beyond.
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
  readonly #shards: Map<string, number>[]
  readonly #shardMask: number
  #size = 0
  readonly #usages: Usage[]
  #capacity: number
  readonly #slabs: Float64Array[]
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
    let shards = 1
    while (shards < MAX_SHARDS && shards * CLIENTS_PER_SHARD < maxClients) shards *= 2
    this.#shards = Array.from({ length: shards }, () => new Map<string, number>())
    this.#shardMask = shards - 1
    this.#capacity = Math.min(maxClients, INITIAL_SLOTS)
    this.#slabs = [new Float64Array(this.#capacity * stride)]
    this.#newer = new Int32Array(this.#capacity)
    this.#older = new Int32Array(this.#capacity)
    this.#keys = []
    this.#usages = policies.map(() => ({ units: 0, at: 0 }))
  }

  /** Clients tracked now. */
  get size(): number {
    return this.#size
  }

  /** Clients evicted while their state still mattered (their usage went to the sketch). */
  get evictions(): number {
    return this.#evictions
  }

  /** Bytes held by the slabs and the sketch (not counting the `Map`s). */
  get bytes(): number {
    let slabs = 0
    for (const slab of this.#slabs) slabs += slab.byteLength
    return slabs + this.#newer.byteLength + this.#older.byteLength + (this.#sketch?.bytes ?? 0)
  }

  /** Worst-case slab bytes per client: what `maxClients` multiplies. */
  get bytesPerClient(): number {
    return this.#stride * 8 + 8
  }

  /** The slot of `key`, allocated (and restored from the sketch) if it has none; marks it most recent. */
  locate(key: string, now: number): number {
    this.#expire(now)
    const shard = this.#shard(key)
    let slot = shard.get(key)
    if (slot !== undefined) {
      this.#unlink(slot)
      this.#pushHead(slot)
      return slot
    }
    slot = this.#allocate(now)
    const start = this.#start(slot)
    this.#slab(slot).fill(0, start, start + this.#stride)
    this.#keys[slot] = key
    shard.set(key, slot)
    this.#size++
    this.#pushHead(slot)
    if (this.#sketch?.recall(key, this.#usages)) this.#restore(slot)
    return slot
  }

  evaluate(slot: number, index: number, now: number, policy: Policy, admit: boolean, out: Evaluation): void {
    const base = this.#start(slot) + (this.#offsets[index] as number)
    ;(this.#algorithms[index] as Algorithm).evaluate(this.#slab(slot), base + 1, now, policy, admit, out)
  }

  consume(slot: number, index: number, now: number, policy: Policy): void {
    const base = this.#start(slot) + (this.#offsets[index] as number)
    ;(this.#algorithms[index] as Algorithm).consume(this.#slab(slot), base + 1, now, policy)
  }

  /** True (and quiet for one window) if no near-limit event fired for this client and policy in the last window. */
  markNearLimit(slot: number, index: number, now: number, policy: Policy): boolean {
    const state = this.#slab(slot)
    const base = this.#start(slot) + (this.#offsets[index] as number)
    if (now < (state[base] as number)) return false
    state[base] = now + policy.windowMs
    return true
  }

  /** Recomputes when the slot stops mattering; call after changing it. */
  refreshIdle(slot: number): void {
    const state = this.#slab(slot)
    const start = this.#start(slot)
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
      if (this.#idleAt(this.#tail) > now) return
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
    if (this.#idleAt(victim) > now) this.#fold(victim, now)
    this.#release(victim)
    return this.#allocate(now)
  }

  #fold(slot: number, now: number): void {
    const state = this.#slab(slot)
    const start = this.#start(slot)
    for (let index = 0; index < this.policies.length; index++) {
      const base = start + (this.#offsets[index] as number) + 1
      const algorithm = this.#algorithms[index] as Algorithm
      algorithm.usage(state, base, now, this.policies[index] as Policy, this.#usages[index] as Usage)
    }
    this.#sketch ??= new OverflowSketch(Math.max(256, Math.ceil(this.#maxClients / 8)), this.policies.length)
    this.#sketch.fold(this.#keys[slot] as string, this.#usages)
    this.#evictions++
  }

  #restore(slot: number): void {
    const state = this.#slab(slot)
    const start = this.#start(slot)
    for (let index = 0; index < this.policies.length; index++) {
      const usage = this.#usages[index] as Usage
      if (usage.units <= 0) continue
      const base = start + (this.#offsets[index] as number) + 1
      const algorithm = this.#algorithms[index] as Algorithm
      algorithm.replay(state, base, usage.units, usage.at, this.policies[index] as Policy)
    }
    this.refreshIdle(slot)
  }

  #release(slot: number): void {
    const key = this.#keys[slot] as string
    this.#shard(key).delete(key)
    this.#size--
    this.#keys[slot] = undefined
    this.#unlink(slot)
    this.#older[slot] = this.#free
    this.#free = slot
  }

  #shard(key: string): Map<string, number> {
    return this.#shards[this.#shardMask === 0 ? 0 : shardOf(key, this.#shardMask)] as Map<string, number>
  }

  #slab(slot: number): Float64Array {
    return this.#slabs[slot >>> SLAB_SHIFT] as Float64Array
  }

  #start(slot: number): number {
    return (slot & SLAB_MASK) * this.#stride
  }

  #idleAt(slot: number): number {
    return this.#slab(slot)[this.#start(slot)] as number
  }

  #grow(): void {
    const capacity = this.#capacity < SLAB_SLOTS ? this.#capacity * 2 : this.#capacity + SLAB_SLOTS
    const grown = Math.min(this.#maxClients, capacity)
    if (this.#capacity < SLAB_SLOTS) {
      // The first slab, still small: copied into one twice its size (at most SLAB_SLOTS).
      const first = new Float64Array(Math.min(grown, SLAB_SLOTS) * this.#stride)
      first.set(this.#slabs[0] as Float64Array)
      this.#slabs[0] = first
    } else {
      this.#slabs.push(new Float64Array((grown - this.#capacity) * this.#stride))
    }
    this.#capacity = grown
    if (grown <= this.#newer.length) return
    // The LRU links (8 bytes a slot) grow by doubling: copied O(log n) times, not once per slab.
    const links = Math.min(this.#maxClients, Math.max(grown, this.#newer.length * 2))
    const newer = new Int32Array(links)
    newer.set(this.#newer)
    const older = new Int32Array(links)
    older.set(this.#older)
    this.#newer = newer
    this.#older = older
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
