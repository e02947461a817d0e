import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the suite writes its measured figures (JSON, one file per test), read into RELIABILITY.md. */
export const RESULTS_DIRECTORY = fileURLToPath(new URL('../results/', import.meta.url))

/** Whether this is the long form (`RAMPART_LONG=1`): 10,000 fuzz runs each, a 60 s soak. */
export const LONG = process.env.RAMPART_LONG === '1'

/** Writes `results/<name>[.long].json` with the run's figures and when they were taken. */
export function writeResult(name: string, figures: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIRECTORY, { recursive: true })
  const file = join(RESULTS_DIRECTORY, `${name}${LONG ? '.long' : ''}.json`)
  writeFileSync(
    file,
    `${JSON.stringify({ name, long: LONG, at: new Date().toISOString(), node: process.version, ...figures }, null, 2)}\n`,
  )
}
