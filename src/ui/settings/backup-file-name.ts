/** Name of an exported database file: llama-dashboard-YYYY-MM-DD.sqlite3 (local date). */
export function backupFileName(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `llama-dashboard-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.sqlite3`;
}

