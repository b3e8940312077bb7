import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteCmd, quoteCrt } from '../../../src/lib/params/quote/cmd';
import { quotePosix } from '../../../src/lib/params/quote/posix';
import { quotePowerShell } from '../../../src/lib/params/quote/powershell';
import { quoteSystemd } from '../../../src/lib/params/quote/systemd';
import { yamlString, yamlUnquote } from '../../../src/lib/params/quote/yaml';
import { nastyString } from './helpers';

const words = fc.array(nastyString(), { minLength: 1, maxLength: 6 });

/**
 * What a batch-file line hands to a program, per the documented cmd.exe phases: `%%` is one `%`
 * (phase 1; a lone `%` would start a variable), then outside cmd's quoted mode `^x` is `x` and
 * `& | < > ( )` would end or redirect the command (phase 2). Throws where the line is unsafe.
 */
function cmdPhases(line: string): string {
  if (/%(?!%)/.test(line.replaceAll('%%', ''))) throw new Error('lone % would expand a variable');
  const s = line.replaceAll('%%', '%');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '^') out += s[++i];
    else if ('"&|<>()!'.includes(c)) throw new Error(`unescaped ${c} at ${i}`);
    else out += c;
  }
  return out;
}

/** CommandLineToArgvW as documented by Microsoft ("Parsing C command-line arguments"). */
function crtArgv(cmdline: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < cmdline.length; i++) {
    const c = cmdline[i];
    if (c === '\\') {
      let n = 0;
      while (cmdline[i] === '\\') (n++, i++);
      if (cmdline[i] === '"') {
        cur += '\\'.repeat(Math.floor(n / 2));
        if (n % 2) cur += '"';
        else quoted = !quoted;
      } else {
        cur += '\\'.repeat(n);
        i--;
      }
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if ((c === ' ' || c === '\t') && !quoted) {
      if (inWord) args.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) args.push(cur);
  return args;
}

/** systemd's ExecStart= splitting (systemd.syntax(7)): quotes, C escapes, $$ and %% (no variables here). */
function systemdWords(line: string): string[] {
  const out: string[] = [];
  const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    expect(line[i]).toBe('"');
    let w = '';
    for (i++; line[i] !== '"'; i++) {
      const c = line[i];
      if (c === '\\') {
        const e = line[++i];
        if (e === 'x') {
          w += String.fromCharCode(parseInt(line.slice(i + 1, i + 3), 16));
          i += 2;
        } else w += esc[e];
      } else if (c === '$' || c === '%') {
        expect(line[i + 1], `lone ${c} in ${line}`).toBe(c);
        w += c;
        i++;
      } else w += c;
    }
    i++;
    out.push(w);
  }
  return out;
}

describe('PowerShell quoting (about_Quoting_Rules)', () => {
  it.each([
    ['-c', '-c'],
    ['4096', '4096'],
    ['/models/x.gguf', '/models/x.gguf'],
    ["it's", "'it''s'"],
    ['a b', "'a b'"],
    ['$env:HOME', "'$env:HOME'"],
    ['`n', "'`n'"],
    ['a,b', "'a,b'"],
    ['@args', "'@args'"],
    ['--', "'--'"],
    ['--%', "'--%'"],
    ['1kb', "'1kb'"],
    ['0x10', "'0x10'"],
    ['-1', '-1'],
    ['C:\\models\\x.gguf', "'C:\\models\\x.gguf'"],
    ['\u2018smart\u2019', "'\u2018\u2018smart\u2019\u2019'"],
    ['', "''"],
  ])('%j is written %s', (word, quoted) => {
    expect(quotePowerShell(word)).toBe(quoted);
  });

  it('single-quotes anything else, with every single-quote character doubled', () => {
    fc.assert(
      fc.property(nastyString(), (w) => {
        const q = quotePowerShell(w);
        if (q === w) {
          expect(w).toMatch(/^(-?\d+(\.\d+)?|--?[A-Za-z][\w./+-]*|[A-Za-z/.][\w./+-]*)$/);
          return;
        }
        expect(q.startsWith("'") && q.endsWith("'")).toBe(true);
        const inner = q.slice(1, -1);
        expect(inner.replace(/(['\u2018\u2019\u201A\u201B])\1/g, '')).not.toMatch(/['\u2018\u2019\u201A\u201B]/);
        expect(inner.replace(/(['\u2018\u2019\u201A\u201B])\1/g, '$1')).toBe(w);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cmd.exe quoting (batch file, C runtime argv rules)', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', '^"a b^"'],
    ['100%', '100%%'],
    ['a&b|c', 'a^&b^|c'],
    ['say "hi"', '^"say \\^"hi\\^"^"'],
    ['C:\\dir with space\\', '^"C:\\dir with space\\\\^"'],
    ['', '^"^"'],
    ['!x!', '^!x^!'],
  ])('%j is written %s', (word, quoted) => {
    expect(quoteCmd(word)).toBe(quoted);
  });

  it('reaches the program as exactly the intended argv', () => {
    const word = nastyString().map((s) => s.replace(/[\r\n\x1a]/g, ''));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (ws) => {
        const line = ws.map(quoteCmd).join(' ');
        expect(crtArgv(cmdPhases(line))).toEqual(ws);
        expect(crtArgv(ws.map(quoteCrt).join(' '))).toEqual(ws);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('systemd ExecStart= quoting', () => {
  it.each([
    ['plain', '"plain"'],
    ['$HOME', '"$$HOME"'],
    ['50%', '"50%%"'],
    ['a "b" \\c', '"a \\"b\\" \\\\c"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['\x01', '"\\x01"'],
  ])('%j is written %s', (word, quoted) => {
    expect(quoteSystemd(word)).toBe(quoted);
  });

  it('splits back into exactly the intended words', () => {
    fc.assert(
      fc.property(words, (ws) => {
        expect(systemdWords(ws.map(quoteSystemd).join(' '))).toEqual(ws);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('POSIX quoting', () => {
  it.each([
    ['plain', 'plain'],
    ['=x', "'=x'"],
    ['a=b', 'a=b'],
    ["it's", "'it'\\''s'"],
    ['$(id)', "'$(id)'"],
    ['', "''"],
    ['~', "'~'"],
  ])('%j is written %s', (word, quoted) => {
    expect(quotePosix(word)).toBe(quoted);
  });
});

describe('YAML double-quoted scalars', () => {
  it('read back exactly what was written, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(nastyString(), fc.string({ unit: 'binary' })), (text) => {
        expect(yamlUnquote(yamlString(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('take an escaped backslash before "x00" as a backslash, not as the start of \\x00', () => {
    expect(yamlString('\\x00')).toBe('"\\\\x00"');
    expect(yamlUnquote('"\\\\x00"')).toBe('\\x00');
    expect(yamlUnquote('"\\x41\\u00e9\\U0001F600\\0\\e\\N"')).toBe('Aé😀\0\x1b\x85');
  });

  it('refuse what is not one double-quoted scalar', () => {
    for (const bad of ['"open', '"a"b"', '"\\q"', '"\\x4"', '"\\', 'plain']) expect(yamlUnquote(bad)).toBeNull();
  });
});
