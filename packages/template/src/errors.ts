import { defineRefusal } from '@rampart/core'

export const PACKAGE = 'template'

/** 403 for a blocked path: `RAMPART_TEMPLATE_BLOCKED`. */
export const BLOCKED = defineRefusal(PACKAGE, 'BLOCKED', 403, 'Forbidden')
