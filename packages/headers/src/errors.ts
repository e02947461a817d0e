import { OptionValidator } from '@rampart/core'

export const PACKAGE = 'headers'

/**
 * The package's one option validator: every bad option (plugin, route or CSP directive) throws
 * `RAMPART_HEADERS_INVALID_OPTION` naming the option, e.g. `option "csp.script-src"`.
 */
export const validate: OptionValidator = new OptionValidator(PACKAGE)
