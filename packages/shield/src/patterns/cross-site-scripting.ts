/**
 * Cross-site scripting. `<` and `>` alone are ordinary (`price < 100`, `a <b> tag`), and so is the
 * word JavaScript ("JavaScript: The Good Parts"): each pattern needs markup that runs script, a
 * `javascript:` URL followed by code, or a script API called with an argument.
 */

/** `<script>`, `< script src=...>`, `</script>` (breaking out of a script block). */
export const SCRIPT_TAG: RegExp = /<\s{0,4}\/?\s{0,4}script\b/i

/**
 * Any tag carrying an event handler or a script-bearing attribute: `<img src=x onerror=...>`,
 * `<svg/onload=...>`, `<body onload=...>`, `<details open ontoggle=...>`, `<a formaction=...>`,
 * `<iframe srcdoc=...>`. The attributes are scanned up to the next `<` or `>` (256 characters at
 * most), so that a value of many `<a <a <a` is scanned in linear time.
 */
export const EVENT_HANDLER: RegExp =
  /<[a-z][\w:-]{0,32}(?:[\s/][^<>]{0,256}?)?[\s/"'](?:on[a-z]{3,32}|formaction|srcdoc)\s*=/i

/**
 * Tags that load or replace content, or change where the page's URLs point: `<iframe>`,
 * `<object>`, `<embed>`, `<applet>`, `<frame>`, `<base>`, `<meta>`, `<link>`, `<form>`, `<style>`.
 */
export const EMBEDDING_TAG: RegExp =
  /<\s{0,4}(?:iframe|frame|frameset|object|embed|applet|base|meta|link|form|isindex|style|import)\b/i

/**
 * A URL whose scheme runs script: `javascript:alert(1)`, `java\tscript:`, `vbscript:msgbox(1)`,
 * `javascript://%0aalert(1)`, `data:text/html,...`. The scheme must be followed by code, so the
 * book title "JavaScript: The Good Parts" is not one.
 */
export const SCRIPT_URL: RegExp =
  /(?<![\w-])(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e)\s*s\s*c\s*r\s*i\s*p\s*t\s*:\s*(?:[\w$.]{1,64}(?:[([=`]|\s*\.\s*\w+\()|\/\/|\/\*|\[|['"`]|void\b|\(|&#|\\[ux])|(?<![\w-])data\s*:\s*(?:text\/html|image\/svg\+xml|application\/(?:x-)?(?:javascript|ecmascript)|text\/javascript)/i

/**
 * Script APIs called the way a payload calls them: `alert(1)`, `alert\`1\``, `prompt(document.domain)`,
 * `'+document.cookie`, `document.write(`, `eval(atob(`, `String.fromCharCode(`, `top['al'+'ert']`,
 * CSS `expression(`. `alert (1995)`, with a space, is prose and not matched.
 */
export const SCRIPT_API: RegExp =
  /[(+]\s*document\s*\.\s*(?:cookie|domain)\b|\.innerHTML\s*=|\b(?:document\s*\.\s*(?:(?:cookie|domain)\s*[)+;]|cookie\s*=\s*['"`]|write(?:ln)?\s*\()|window\s*\.\s*location\s*=|(?:alert|prompt|confirm)(?:\(\s*(?:['"`\d/]|document\b|window\b|this\b|\))|`)|String\s*\.\s*fromCharCode\s*\(|eval\s*\(\s*(?:['"`]|atob\b|unescape\b|String\b|decodeURI|location\b|name\b|window\b|document\b)|(?:top|self|parent|window|globalThis)\s*\[\s*['"`]|expression\s*\(|constructor\s*\(\s*['"`]|set(?:Timeout|Interval)\s*\(\s*['"`])/i
