export const PACKAGE = 'redis'
