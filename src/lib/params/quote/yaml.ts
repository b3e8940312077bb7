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

/** What each one-character escape of a YAML double-quoted scalar stands for (YAML 1.2 §5.7). */
const UNESCAPE: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The text of a one-line YAML double-quoted scalar (quotes included), or null when it is not one.
 * Escapes are read left to right, so an escaped backslash is never taken for the start of another.
 */
export function yamlUnquote(quoted: string): string | null {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return null;
  const body = quoted.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') return null;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return null;
    if (e in UNESCAPE) {
      out += UNESCAPE[e];
      continue;
    }
    const n = HEX_DIGITS[e];
    const hex = n ? body.slice(i + 1, i + 1 + n) : '';
    if (!n || hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return null;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) return null;
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
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
