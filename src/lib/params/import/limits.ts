/**
 * Largest paste each reader takes, in characters. A launch command or env file is a few kilobytes;
 * whole files (a llama-swap config with dozens of models, a preset, a Compose file) stay well under
 * a megabyte. Beyond these the readers refuse with a message instead of keeping the page busy.
 */
export const MAX_COMMAND_CHARS = 64 * 1024;
export const MAX_FILE_CHARS = 1024 * 1024;

/** Throws a message in words when `text` is longer than the reader takes. */
export function checkSize(text: string, max: number, what: string): void {
  if (text.length > max) {
    throw new Error(`This paste is ${(text.length / 1024).toFixed(0)} KiB; ${what} is read up to ${max / 1024} KiB. Paste only the part that holds the configuration.`);
  }
}
