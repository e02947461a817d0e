export const PACKAGE = 'headers'
