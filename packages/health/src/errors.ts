export const PACKAGE = 'health'
