import fc from 'fast-check'
import type { Test } from 'tap'
import { LONG, writeResult } from './results.js'

/** Runs of a property: `ci` in the CI form, 10,000 in the long form (`RAMPART_LONG=1`). */
export function runs(ci: number): number {
  return LONG ? 10_000 : ci
}

/** Seed of every property of a run: `RAMPART_FUZZ_SEED` replays one. */
export const SEED =
  process.env.RAMPART_FUZZ_SEED === undefined ? Date.now() ^ process.pid : Number(process.env.RAMPART_FUZZ_SEED)

interface Entry {
  readonly property: string
  readonly runs: number
  readonly ms: number
  readonly ok: boolean
}

/** The properties of one fuzz file, their runs and times, written to `results/fuzz-<file>.json`. */
export class FuzzLog {
  readonly #entries: Entry[] = []
  readonly #name: string

  constructor(name: string) {
    this.#name = name
  }

  /**
   * Checks `property` for `numRuns` runs inside a tap subtest; a counterexample fails the test with
   * fast-check's report (seed and path included, to replay it).
   */
  check<Ts extends unknown[]>(
    t: Test,
    name: string,
    numRuns: number,
    property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
    options: { todo?: string } = {},
  ): Promise<void> {
    return t.test(name, async (t) => {
      const started = performance.now()
      let ok = true
      try {
        await fc.assert(property as fc.IAsyncProperty<Ts>, { numRuns, seed: SEED, endOnFailure: false })
        t.pass(`${numRuns} runs`)
      } catch (error) {
        ok = false
        t.fail((error as Error).message, options.todo === undefined ? {} : { todo: options.todo })
      }
      this.#entries.push({ property: name, runs: numRuns, ms: Math.round(performance.now() - started), ok })
    }) as unknown as Promise<void>
  }

  write(): void {
    writeResult(`fuzz-${this.#name}`, {
      seed: SEED,
      properties: this.#entries.length,
      totalRuns: this.#entries.reduce((sum, entry) => sum + entry.runs, 0),
      totalMs: this.#entries.reduce((sum, entry) => sum + entry.ms, 0),
      entries: this.#entries,
    })
  }
}
