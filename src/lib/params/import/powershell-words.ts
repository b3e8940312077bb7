import type { ShellWord, SplitResult } from './posix-words';

const SQ = "'\u2018\u2019\u201A\u201B";
const DQ = '"\u201C\u201D\u201E';
const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** `$…` at src[i]: $env:NAME, $NAME, ${…} or $(…); returns [raw, env-or-variable name, end]. */
function dollar(src: string, i: number): [string, string | null, number] {
  const rest = src.slice(i);
  const env = /^\$env:([A-Za-z_][A-Za-z0-9_]*)/i.exec(rest);
  if (env) return [env[0], env[1], i + env[0].length];
  if (rest.startsWith('$(')) {
    const end = balanced(src, i + 1);
    return [src.slice(i, end), null, end];
  }
  const braced = /^\$\{[^}]*\}/.exec(rest);
  if (braced) return [braced[0], null, i + braced[0].length];
  const v = /^\$[A-Za-z_][A-Za-z0-9_:]*/.exec(rest);
  if (v) return [v[0], null, i + v[0].length];
  return ['$', null, i + 1];
}

/** End (exclusive) of the parenthesised group opening at src[i], skipping quoted text. */
function balanced(src: string, i: number): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (SQ.includes(c) || DQ.includes(c)) {
      const close = src.slice(j + 1).search(SQ.includes(c) ? /['\u2018\u2019\u201A\u201B]/ : /["\u201C\u201D\u201E]/);
      j = close < 0 ? src.length : j + 1 + close;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return src.length;
}

/**
 * Splits PowerShell source into statements and words: backtick continuations and escapes, '…'
 * with '' (and the typographic single quotes), "…" with `" and "", the call operator `&`, and
 * `--%`. Variables, `$env:` references and expressions are kept as written and reported.
 */
export function splitPowerShell(src: string): SplitResult {
  const commands: ShellWord[][] = [];
  const warnings: string[] = [];
  let cmd: ShellWord[] = [];
  let word: ShellWord | null = null;
  let ref: string | null = null;
  let parts = 0;
  const start = () => (word ??= { text: '', expansions: [] });
  const endWord = () => {
    if (word) {
      if (parts === 1 && ref && word.expansions.length === 1 && word.text === word.expansions[0]) word.ref = ref;
      cmd.push(word);
    }
    word = null;
    ref = null;
    parts = 0;
  };
  const endCmd = () => {
    endWord();
    if (cmd.length) commands.push(cmd);
    cmd = [];
  };
  const expand = (raw: string, name: string | null) => {
    start().text += raw;
    word!.expansions.push(raw);
    ref = name;
    parts++;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '`' && (src[i + 1] === '\n' || src.startsWith('\r\n', i + 1))) {
      i += src[i + 1] === '\n' ? 2 : 3;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';' || c === '|' || (c === '&' && src[i + 1] === '&')) {
      endCmd();
      i += c === '&' || (c === '|' && src[i + 1] === '|') ? 2 : 1;
    } else if (c === '&' && !word && cmd.length === 0) {
      i++;
    } else if (c === '#' && !word) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (!word && src.startsWith('<#', i)) {
      const end = src.indexOf('#>', i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (!word && src.startsWith('--%', i) && /[\s]|$/.test(src[i + 3] ?? '')) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      for (const w of src.slice(i + 3, stop).trim().split(/\s+/).filter(Boolean)) cmd.push({ text: w, expansions: [] });
      warnings.push('--% passes the rest of the line unparsed; its words were split at spaces');
      i = stop;
    } else if (SQ.includes(c)) {
      const w = start();
      parts++;
      i++;
      while (i < src.length) {
        if (SQ.includes(src[i])) {
          if (SQ.includes(src[i + 1] ?? '')) {
            w.text += src[i + 1];
            i += 2;
            continue;
          }
          break;
        }
        w.text += src[i++];
      }
      if (i >= src.length) warnings.push('unclosed single quote');
      i++;
    } else if (DQ.includes(c)) {
      const w = start();
      parts++;
      i++;
      while (i < src.length) {
        const d = src[i];
        if (DQ.includes(d)) {
          if (DQ.includes(src[i + 1] ?? '')) {
            w.text += src[i + 1];
            i += 2;
            continue;
          }
          break;
        }
        if (d === '`') {
          const e = src[i + 1] ?? '';
          w.text += ESCAPES[e] ?? e;
          i += 2;
        } else if (d === '$') {
          const [raw, , end] = dollar(src, i);
          w.text += raw;
          w.expansions.push(raw);
          i = end;
        } else {
          w.text += d;
          i++;
        }
      }
      if (i >= src.length) warnings.push('unclosed double quote');
      i++;
    } else if (c === '$') {
      const [raw, name, end] = dollar(src, i);
      expand(raw, name);
      i = end;
    } else if (c === '(' && !word) {
      const end = balanced(src, i);
      const raw = src.slice(i, end);
      expand(raw, /^\(\s*\$env:([A-Za-z_][A-Za-z0-9_]*)\b/i.exec(raw)?.[1] ?? null);
      i = end;
    } else if (c === '`') {
      const e = src[i + 1] ?? '';
      start().text += ESCAPES[e] ?? e;
      parts++;
      i += 2;
    } else {
      start().text += c;
      parts++;
      i++;
    }
  }
  endCmd();
  return { commands, warnings };
}
