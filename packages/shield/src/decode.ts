/**
 * Canonical forms of a value, as an application (or a lenient server in front of it) could read it.
 * Every function here is total: malformed input stays as it is, nothing throws.
 */

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 65 && code <= 70) return code - 55
  if (code >= 97 && code <= 102) return code - 87
  return -1
}

function pushUtf8(bytes: number[], codePoint: number): void {
  if (codePoint < 0x80) bytes.push(codePoint)
  else if (codePoint < 0x800) bytes.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f))
  else if (codePoint < 0x10000) {
    bytes.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f))
  } else {
    bytes.push(
      0xf0 | (codePoint >> 18),
      0x80 | ((codePoint >> 12) & 0x3f),
      0x80 | ((codePoint >> 6) & 0x3f),
      0x80 | (codePoint & 0x3f),
    )
  }
}

const ESCAPE = /%(?:[0-9a-f]{2}|u[0-9a-f]{4})/i

/** Whether `text` holds a percent-escape (`%2e`, or the IIS form `%u002e`) that would decode. */
export function hasEscape(text: string): boolean {
  return text.includes('%') && ESCAPE.test(text)
}

/**
 * Decodes percent-escapes once, as UTF-8, and with `plusAsSpace` (query strings) `+` as a space.
 * Also decodes what lenient decoders accept and attackers use to slip past filters: the IIS form
 * `%uXXXX`, and overlong UTF-8 encodings of ASCII (`%c0%ae` is `.`, `%c0%af` is `/`). Invalid
 * escapes stay literal; invalid UTF-8 becomes U+FFFD. Never throws.
 */
export function decodeOnce(text: string, plusAsSpace = false): string {
  const hasPercent = text.includes('%')
  if (!hasPercent && !(plusAsSpace && text.includes('+'))) return text
  const bytes: number[] = []
  let overlong = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 37 /* % */) {
      if (i + 2 < text.length) {
        const high = hexValue(text.charCodeAt(i + 1))
        const low = hexValue(text.charCodeAt(i + 2))
        if (high !== -1 && low !== -1) {
          const byte = high * 16 + low
          if (byte === 0xc0 || byte === 0xc1 || byte === 0xe0) overlong = true
          bytes.push(byte)
          i += 2
          continue
        }
      }
      const next = text.charCodeAt(i + 1)
      if ((next === 117 || next === 85) /* u U */ && i + 5 < text.length) {
        let value = 0
        for (let j = i + 2; j < i + 6; j++) {
          const digit = hexValue(text.charCodeAt(j))
          if (digit === -1) {
            value = -1
            break
          }
          value = value * 16 + digit
        }
        if (value !== -1) {
          pushUtf8(bytes, value)
          i += 5
          continue
        }
      }
      bytes.push(37)
    } else if (code === 43 /* + */ && plusAsSpace) bytes.push(32)
    else if (code < 0x80) bytes.push(code)
    else {
      const point = text.codePointAt(i) as number
      pushUtf8(bytes, point)
      if (point > 0xffff) i++
    }
  }
  return Buffer.from(overlong ? foldOverlong(bytes) : bytes).toString('utf8')
}

/** Overlong UTF-8 forms of ASCII (`C0 AE`, `E0 80 AE`) read as the ASCII byte, as old decoders did. */
function foldOverlong(bytes: number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number
    const second = bytes[i + 1] ?? 0
    if ((byte === 0xc0 || byte === 0xc1) && second >= 0x80 && second <= 0xbf) {
      out.push(((byte & 0x01) << 6) | (second & 0x3f))
      i += 1
      continue
    }
    const third = bytes[i + 2] ?? 0
    if (byte === 0xe0 && second >= 0x80 && second <= 0x81 && third >= 0x80 && third <= 0xbf) {
      out.push(((second & 0x01) << 6) | (third & 0x3f))
      i += 2
      continue
    }
    out.push(byte)
  }
  return out
}

const NUMERIC_ENTITY = /&#(?:x([0-9a-f]{1,6})|(\d{1,7}));?/gi
const NAMED_ENTITY = /&(colon|tab|newline|lpar|rpar|lt|gt|quot|apos|sol|bsol|period);/gi
const ANY_ENTITY = /&(?:#|(?:colon|tab|newline|lpar|rpar|lt|gt|quot|apos|sol|bsol|period);)/i
const NAMED: Readonly<Record<string, string>> = {
  colon: ':',
  tab: '\t',
  newline: '\n',
  lpar: '(',
  rpar: ')',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  period: '.',
}

/** Whether `text` holds an HTML character reference that `decodeEntities` would change. */
export function hasEntity(text: string): boolean {
  return text.includes('&') && ANY_ENTITY.test(text)
}

/**
 * Decodes HTML character references (`&#106;`, `&#x6a;`, `&colon;`, ...), the way a browser reads
 * an attribute value: `href="&#106;avascript:..."` is a `javascript:` URL.
 */
export function decodeEntities(text: string): string {
  return text
    .replace(NUMERIC_ENTITY, (entity, hex: string | undefined, decimal: string | undefined) => {
      const point = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal as string, 10)
      return point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : entity
    })
    .replace(NAMED_ENTITY, (_entity, name: string) => NAMED[name.toLowerCase()] as string)
}

const CONFUSABLE = /[\uff0e\uff0f\uff3c\uff1c\uff1e\u2215\u2216\u2044]/g
const HAS_CONFUSABLE = /[\uff0e\uff0f\uff3c\uff1c\uff1e\u2215\u2216\u2044]/
const FOLDED: Readonly<Record<string, string>> = {
  '\uff0e': '.',
  '\uff0f': '/',
  '\uff3c': '\\',
  '\uff1c': '<',
  '\uff1e': '>',
  '\u2215': '/',
  '\u2216': '\\',
  '\u2044': '/',
}

/**
 * Fullwidth and look-alike forms of `. / \ < >` as their ASCII characters, as Unicode
 * normalisation (NFKC) in a back end would read them: `．．／` is `../`.
 */
export function foldConfusables(text: string): string {
  if (!HAS_CONFUSABLE.test(text)) return text
  return text.replace(CONFUSABLE, (char) => FOLDED[char] as string)
}

/**
 * SQL comments a database reads as blanks: `/* ... *\/` (without `*` inside), MySQL's versioned
 * `/*!50000` and its closing `*\/`, and short `#` or `--` line comments ended by a newline (at most
 * 32 characters, without `#` or `-`, so that a value of many `#` or `-` is scanned in linear time).
 */
const SQL_COMMENT = /\/\*!\d{0,5}|\/\*(?!!)[^*]*\*\/|\*\/|#[^\n#]{0,32}\n|--[^\n-]{0,32}\n/g
const HAS_SQL_COMMENT = /\/\*|\*\/|#[^\n#]{0,32}\n|--[^\n-]{0,32}\n/

/**
 * The value with its SQL comments replaced by a space, as the database parses it:
 * `1/**\/UNION/**\/SELECT` is `1 UNION SELECT`, `/*!50000union*\/` is ` union `. SQL rules see this
 * form as well as the value itself.
 */
export function sqlComments(text: string): string {
  if (!HAS_SQL_COMMENT.test(text)) return text
  return text.replace(SQL_COMMENT, ' ')
}
