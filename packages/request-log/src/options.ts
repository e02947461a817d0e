import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** A pino level; `silent` writes no line. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** The level of the line by the response status. */
export interface RequestLogLevels {
  /** Status below 400 (1xx, 2xx, 3xx). Default: `'info'`. */
  success?: LogLevel
  /** Status 400-499. Default: `'warn'`. */
  clientError?: LogLevel
  /** Status 500 and above. Default: `'error'`. */
  serverError?: LogLevel
}

/** Options of @rampart/request-log. */
export interface RequestLogOptions {
  /** The line's message. Default: `'request completed'`. */
  message?: string
  /** Levels by status class. Default: `{ success: 'info', clientError: 'warn', serverError: 'error' }`. */
  levels?: RequestLogLevels
  /** The `route` of a request no route matched (404). Default: `'<unmatched>'`. */
  unmatchedRoute?: string
  /**
   * Query parameter names whose values are replaced by `[REDACTED]` in `url` (case-insensitive,
   * percent-decoded; `user[password]` and `user.password` match `password`). Replaces the default
   * list; extend it with `[...DEFAULTS.redactQuery, 'otp']`.
   */
  redactQuery?: readonly string[]
  /** Log the request and response headers. Default: `false`. */
  logHeaders?: boolean
  /** Header names whose values are replaced by `[REDACTED]` when headers are logged (case-insensitive). */
  redactHeaders?: readonly string[]
  /** `url` longer than this is cut (after redaction) and ends with `...`. Default: `2048`. */
  maxUrlLength?: number
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedRequestLogOptions {
  readonly message: string
  readonly levels: Readonly<Required<RequestLogLevels>>
  readonly unmatchedRoute: string
  /** Lowercased. */
  readonly redactQuery: readonly string[]
  readonly logHeaders: boolean
  /** Lowercased. */
  readonly redactHeaders: readonly string[]
  readonly maxUrlLength: number
}

export const LOG_LEVELS: readonly LogLevel[] = Object.freeze([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
])

export const DEFAULTS: ResolvedRequestLogOptions = Object.freeze({
  message: 'request completed',
  levels: Object.freeze({ success: 'info', clientError: 'warn', serverError: 'error' } as const),
  unmatchedRoute: '<unmatched>',
  redactQuery: Object.freeze([
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'api_key',
    'apikey',
    'key',
    'password',
    'passwd',
    'secret',
    'client_secret',
    'signature',
    'sig',
    'code',
    'jwt',
    'session',
    'sessionid',
    'x-amz-signature',
    'x-amz-credential',
    'x-amz-security-token',
  ]),
  logHeaders: false,
  redactHeaders: Object.freeze([
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'x-auth-token',
    'x-csrf-token',
    'x-xsrf-token',
  ]),
  maxUrlLength: 2048,
})

const validate = new OptionValidator(PACKAGE)
const LEVEL_KEYS = Object.keys(DEFAULTS.levels)

function lowercaseList(option: string, value: unknown): readonly string[] {
  return Object.freeze(validate.stringList(option, value).map((name) => name.trim().toLowerCase()))
}

/** Validates the user's options and folds in the defaults; throws RAMPART_REQUEST_LOG_INVALID_OPTION. */
export function resolveOptions(options: RequestLogOptions = {}): ResolvedRequestLogOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  const levels = validate.object('levels', options.levels ?? {})
  validate.knownKeys('levels', levels, LEVEL_KEYS)
  const level = (key: keyof RequestLogLevels): LogLevel =>
    validate.oneOf(`levels.${key}`, options.levels?.[key] ?? DEFAULTS.levels[key], LOG_LEVELS)
  return Object.freeze({
    message: validate.string('message', options.message ?? DEFAULTS.message),
    levels: Object.freeze({
      success: level('success'),
      clientError: level('clientError'),
      serverError: level('serverError'),
    }),
    unmatchedRoute: validate.string('unmatchedRoute', options.unmatchedRoute ?? DEFAULTS.unmatchedRoute),
    redactQuery: lowercaseList('redactQuery', options.redactQuery ?? DEFAULTS.redactQuery),
    logHeaders: validate.boolean('logHeaders', options.logHeaders ?? DEFAULTS.logHeaders),
    redactHeaders: lowercaseList('redactHeaders', options.redactHeaders ?? DEFAULTS.redactHeaders),
    maxUrlLength: validate.integer('maxUrlLength', options.maxUrlLength ?? DEFAULTS.maxUrlLength, {
      min: 16,
      max: 65536,
    }),
  })
}
