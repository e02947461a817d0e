import { type Stats, stat } from 'node:fs'

/** What tells one version of a file from the next. */
export interface FileVersion {
  readonly mtimeMs: number
  readonly size: number
  readonly ino: number
}

/** The version of a file as `fs.stat` saw it. */
export function fileVersion(stats: Stats): FileVersion {
  return { mtimeMs: stats.mtimeMs, size: stats.size, ino: stats.ino }
}

/** A file that is not there (deleted mid-replace, or unreadable). */
const MISSING: FileVersion = Object.freeze({ mtimeMs: 0, size: -1, ino: -1 })

function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino
}

export interface FileWatcherOptions {
  /** How often the file is stat'ed, in milliseconds. */
  readonly interval: number
  /** Quiet time after the last change before `onChange` runs, in milliseconds. */
  readonly delay: number
}

/**
 * Polls one file's stat (the way `fs.watchFile` does, so an in-place rewrite and an atomic rename
 * over the path are both seen, on any file system, in containers and on network mounts) and calls
 * `onChange` once the file has been quiet for `delay`. Unlike `fs.watchFile`, whose baseline is its
 * own first stat taken some time after it starts, the baseline here is the version that was
 * loaded: a change made between loading and watching is not missed. Calls never overlap: a change
 * during a run schedules one more run after it. Nothing here keeps the process alive.
 */
export class FileWatcher {
  readonly #path: string
  readonly #options: FileWatcherOptions
  readonly #onChange: () => Promise<void>
  readonly #interval: NodeJS.Timeout
  #seen: FileVersion
  #timer: NodeJS.Timeout | undefined
  #polling = false
  #running = false
  #again = false
  #closed = false
  #changes = 0

  /** `loaded`: the version `onChange`'s consumer has; any other version is a change. */
  constructor(path: string, options: FileWatcherOptions, loaded: FileVersion, onChange: () => Promise<void>) {
    this.#path = path
    this.#options = options
    this.#onChange = onChange
    this.#seen = loaded
    this.#interval = setInterval(this.#poll, options.interval)
    this.#interval.unref()
  }

  /** How many changes were seen so far (for tests and diagnostics). */
  get changes(): number {
    return this.#changes
  }

  /** True while `onChange` is running or scheduled. */
  get busy(): boolean {
    return this.#running || this.#timer !== undefined
  }

  readonly #poll = (): void => {
    if (this.#polling || this.#closed) return
    this.#polling = true
    stat(this.#path, (error, stats) => {
      this.#polling = false
      if (this.#closed) return
      const version = error === null ? fileVersion(stats) : MISSING
      if (sameVersion(version, this.#seen)) return
      this.#seen = version
      this.#changes++
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#closed) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = setTimeout(this.#fire, this.#options.delay)
    this.#timer.unref()
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    this.#onChange()
      .catch(() => {
        // onChange reports its own failures; a rejection must not become an unhandled one
      })
      .finally(() => {
        this.#running = false
        if (this.#again) {
          this.#again = false
          this.#schedule()
        }
      })
  }

  /** Stops watching; a run already under way finishes, none starts after. */
  close(): void {
    this.#closed = true
    clearInterval(this.#interval)
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
