/**
 * SQL injection. A SQL keyword in text is not an attack ("select a plan", "drop shipping",
 * "union station", "update my address"): each pattern needs the *syntax* of an injection, a quote
 * or number closed and followed by a condition, a second statement after `;`, a comment that cuts
 * the query, `UNION [ALL] SELECT`, or a function only an injection calls (`SLEEP(5)`,
 * `BENCHMARK(...)`).
 *
 * Comments used as blanks (`union/**\/select`, `/*!50000union*\/`, `union#x%0aselect`) are not
 * spelled out here: SQL rules also see the value with its SQL comments replaced by a space
 * (`sqlComments` in decode.ts), so these patterns only need `\s`.
 *
 * Written against catastrophic backtracking (`test/redos.test.ts`): no two quantified runs that can
 * match the same characters sit next to each other (`\s*\)*\s*` is written `[\s)]*`), and every
 * run follows a token it cannot match, so each character is scanned from one start only.
 */

const QUOTE = '[\'"`]'

/** `UNION SELECT`, `UNION ALL SELECT`, `UNION (SELECT`, `union%0aselect`. */
export const UNION_SELECT: RegExp = /\bunion[\s(]+(?:(?:all|distinct)[\s(]+)?select\b/i

const OPERATOR = String.raw`(?:=|<=>|<>|!=|<=?|>=?|\blike\s*['"]|\b(?:r?like|regexp|sounds\s+like)\b\s*\S)`
const CONNECTIVE = String.raw`(?:\b(?:or|and|xor|div)\b|\|\||&&)`

/**
 * A condition glued to a closed quote: `1' OR '1'='1`, `' or 1=1--`, `" or ""="`, `') or ('a'='a`,
 * `' OR 1 --`, `admin' and 1=2`; or a condition that is always true or false whatever the quotes:
 * `OR 1=1`, `and 2>1`, `or 'a'='a'` (`<` and `>` only unspaced: "and 3 < 5" is prose).
 */
export const TAUTOLOGY: RegExp = new RegExp(
  [
    String.raw`${QUOTE}[\s)]*${CONNECTIVE}[\s(]*(?:(?:${QUOTE}[\w@.$-]{0,64}${QUOTE}|[\w@.$-]{1,64})\s*${OPERATOR}|(?:\d+|true|false|null|not\s+\w+)\s*(?:--|#|/\*|;))`,
    String.raw`\b(?:or|and|xor|having)\s+\(*\d+(?:\s*(?:=|<>|!=|<=>)\s*|[<>]=?)\d+\b`,
    String.raw`\b(?:or|and|xor)\s+(['"])(\w{0,32})\1\s*=\s*\1\2\1`,
  ].join('|'),
  'i',
)

/** A boolean condition on a sub-query: `' AND (SELECT ...`, `1 or (select ...`. */
export const BLIND_SUBQUERY: RegExp = new RegExp(String.raw`(?:${QUOTE}|\b\d+)[\s)]*${CONNECTIVE}[\s(]*select\b`, 'i')

/**
 * A comment that cuts the rest of the query: `admin'--`, `admin'#`, `admin' -- ` at the end,
 * `'/*`, and column-count probes `ORDER BY 5--`.
 */
export const COMMENT_TERMINATOR: RegExp = new RegExp(
  [
    String.raw`${QUOTE}\)*(?:--|#)(?:[\s-]|$)`,
    String.raw`${QUOTE}[\s)]*(?:--|#)[^\n]{0,8}$`,
    String.raw`${QUOTE}[\s)]*/\*`,
    String.raw`\b(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+){0,8}\s*(?:--|#|/\*|;)`,
  ].join('|'),
  'i',
)

/** A second statement after `;`: `'; DROP TABLE users; --`, `1; DELETE FROM`, `; EXEC xp_cmdshell`. */
export const STACKED_QUERY: RegExp =
  /;\s*(?:drop\s+(?:table|database|schema|view|index|user|procedure|function)\b|delete\s+from\b|insert\s+into\b|update\s+[\w.`"[\]]{1,64}\s+set\b|truncate\s+(?:table\s+)?[\w`"]|alter\s+(?:table|user|database)\b|create\s+(?:table|user|database|login|procedure|function|trigger)\b|exec(?:ute)?\s+(?:xp_|sp_|master\.)|shutdown\s*(?:--|;|#|$|with\b)|declare\s+@|select\s+(?:\*|@@|\d|null\b|\w{1,32}\s*\()|grant\s+\w|waitfor\s+delay\b|copy\s+\w{1,64}\s+(?:from|to)\s+program\b)/i

/**
 * Functions and catalogues only an injection reaches for: time delays (`SLEEP(5)`,
 * `BENCHMARK(1e6,...)`, `pg_sleep`, `WAITFOR DELAY`), file access (`LOAD_FILE`, `INTO OUTFILE`),
 * error-based extraction (`EXTRACTVALUE`, `UPDATEXML`), server variables (`@@version`), catalogue
 * reads (`FROM information_schema.tables`), `CHAR(115,101,108,...)` string building, and functions
 * over a sub-query (`ASCII((SELECT ...`).
 */
export const INJECTION_FUNCTION: RegExp =
  /@@(?:version|datadir|hostname|basedir)\b|\b(?:sleep\(\s*\d+(?:\.\d+)?\s*\)|benchmark\s*\(\s*\d+\s*,|pg_sleep\s*\(|waitfor\s+(?:delay|time)\s*['"]|dbms_pipe\s*\.\s*receive_message|utl_(?:inaddr|http)\s*\.|load_file\s*\(|into\s+(?:out|dump)file\b|(?:extractvalue|updatexml)\s*\(|(?:from|join)\s+(?:information_schema|pg_catalog|sqlite_master|mysql\s*\.\s*user|sys\s*\.\s*\w+|master\.\.?sys\w+)\b|xp_cmdshell\s*[('"]|exec(?:ute)?\s+(?:master\.\.?)?xp_cmdshell\b|char\s*\(\s*\d+(?:\s*,\s*\d+){2,}\s*\)|concat(?:_ws)?\s*\(\s*0x[0-9a-f]+|(?:ascii|ord|substr(?:ing)?|mid|length|len|hex|unhex|count|concat|if|ifnull|coalesce|convert|cast)\s*\([\s(]*select\b)/i
