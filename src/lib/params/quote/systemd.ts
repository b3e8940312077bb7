/**
 * Quoting for systemd's ExecStart= (systemd.service(5), "Command lines"; systemd.syntax(7)).
 * systemd splits the line itself (no shell): each word here is wrapped in double quotes, inside
 * which `\` and `"` are backslash-escaped and control characters use C escapes (\n, \t, \xNN).
 * `$` is written `$$` (systemd expands $VAR and ${VAR}) and `%` is written `%%` (unit specifiers).
 */
const C_ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/** One argv word as an ExecStart= word. */
export function quoteSystemd(word: string): string {
  let out = '"';
  for (const c of word) {
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '$') out += '$$';
    else if (c === '%') out += '%%';
    else if (c in C_ESCAPES) out += C_ESCAPES[c];
    else if (c < ' ' || c === '\x7f') out += '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    else out += c;
  }
  return out + '"';
}

/** Why a word cannot be written in a unit file, or null when it can. */
export function systemdProblem(word: string): string | null {
  return word.includes('\0') ? 'contains a NUL character' : null;
}
