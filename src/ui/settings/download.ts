/** Name of an exported database file: llama-dashboard-YYYY-MM-DD.sqlite3 (local date). */
export function backupFileName(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `llama-dashboard-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.sqlite3`;
}

/** Saves bytes as a file through the browser's download. */
export function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/vnd.sqlite3' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
