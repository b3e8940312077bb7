/** What the exporter needs from /proc/meminfo, in bytes. */
export interface MemInfo {
  totalBytes: number | null;
  availableBytes: number | null;
}

/**
 * Reads MemTotal and MemAvailable from /proc/meminfo (values in kB, meaning KiB). "Used" is
 * total - MemAvailable: MemFree leaves out reclaimable page cache and so overstates use badly.
 * Kernels before 3.14 lack MemAvailable: it is then null, never guessed from MemFree.
 */
export function parseMeminfo(text: string): MemInfo {
  const read = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)(?:\\s*kB)?\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { totalBytes: read('MemTotal'), availableBytes: read('MemAvailable') };
}
