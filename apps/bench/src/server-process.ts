import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ControlMessage, ServerMessage, ServerStats } from './server.js'

/** This process's export conditions, handed to every child: the CI smoke runs from sources, `pnpm bench` the builds. */
export const inheritedConditions = process.execArgv.filter((arg) => arg.startsWith('--conditions'))

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url))

/** A measured server in its own process (src/server.ts), driven over IPC. */
export class ServerProcess {
  readonly variant: string
  readonly port: number
  readonly #child: ChildProcess
  #nextId = 0

  private constructor(variant: string, child: ChildProcess, port: number) {
    this.variant = variant
    this.#child = child
    this.port = port
  }

  /**
   * Forks the server and waits until it listens. Rejects with the server's own error when the
   * variant cannot be built (an option the installed plugin does not know, a missing phase).
   */
  static start(
    variant: string,
    options: { env: Record<string, string>; execArgv?: readonly string[]; timeoutMs?: number },
  ): Promise<ServerProcess> {
    const child = fork(SERVER_ENTRY, [variant], {
      execArgv: ['--import', 'tsx', ...inheritedConditions, ...(options.execArgv ?? [])],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`${variant}: the server did not start within ${options.timeoutMs ?? 30_000} ms`))
      }, options.timeoutMs ?? 30_000)
      const onExit = (code: number | null) => {
        clearTimeout(timer)
        reject(new Error(`${variant}: the server exited (${code}) before listening`))
      }
      child.once('exit', onExit)
      child.on('message', function first(message: ServerMessage) {
        if (message.type === 'ready') {
          clearTimeout(timer)
          child.off('exit', onExit)
          child.off('message', first)
          resolve(new ServerProcess(variant, child, message.port))
        } else if (message.type === 'failed') {
          clearTimeout(timer)
          child.off('exit', onExit)
          child.off('message', first)
          reject(new VariantUnavailableError(variant, message.message))
        }
      })
    })
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  stats(): Promise<ServerStats> {
    const id = ++this.#nextId
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.variant}: no stats within 10 s`)), 10_000)
      const onMessage = (message: ServerMessage) => {
        if (message.type === 'stats' && message.id === id) {
          clearTimeout(timer)
          this.#child.off('message', onMessage)
          resolve({ cpu: message.cpu, redisPorts: message.redisPorts, rss: message.rss })
        }
      }
      this.#child.on('message', onMessage)
      this.#send({ type: 'stats', id })
    })
  }

  /** Asks the server to close and exit (so a `--cpu-prof` profile is written); kills it after 10 s. */
  close(): Promise<void> {
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.#send({ type: 'close' })
    })
  }

  /** Ends the process now (orchestrator failure paths). */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL')
  }

  #send(message: ControlMessage): void {
    this.#child.send(message)
  }
}

/** The variant could not be built: reported as unavailable, not a failed run. */
export class VariantUnavailableError extends Error {
  readonly variant: string
  readonly reason: string

  constructor(variant: string, reason: string) {
    super(`${variant}: unavailable: ${reason}`)
    this.variant = variant
    this.reason = reason
  }
}
