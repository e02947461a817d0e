import type { IncomingHttpHeaders } from 'node:http'
import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'

/** What a generator is given: Node's raw request (`IncomingMessage` or `Http2ServerRequest`). */
export interface RawRequestLike {
  readonly headers: IncomingHttpHeaders
}

/** Makes a new request id. Must return a non-empty string of the accepted characters. */
export type RequestIdGenerator = (request: RawRequestLike) => string

/** Options of @rampart/request-id (and of `createRequestIdGenerator`). */
export interface RequestIdOptions {
  /** The header an incoming id is read from and the id is echoed in. Default: `'x-request-id'`. */
  header?: string
  /**
   * Accept an incoming id that passes the checks. `false` always generates a new one (ids from
   * clients never reach your logs). Default: `true`.
   */
  trustIncoming?: boolean
  /** The longest incoming id accepted, in characters (1-1024). Default: `128`. */
  maxLength?: number
  /**
   * Characters accepted besides `A-Z a-z 0-9 . _ : -`, chosen from `+ / = ~ @` (e.g. `'+/='` for
   * base64 ids). Default: `''`.
   */
  extraCharacters?: string
  /** Makes an id when none is accepted. Default: `crypto.randomUUID()`. */
  generate?: RequestIdGenerator
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedRequestIdOptions {
  /** Lowercased. */
  readonly header: string
  readonly trustIncoming: boolean
  readonly maxLength: number
  readonly extraCharacters: string
  /** `undefined`: `crypto.randomUUID()`. */
  readonly generate: RequestIdGenerator | undefined
}

export const DEFAULTS: ResolvedRequestIdOptions = Object.freeze({
  header: 'x-request-id',
  trustIncoming: true,
  maxLength: 128,
  extraCharacters: '',
  generate: undefined,
})

/**
 * The characters `extraCharacters` may add. None is a separator in HTTP field values or JSON, and
 * none is special inside a regex character class; `=` and `/` are off by default because they
 * split `key=value` (logfmt) lines and paths built from ids.
 */
export const OPTIONAL_CHARACTERS = '+/=~@'

/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/
const EXTRA_CHARACTERS = new RegExp(`^[${OPTIONAL_CHARACTERS}]*$`)

/** Headers HTTP itself relies on: echoing an id in one of them would break or forge the response. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'content-encoding',
  'content-length',
  'content-type',
  'host',
  'keep-alive',
  'location',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

const validate = new OptionValidator(PACKAGE)

function headerName(value: unknown): string {
  const name = validate.string('header', value, { pattern: HEADER_NAME }).toLowerCase()
  if (RESERVED_HEADERS.has(name)) validate.fail('header', 'must not be a header HTTP itself relies on', value)
  return name
}

/** Validates the user's options and folds in the defaults; throws RAMPART_REQUEST_ID_INVALID_OPTION. */
export function resolveOptions(options: RequestIdOptions = {}): ResolvedRequestIdOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  return Object.freeze({
    header: headerName(options.header ?? DEFAULTS.header),
    trustIncoming: validate.boolean('trustIncoming', options.trustIncoming ?? DEFAULTS.trustIncoming),
    maxLength: validate.integer('maxLength', options.maxLength ?? DEFAULTS.maxLength, { min: 1, max: 1024 }),
    extraCharacters: validate.string('extraCharacters', options.extraCharacters ?? DEFAULTS.extraCharacters, {
      nonEmpty: false,
      pattern: EXTRA_CHARACTERS,
    }),
    generate:
      options.generate === undefined ? undefined : validate.func<RequestIdGenerator>('generate', options.generate),
  })
}
