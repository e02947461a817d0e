/**
 * Path traversal. `..` alone is ordinary (`range=1..10`, `wait...`): a traversal is a `..` segment,
 * between separators (`/`, `\`) or at the start of a value, including the filter evasion `....//`
 * and Tomcat's `..;/`. Encoded spellings (`%2e%2e%2f`, `%252e`, `%c0%ae`, `..%5c`, `．．／`) are
 * decoded before these patterns see the value.
 */

/** A `..` segment in a path, query value or header: `../`, `..\`, `/..` at the end, `..;/`, `....//`. */
export const DOT_DOT_SEGMENT: RegExp = /(?:^|[\\/=])\.\.(?:[\\/;]|$)|\.{4}[\\/]{2}/

/**
 * In a body, `../` is common in prose and Markdown links (`[docs](../guide.md)`): only a value that
 * *starts* with a traversal, or climbs three levels or more, counts.
 */
export const RELATIVE_ESCAPE: RegExp = /^\s*\.\.[\\/]|(?:\.\.[\\/]){3,}|\.{4}[\\/]{2}/

/**
 * Files an attacker reads through a traversal or an absolute path: `/etc/passwd`, `/etc/shadow`,
 * `/proc/self/environ`, `c:\windows\win.ini`, `boot.ini`, `/.ssh/id_rsa`, `/.git/config`, `/.env`,
 * `wp-config.php`.
 */
export const SENSITIVE_FILE: RegExp =
  /(?:^|[\\/=:'"\s])(?:etc[\\/](?:passwd|shadow|group|hosts|issue|sudoers|master\.passwd)\b|proc[\\/](?:self|\d+)[\\/](?:environ|cmdline|maps|mem|fd\b|status)|win(?:dows|nt)[\\/](?:win\.ini|system\.ini|system32[\\/])|inetpub[\\/]wwwroot)|[\\/:](?:boot\.ini|wp-config\.php|web\.config)\b|[\\/]\.(?:git[\\/](?:config|HEAD|index)|svn[\\/]|hg[\\/]|env(?:$|[.\\/\s'"])|ssh[\\/]|aws[\\/]credentials|htpasswd|htaccess|bash_history|npmrc|docker[\\/]config)/i

/**
 * Hidden files and directories requested by path, as scanners probe for them: `/.git/config`,
 * `/.env`, `/.ssh/`, `/.aws/credentials`, `/.htpasswd`. (`/.well-known/` is not one.)
 */
export const DOTFILE_PROBE: RegExp =
  /\/\.(?:git|svn|hg|env|ssh|aws|htpasswd|htaccess|bash_history|npmrc|DS_Store|docker|kube|idea|vscode)(?:$|[/.;])/i
