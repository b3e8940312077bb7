/**
 * PowerShell quoting for arguments of native commands (PowerShell 7.3+, where arguments reach the
 * program exactly as written; see about_Parsing and about_Quoting_Rules).
 *
 * Flags, plain numbers and words of letters, digits and `_ . / + -` that start with a letter, `/`
 * or `.` stay bare (a bare `1kb` or `0x10` would be read as a number literal). Everything else is
 * single-quoted: inside single quotes nothing expands, and a quote is written
 * twice. PowerShell treats the typographic quotes U+2018, U+2019, U+201A and U+201B as single
 * quotes too, so those are doubled as well. A bare `--` or `--%` would be taken as a parser token,
 * and `,` `;` `(` `$` `@` `#` `{` `` ` `` have meanings bare, hence the short bare list.
 */
const SAFE = /^(-?\d+(\.\d+)?|--?[A-Za-z][A-Za-z0-9_./+-]*|[A-Za-z/.][A-Za-z0-9_./+-]*)$/;
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** One argv word as PowerShell source. */
export function quotePowerShell(word: string): string {
  if (SAFE.test(word)) return word;
  return "'" + word.replace(SINGLE_QUOTES, (q) => q + q) + "'";
}

/**
 * A reference to an environment variable that stops the script when it is not set, instead of
 * passing an empty value (which would start the server without its key).
 */
export function powerShellEnvRef(name: string): string {
  return `($env:${name} ?? $(throw '${name} is not set'))`;
}
