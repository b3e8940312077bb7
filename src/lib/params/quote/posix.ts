/**
 * POSIX shell quoting (bash, dash, zsh, busybox sh). Words made only of characters no shell treats
 * specially stay bare; anything else is single-quoted, where nothing is special except the closing
 * quote, written as '\''. Single quotes also keep interactive bash from history-expanding `!`.
 */
// '=' may not lead: zsh expands a leading `=word` to a command path.
const SAFE = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/** One argv word as POSIX shell source. */
export function quotePosix(word: string): string {
  if (SAFE.test(word)) return word;
  return "'" + word.replaceAll("'", "'\\''") + "'";
}

/**
 * A reference to an environment variable that fails loudly when the variable is unset or empty
 * (instead of starting the server with an empty value).
 */
export function posixEnvRef(name: string): string {
  return `"\${${name}:?${name} is not set}"`;
}
