import { OptionValidator } from '@rampart/core'
import { PACKAGE } from './errors.js'
import { checkOriginPattern, parseOrigin } from './origin-entry.js'

/** Options of @rampart/cors. */
export interface CorsOptions {
  /**
   * The origins allowed to read responses cross-origin. Default: none (no CORS headers are ever sent).
   * - exact origins as browsers send them: `'https://app.example.com'`, `'http://localhost:3000'`
   *   (no path, no trailing slash, no default port);
   * - RegExps anchored with `^...$` on every branch, without `g`, `y` or `m` flags:
   *   `/^https:\/\/[a-z0-9-]+\.example\.com$/`;
   * - `'*'` (alone, not in a list): any origin, without credentials.
   * The `'null'` origin is always refused.
   */
  origins?: '*' | readonly (string | RegExp)[]
  /** Send `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). Default: `false`. Refused with `'*'`. */
  credentials?: boolean
  /** `Access-Control-Allow-Methods` for preflights. Default: `GET, POST, PUT, DELETE, OPTIONS`. */
  methods?: readonly string[]
  /**
   * `Access-Control-Allow-Headers` for preflights; never reflected from the request.
   * Default: `Accept, Accept-Language, Content-Language, Content-Type, Authorization`.
   */
  allowedHeaders?: readonly string[]
  /** `Access-Control-Expose-Headers`: response headers scripts may read. Default: none. */
  exposedHeaders?: readonly string[]
  /** `Access-Control-Max-Age` in seconds, how long browsers cache a preflight (0 to 86400). Default: `600`. */
  maxAge?: number
}

/** The options after defaults and validation, frozen at register. */
export interface ResolvedCorsOptions {
  /** `origins` was `'*'`. */
  readonly anyOrigin: boolean
  /** The exact origins, lowercased. */
  readonly exactOrigins: readonly string[]
  /** The anchored patterns, as given. */
  readonly originPatterns: readonly RegExp[]
  readonly credentials: boolean
  readonly methods: readonly string[]
  readonly allowedHeaders: readonly string[]
  readonly exposedHeaders: readonly string[]
  readonly maxAge: number
}

/** The defaults of every option. */
export const DEFAULTS: Readonly<Required<CorsOptions>> = Object.freeze({
  origins: Object.freeze([]),
  credentials: false,
  methods: Object.freeze(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']),
  allowedHeaders: Object.freeze(['Accept', 'Accept-Language', 'Content-Language', 'Content-Type', 'Authorization']),
  exposedHeaders: Object.freeze([]),
  maxAge: 600,
})

/** An HTTP token (RFC 9110 section 5.6.2): what a method or a header name is made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const validate = new OptionValidator(PACKAGE)

/** Validates the user's options and folds in the defaults; throws RAMPART_CORS_INVALID_OPTION. */
export function resolveOptions(options: CorsOptions = {}): ResolvedCorsOptions {
  const given = validate.object('', options)
  validate.knownKeys('', given, Object.keys(DEFAULTS))
  const credentials = validate.boolean('credentials', options.credentials ?? DEFAULTS.credentials)
  const origins = options.origins ?? DEFAULTS.origins

  let anyOrigin = false
  const exactOrigins: string[] = []
  const originPatterns: RegExp[] = []
  if (origins === '*') {
    anyOrigin = true
  } else if (!Array.isArray(origins)) {
    validate.fail('origins', "must be '*' or an array of origins and anchored RegExps", origins)
  } else {
    origins.forEach((entry: unknown, index) => {
      const option = `origins[${index}]`
      if (entry instanceof RegExp) {
        const problem = checkOriginPattern(entry)
        if (problem !== undefined) validate.fail(option, problem, String(entry))
        originPatterns.push(entry)
      } else if (typeof entry !== 'string' || entry.length === 0) {
        validate.fail(option, 'must be an origin string or a RegExp', entry)
      } else if (entry === '*') {
        validate.fail(option, "is '*', which allows every origin: give origins: '*' alone, not in a list", entry)
      } else {
        const parsed = parseOrigin(entry)
        if ('problem' in parsed) validate.fail(option, parsed.problem, entry)
        else if (!exactOrigins.includes(parsed.origin)) exactOrigins.push(parsed.origin)
      }
    })
  }
  if (anyOrigin && credentials) {
    validate.fail(
      'origins',
      "is '*' with credentials: true: browsers refuse that pair, and reflecting every origin instead would let any site read your users' authenticated responses; list the origins",
      '*',
    )
  }
  return Object.freeze({
    anyOrigin,
    exactOrigins: Object.freeze(exactOrigins),
    originPatterns: Object.freeze(originPatterns),
    credentials,
    methods: tokenList('methods', options.methods ?? DEFAULTS.methods),
    allowedHeaders: tokenList('allowedHeaders', options.allowedHeaders ?? DEFAULTS.allowedHeaders),
    exposedHeaders: tokenList('exposedHeaders', options.exposedHeaders ?? DEFAULTS.exposedHeaders),
    maxAge: validate.integer('maxAge', options.maxAge ?? DEFAULTS.maxAge, { min: 0, max: 86400 }),
  })
}

/** A list of methods or header names: HTTP tokens, no `*` (a wildcard with credentials is literal, without them too broad). */
function tokenList(option: string, value: unknown): readonly string[] {
  const list = validate.stringList(option, value)
  list.forEach((item, index) => {
    if (item === '*') validate.fail(`${option}[${index}]`, "must be listed explicitly, not '*'", item)
    if (!TOKEN.test(item))
      validate.fail(`${option}[${index}]`, 'must be an HTTP token (no spaces, commas or colons)', item)
  })
  return Object.freeze(list)
}
