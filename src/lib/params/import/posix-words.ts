/** A word of pasted shell source after quote removal. */
export interface ShellWord {
  text: string;
  /** Expansions the paste contains but we cannot evaluate ($VAR, ${…}, $(…), `…`, ~), as written. */
  expansions: string[];
  /** The whole word is one variable reference ("$NAME", "${NAME:?…}"): the variable's name. */
  ref?: string;
}

export interface SplitResult {
  /** Simple commands, split at newlines, `;`, `&&`, `||`, `|` and `&`. */
  commands: ShellWord[][];
  warnings: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

/** Decodes the body of a bash `$'…'` string starting at `i` (after the quote); returns [text, end]. */
function ansiC(src: string, i: number): [string, number] {
  let out = '';
  while (i < src.length && src[i] !== "'") {
    if (src[i] !== '\\') {
      out += src[i++];
      continue;
    }
    const c = src[i + 1];
    i += 2;
    if (c in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[c];
    else if (/[0-7]/.test(c)) {
      const m = /^[0-7]{1,3}/.exec(src.slice(i - 1))![0];
      out += String.fromCharCode(parseInt(m, 8) & 0xff);
      i += m.length - 1;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const max = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(src.slice(i));
      if (!m) out += '\\' + c;
      else {
        out += String.fromCodePoint(parseInt(m[0], 16));
        i += m[0].length;
      }
    } else if (c === 'c' && i < src.length) {
      out += String.fromCharCode(src.charCodeAt(i++) & 0x1f);
    } else out += '\\' + (c ?? '');
  }
  return [out, i + 1];
}

/** Reads `$…` at src[i] (src[i] === '$'); returns [raw text, variable name or null, end]. */
function dollar(src: string, i: number): [string, string | null, number] {
  const next = src[i + 1];
  if (next === '{') {
    const end = src.indexOf('}', i + 2);
    const stop = end < 0 ? src.length : end + 1;
    const raw = src.slice(i, stop);
    return [raw, NAME.exec(raw.slice(2))?.[0] ?? null, stop];
  }
  if (next === '(') {
    let depth = 0;
    let j = i + 1;
    for (; j < src.length; j++) {
      if (src[j] === '(') depth++;
      else if (src[j] === ')' && --depth === 0) break;
    }
    return [src.slice(i, j + 1), null, j + 1];
  }
  const m = NAME.exec(src.slice(i + 1)) ?? /^[0-9@*#?$!-]/.exec(src.slice(i + 1));
  if (!m) return ['$', null, i + 1];
  return ['$' + m[0], NAME.test(m[0]) ? m[0] : null, i + 1 + m[0].length];
}

/**
 * Splits POSIX shell source into simple commands and words, undoing quotes ('…', "…", $'…',
 * backslashes) and line continuations. Expansions are kept as written and reported, since their
 * values are not known here; redirections and comments are dropped with a warning.
 */
export function splitPosix(src: string): SplitResult {
  const commands: ShellWord[][] = [];
  const warnings: string[] = [];
  let cmd: ShellWord[] = [];
  let word: ShellWord | null = null;
  let refs: (string | null)[] = [];
  const start = () => (word ??= { text: '', expansions: [] });
  const endWord = () => {
    if (word) {
      if (refs.length === 1 && refs[0] && word.text === word.expansions[0]) word.ref = refs[0];
      cmd.push(word);
    }
    word = null;
    refs = [];
  };
  const endCmd = () => {
    endWord();
    if (cmd.length) commands.push(cmd);
    cmd = [];
  };
  const expand = (raw: string, name: string | null) => {
    const w = start();
    w.text += raw;
    w.expansions.push(raw);
    refs.push(name);
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && (src[i + 1] === '\n' || src.startsWith('\r\n', i + 1))) {
      i += src[i + 1] === '\n' ? 2 : 3;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';' || c === '&' || c === '|') {
      endCmd();
      i += src[i + 1] === c && c !== '\n' ? 2 : 1;
    } else if (c === '#' && !word) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '>' || c === '<') {
      const pending = word as ShellWord | null;
      if (pending && /^\d+$/.test(pending.text)) word = null;
      endWord();
      let j = i;
      while (/[<>&|]/.test(src[j] ?? '')) j++;
      while (src[j] === ' ' || src[j] === '\t') j++;
      while (j < src.length && !/[\s;&|]/.test(src[j])) j++;
      warnings.push(`redirection "${src.slice(i, j).trim()}" ignored`);
      i = j;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      const stop = end < 0 ? src.length : end;
      if (end < 0) warnings.push('unclosed single quote');
      start().text += src.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '$' && src[i + 1] === "'") {
      const [text, end] = ansiC(src, i + 2);
      start().text += text;
      i = end;
    } else if (c === '"') {
      const w = start();
      i++;
      let literal = '';
      while (i < src.length && src[i] !== '"') {
        const d = src[i];
        if (d === '\\' && '$`"\\\n'.includes(src[i + 1] ?? '')) {
          if (src[i + 1] !== '\n') literal += src[i + 1];
          i += 2;
        } else if (d === '$' || d === '`') {
          w.text += literal;
          literal = '';
          const [raw, name, end] = d === '$' ? dollar(src, i) : backtick(src, i);
          expand(raw, name);
          i = end;
        } else {
          literal += d;
          i++;
        }
      }
      if (i >= src.length) warnings.push('unclosed double quote');
      w.text += literal;
      i++;
    } else if (c === '$' || c === '`') {
      const [raw, name, end] = c === '$' ? dollar(src, i) : backtick(src, i);
      expand(raw, name);
      i = end;
    } else if (c === '~' && !word) {
      expand('~', null);
      i++;
    } else if (c === '\\') {
      start().text += src[i + 1] ?? '';
      i += 2;
    } else {
      start().text += c;
      i++;
    }
  }
  endCmd();
  return { commands, warnings };
}

function backtick(src: string, i: number): [string, null, number] {
  const end = src.indexOf('`', i + 1);
  const stop = end < 0 ? src.length : end + 1;
  return [src.slice(i, stop), null, stop];
}
