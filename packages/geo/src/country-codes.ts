/**
 * ISO 3166-1 alpha-2 codes officially assigned (249), plus `XK` (Kosovo), the user-assigned code
 * that MaxMind, ip-location-db and the EU use. Lists in the options are checked against this set
 * so a typo such as `UK` (the code is `GB`) fails at register instead of never matching.
 */
const ASSIGNED = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
XK
YE YT
ZA ZM ZW
`

export const COUNTRY_CODES: ReadonlySet<string> = new Set(ASSIGNED.trim().split(/\s+/))

/** Codes people write that ISO 3166-1 does not assign, with the one they mean. */
const COMMON_MISTAKES: Readonly<Record<string, string>> = Object.freeze({ UK: 'GB', EL: 'GR' })

/**
 * Checks one code as given in an option: upper-cases it and returns it, or returns a sentence
 * saying what is wrong (starting with a verb, to follow the option name).
 */
export function parseCountryCode(code: string): { code: string } | { problem: string } {
  const upper = code.trim().toUpperCase()
  if (!/^[A-Z]{2}$/.test(upper)) return { problem: 'must be an ISO 3166-1 alpha-2 country code (two letters)' }
  const meant = COMMON_MISTAKES[upper]
  if (meant !== undefined) return { problem: `is not an ISO 3166-1 alpha-2 code; did you mean "${meant}"?` }
  if (!COUNTRY_CODES.has(upper)) return { problem: 'is not an assigned ISO 3166-1 alpha-2 country code' }
  return { code: upper }
}

/**
 * A country as a database record gives it: two ASCII letters, upper-cased; anything else is
 * `null` (no usable country). Codes outside ISO 3166-1 that a database uses (`EU`, `ZZ`) are
 * kept as they are: they are what the database says, and match no list entry.
 */
export function recordCountry(value: unknown): string | null {
  if (typeof value !== 'string' || value.length !== 2) return null
  const upper = value.toUpperCase()
  const first = upper.charCodeAt(0)
  const second = upper.charCodeAt(1)
  return first >= 65 && first <= 90 && second >= 65 && second <= 90 ? upper : null
}
