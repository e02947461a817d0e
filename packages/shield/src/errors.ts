import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'shield'

/** 403 for a request a rule in `block` mode matched: `RAMPART_SHIELD_BLOCKED`. */
export const BLOCKED = defineRefusal(PACKAGE, 'BLOCKED', 403, 'Forbidden')
