import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'

const require = createRequire(import.meta.url)

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  /** Load average when the run started (other processes share the cores). */
  readonly loadAverage: readonly number[]
}

export interface Versions {
  readonly node: string
  readonly redis: string | undefined
  readonly rampartCommit: string | undefined
  /** Installed versions of fastify, autocannon and the compared plugins. */
  readonly packages: Readonly<Record<string, string>>
}

export function machine(): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  }
}

const PACKAGES = [
  'fastify',
  'autocannon',
  'ioredis',
  '@fastify/helmet',
  '@fastify/cors',
  '@fastify/rate-limit',
  '@fastify/jwt',
  '@fastify/redis',
  'fastify-metrics',
]

/** The version in a package's package.json (found next to its entry point: exports may hide it). */
function installedVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version
  } catch {
    let directory = require.resolve(name)
    for (let i = 0; i < 6; i++) {
      directory = directory.slice(0, directory.lastIndexOf('/'))
      try {
        const manifest = JSON.parse(readFileSync(`${directory}/package.json`, 'utf8')) as {
          name?: string
          version: string
        }
        if (manifest.name === name) return manifest.version
      } catch {}
    }
    return 'unknown'
  }
}

export function versions(redis: string | undefined): Versions {
  let rampartCommit: string | undefined
  try {
    rampartCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {}
  const packages: Record<string, string> = {}
  for (const name of PACKAGES) packages[name] = installedVersion(name)
  return { node: process.version, redis, rampartCommit, packages }
}
