/** A precompiled check of an id: its length, then one anchored character-class regex. */
export type IdCheck = (id: string) => boolean

/**
 * Builds the check once, at register: `1 <= length <= maxLength`, every character one of
 * `A-Z a-z 0-9 . _ :  -` plus `extraCharacters` (already validated to be from `+ / = ~ @`, none
 * of which is special inside a character class). Linear: a single class under `+`, no backtracking.
 */
export function createIdCheck(maxLength: number, extraCharacters: string): IdCheck {
  const pattern = new RegExp(`^[A-Za-z0-9._:${extraCharacters}-]+$`)
  return function isAcceptableId(id: string): boolean {
    return id.length <= maxLength && pattern.test(id)
  }
}
