export const PACKAGE = 'preset'
