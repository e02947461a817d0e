import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'

/**
 * Reads `.env` files into a copy of `env`. Real environment variables win over the files, and an
 * earlier file wins over a later one (the demo's own `.env` before the repository root's).
 */
export function withEnvFiles(env: NodeJS.ProcessEnv, files: readonly string[]): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...env }
  for (const file of files) {
    if (!existsSync(file)) continue
    const values = parseEnv(readFileSync(file, 'utf8'))
    for (const [name, value] of Object.entries(values)) {
      if (merged[name] === undefined) merged[name] = value
    }
  }
  return merged
}
