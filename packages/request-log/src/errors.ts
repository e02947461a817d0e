export const PACKAGE = 'request-log'
