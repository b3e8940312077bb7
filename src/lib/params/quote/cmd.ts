/**
 * Windows cmd.exe quoting for a line in a .cmd batch file that starts a program built with the
 * Microsoft C runtime (llama-server.exe). Two layers, applied in this order:
 *
 * 1. The program's own parsing (CommandLineToArgvW rules): a word with no space, tab, newline or
 *    `"` passes bare; otherwise it is wrapped in `"…"`, a `"` inside becomes `\"`, and backslashes
 *    are doubled where they precede a `"` (including the closing one).
 * 2. cmd.exe: every character cmd treats specially, `"` included, gets a `^` in front, so cmd never
 *    enters its own quoted mode and removes exactly those carets; `%` becomes `%%`, which a batch file
 *    reads as one literal `%` (a caret cannot protect `%`).
 *
 * Limits: a line break cannot be passed in a cmd argument at all (those values are refused).
 * `!` is only special with delayed expansion, which the script turns off. Characters outside the
 * console code page need `chcp 65001` (the writer adds it) and a UTF-8 saved file.
 */
const CMD_SPECIAL = /[()%!^"<>&|]/g;

/** Layer 1: one argv word as the C runtime expects it on the command line. */
export function quoteCrt(word: string): string {
  if (word !== '' && !/[\s"]/.test(word)) return word;
  let out = '"';
  let slashes = 0;
  for (const c of word) {
    if (c === '\\') {
      slashes++;
      continue;
    }
    if (c === '"') {
      out += '\\'.repeat(slashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(slashes) + c;
    }
    slashes = 0;
  }
  return out + '\\'.repeat(slashes * 2) + '"';
}

/** Layer 2: escapes text so a batch-file line hands it to the program unchanged. */
export function escapeCmd(text: string): string {
  return text.replace(CMD_SPECIAL, (c) => (c === '%' ? '%%' : '^' + c));
}

/** Why a word cannot be written on a cmd line, or null when it can. */
export function cmdProblem(word: string): string | null {
  if (/[\r\n]/.test(word)) return 'contains a line break, which cmd cannot pass to a program';
  if (/[\x00\x1a]/.test(word)) return 'contains a control character cmd does not pass through';
  return null;
}

/** One argv word as batch-file source. */
export function quoteCmd(word: string): string {
  return escapeCmd(quoteCrt(word));
}
