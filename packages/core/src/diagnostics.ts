import diagnosticsChannel from 'node:diagnostics_channel'
import type { FastifyRequest } from 'fastify'

/** `rampart:<package>:<event>`, the one naming scheme of every Rampart channel. */
export function channelName(packageName: string, event: string): string {
  return `rampart:${packageName}:${event}`
}

/**
 * A typed `diagnostics_channel` channel. Build the message only when someone listens:
 * `if (channel.hasSubscribers) channel.publish({ ... })`.
 */
export class EventChannel<Message extends object> {
  readonly name: string
  readonly #channel: diagnosticsChannel.Channel

  constructor(packageName: string, event: string) {
    this.name = channelName(packageName, event)
    this.#channel = diagnosticsChannel.channel(this.name)
  }

  get hasSubscribers(): boolean {
    return this.#channel.hasSubscribers
  }

  publish(message: Message): void {
    if (this.#channel.hasSubscribers) this.#channel.publish(message)
  }

  subscribe(listener: (message: Message, name: string | symbol) => void): () => void {
    const onMessage = listener as (message: unknown, name: string | symbol) => void
    this.#channel.subscribe(onMessage)
    return () => {
      this.#channel.unsubscribe(onMessage)
    }
  }
}

/** Every message carries the request it is about; subscribers read what they need from it. */
export interface RequestEvent {
  request: FastifyRequest
}

/** Published by `sendProblem` for every refusal any Rampart plugin sends. */
export interface RefusalEvent extends RequestEvent {
  /** HTTP status sent. */
  status: number
  /** The refusal's code, e.g. `RAMPART_RATE_LIMIT_EXCEEDED`. */
  code: string
  /** The package that refused, e.g. `rate-limit`. */
  source: string
}

/** `rampart:core:refusal`: one channel that sees every refusal, for metrics, alerts and audit. */
export const refusalChannel: EventChannel<RefusalEvent> = new EventChannel<RefusalEvent>('core', 'refusal')
