/**
 * OS command injection. The seed's `[;&|`$()]` matches a character that every second URL holds
 * (`?a=1&b=2`, `q=(a+b)*c`, `price=$5`, `/cars;color=red`). Here a shell separator counts only when
 * a command an attacker runs follows it: `; cat /etc/passwd`, `| id`, `&& whoami`, `$(uname -a)`,
 * `` `id` ``, `%0a ping -c 5 ...`. Commands that are also English words need their arguments
 * (`ping -c`, `sleep 5`, `cat /etc/...`, `curl http://...`), so "salt & pepper", "passport & id card"
 * and "; sleep well" are not commands.
 */

/** What may follow a command that takes no argument: the end, or shell syntax. */
const END = String.raw`[ \t]*(?=$|[;&|<>\`)'"#\n\r])`

const COMMAND = [
  // Reconnaissance commands, alone or with flags / a path.
  String.raw`(?:id|whoami|pwd|ifconfig|ipconfig|netstat|systeminfo|hostname|uname|ls|ps|env|printenv|dir|ver)(?:\s+-{1,2}\w+)*(?:\s+[/\\~][^\s;|&]*)?${END}`,
  String.raw`ps\s+(?:-?aux|-e?f)\b`,
  String.raw`cat\s+(?:-\w+\s+)*[^\s;|&]*[\\/.]`,
  String.raw`(?:head|tail|more|less|type)\s+(?:-\w+\s+)*[/\\~][^\s;|&]*`,
  String.raw`(?:curl|wget)\s+(?:-\w|['"]?(?:https?|ftp)://|[\w-]+\.[\w.-]+)`,
  String.raw`(?:nc|ncat|netcat)\s+(?:-\w|\d{1,3}\.\d)`,
  String.raw`ping\s+(?:-\w|\d{1,3}\.\d|[\w-]+\.[\w.-]+)`,
  String.raw`(?:nslookup|host)\s+[\w-]+\.[\w.-]+`,
  String.raw`dig\s+(?:@|[\w-]+\.[\w.-]+)`,
  String.raw`(?:sleep|timeout)\s+\d+${END}`,
  String.raw`echo\s+(?:\$|['"]|[\w-]+${END})`,
  String.raw`rm\s+-\w`,
  String.raw`chmod\s+[+\d]`,
  String.raw`chown\s+\w`,
  String.raw`(?:python[23]?|perl|ruby|php|node)\s+-[cer]\b`,
  String.raw`(?:ba|z|k|c|tc|da)?sh(?:\s+-\w+)?${END}`,
  String.raw`(?:powershell|pwsh)(?:\.exe)?\b`,
  String.raw`cmd(?:\.exe)?(?:\s+/[ck]\b|${END})`,
  String.raw`(?:certutil|bitsadmin|mkfifo|telnet|tftp|nohup|xterm)\b`,
  String.raw`net\s+(?:user|localgroup|view|share)\b`,
  String.raw`sudo\s+\S`,
  String.raw`su\s+-`,
  String.raw`crontab\s+-`,
  String.raw`base64\s+-d`,
  String.raw`/(?:usr/)?(?:local/)?s?bin/\w+`,
].join('|')

/** A command after `;`, `|`, `||`, `&`, `&&` or inside `$(...)`. */
export const CHAINED_COMMAND: RegExp = new RegExp(String.raw`(?:[;|&]|\$\()\s*(?:${COMMAND})`, 'i')

/** A command on a new line: `%0aid`, `%0d%0a cat /etc/passwd` (never in a URL or header legitimately). */
export const NEWLINE_COMMAND: RegExp = new RegExp(String.raw`[\n\r][ \t]*(?:${COMMAND})`, 'i')

/** Backtick substitution: `` `id` ``, `` `cat /etc/passwd` ``. */
export const BACKTICK_COMMAND: RegExp = new RegExp(String.raw`\`\s*(?:${COMMAND})`, 'i')

/**
 * Shell tricks with no innocent use: `${IFS}` as a space, `/bin/sh`, `cmd /c`,
 * `powershell -enc`, `nc -e`, `bash -i`, `> /dev/tcp/...`.
 */
export const SHELL_INVOCATION: RegExp =
  /\$\{IFS[}%#:]|\$IFS\b|[\s;|&`(=]\/bin\/(?:ba|z|k|c|tc|da)?sh\b|\bcmd(?:\.exe)?\s+\/[ck]\s|\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|c|command|nop|w)\b|\bnc(?:at)?\s+(?:-\w+\s+)*-e\s|\bbash\s+-[ci]\b|>&?\s*\/dev\/(?:tcp|udp)\//i
