/** The message of anything thrown, for user-facing text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
