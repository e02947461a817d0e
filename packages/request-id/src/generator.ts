import { randomUUID } from 'node:crypto'
import { createIdCheck } from './id-check.js'
import { type RawRequestLike, type RequestIdOptions, type ResolvedRequestIdOptions, resolveOptions } from './options.js'

/** A `genReqId`-compatible function: Fastify calls it once per request, before any hook. */
export type GenReqId = (request: RawRequestLike) => string

/** Builds the generator from options already resolved (the plugin's path). */
export function generatorFromSettings(settings: ResolvedRequestIdOptions): GenReqId {
  const { header, trustIncoming } = settings
  const isAcceptable = createIdCheck(settings.maxLength, settings.extraCharacters)
  const custom = settings.generate
  // A custom generator's id passes the same check: a buggy one must not put CR/LF in a header or a log.
  const generate: GenReqId =
    custom === undefined
      ? () => randomUUID()
      : (request) => {
          const id = custom(request)
          return typeof id === 'string' && isAcceptable(id) ? id : randomUUID()
        }
  if (!trustIncoming) return generate
  return function rampartRequestId(request: RawRequestLike): string {
    const incoming = request.headers[header]
    return typeof incoming === 'string' && isAcceptable(incoming) ? incoming : generate(request)
  }
}

/**
 * A function for `Fastify({ genReqId, requestIdHeader: false })`: the incoming id when it passes
 * the checks (and `trustIncoming` is on), else a new one. Fastify then sets `request.id` and binds
 * it to the request's logger itself. Options are validated here, like the plugin's.
 */
export function createRequestIdGenerator(options?: RequestIdOptions): GenReqId {
  return generatorFromSettings(resolveOptions(options))
}
