/**
 * YAML double-quoted scalars (YAML 1.2 §7.3.1, also read the same way by YAML 1.1 parsers):
 * `\` and `"` are escaped, and every character outside YAML's printable set (C0 and C1 controls,
 * DEL, U+2028/U+2029 line separators, U+FEFF, noncharacters) is written as an escape, so the value
 * survives any parser unchanged and stays on one line.
 */
const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\0': '\\0', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x1b': '\\e' };

function needsEscape(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff;
}

/** A YAML double-quoted scalar holding exactly `text`. */
export function yamlString(text: string): string {
  let out = '"';
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c in NAMED) out += NAMED[c];
    else if (needsEscape(cp)) out += cp <= 0xff ? '\\x' + cp.toString(16).padStart(2, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}

/** Whether text can sit in a YAML literal block (`|`) as is: printable and without line breaks. */
export function yamlBlockSafe(text: string): boolean {
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    if (cp === 0x09) continue;
    if (needsEscape(cp) || cp === 0x85) return false;
  }
  return true;
}
