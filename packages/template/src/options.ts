import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** Options of @rampart/template. */
export interface TemplateOptions {
  /** Value of the `X-Rampart-Template` response header. Default: `'on'`. */
  headerValue?: string
  /** Paths refused with 403 (longest-prefix, normalised). Default: none. */
  blockedPaths?: readonly string[]
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedTemplateOptions {
  readonly headerValue: string
  readonly blockedPaths: readonly string[]
}

export const DEFAULTS: ResolvedTemplateOptions = Object.freeze({
  headerValue: 'on',
  blockedPaths: Object.freeze([]),
})

const validate = new OptionValidator(PACKAGE)

/** Validates the user's options and folds in the defaults; throws RAMPART_TEMPLATE_INVALID_OPTION. */
export function resolveOptions(options: TemplateOptions = {}): ResolvedTemplateOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  return Object.freeze({
    headerValue: validate.string('headerValue', options.headerValue ?? DEFAULTS.headerValue, {
      pattern: /^[\x20-\x7e]+$/,
    }),
    blockedPaths: Object.freeze(validate.stringList('blockedPaths', options.blockedPaths ?? DEFAULTS.blockedPaths)),
  })
}
