import type { ContentGuardOptions } from '@rampart/content-guard'
import { OptionValidator } from '@rampart/core'
import type { CorsOptions } from '@rampart/cors'
import type { HeadersOptions } from '@rampart/headers'
import type { ProxyHeadersOptions } from '@rampart/proxy-headers'
import type { RateLimitOptions } from '@rampart/rate-limit'
import type { RequestIdOptions } from '@rampart/request-id'
import type { RequestLogOptions } from '@rampart/request-log'
import type { TrustedHostOptions } from '@rampart/trusted-host'
import { PACKAGE } from './errors.js'

/** The phases this version of the preset can register. */
export const PHASES = [1] as const
export type Phase = (typeof PHASES)[number]

/**
 * Options of @rampart/preset. Each plugin key takes that plugin's options, or `false` to leave the
 * plugin out; a key left undefined registers the plugin with its own defaults.
 */
export interface PresetOptions {
  /** Which phase to register; every phase includes the ones before it. Default: the highest built (1). */
  phase?: Phase
  /** Problem+json for Fastify's own errors (404, 400, 413, 415) through core's handlers. Default: true. */
  problemReplies?: boolean
  proxyHeaders?: ProxyHeadersOptions | false
  requestId?: RequestIdOptions | false
  headers?: HeadersOptions | false
  trustedHost?: TrustedHostOptions | false
  cors?: CorsOptions | false
  rateLimit?: RateLimitOptions | false
  contentGuard?: ContentGuardOptions | false
  requestLog?: RequestLogOptions | false
}

/** The plugins of each phase, in registration order (docs/architecture.md says why). */
export const PHASE_PLUGINS = {
  1: ['proxyHeaders', 'requestId', 'headers', 'trustedHost', 'cors', 'rateLimit', 'contentGuard', 'requestLog'],
} as const satisfies Record<Phase, readonly (keyof PresetOptions)[]>

export type PluginKey = (typeof PHASE_PLUGINS)[Phase][number]

export interface ResolvedPresetOptions {
  readonly phase: Phase
  readonly problemReplies: boolean
  readonly plugins: readonly { key: PluginKey; options: object }[]
}

/**
 * What the preset passes a plugin left undefined, where the plugin itself has no default:
 * trusted-host needs its list, and `*` (any host) registers no hook at all.
 */
export const PLUGIN_DEFAULTS: Readonly<Partial<Record<PluginKey, object>>> = Object.freeze({
  trustedHost: Object.freeze({ allowedHosts: Object.freeze(['*']) }),
})

const validate = new OptionValidator(PACKAGE)
const ALL_PLUGIN_KEYS: readonly PluginKey[] = PHASE_PLUGINS[1]

export function resolveOptions(options: PresetOptions = {}): ResolvedPresetOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, ['phase', 'problemReplies', ...ALL_PLUGIN_KEYS])
  const phase = validate.oneOf('phase', options.phase ?? PHASES[PHASES.length - 1], PHASES)
  const problemReplies = validate.boolean('problemReplies', options.problemReplies ?? true)
  const plugins: { key: PluginKey; options: object }[] = []
  for (const key of PHASE_PLUGINS[phase]) {
    const value = options[key]
    if (value === false) continue
    plugins.push({ key, options: value === undefined ? (PLUGIN_DEFAULTS[key] ?? {}) : validate.object(key, value) })
  }
  return Object.freeze({ phase, problemReplies, plugins: Object.freeze(plugins) })
}
