/**
 * Idle llama-server reads through a companion exporter. An exporter that watches the same server (`--llama`)
 * reads its /metrics every interval anyway and sends the body it got on the snapshot stream the exporter
 * poller keeps open (collect/snapshot-stream.ts). While the server is idle and reads cleanly, the llama
 * poller takes that body instead of asking the server again: in Chromium a request wakes half a dozen
 * threads, and on a small machine that is most of what watching an idle server costs.
 *
 * The browser's own way to the server is still what the dashboard reports: the poller asks the server
 * itself on connect, at least every RELAY_VERIFY_MS, and at once whenever anything is off (busy, restarted,
 * failing, a body that is stale or already used, another build or model at that address).
 */

import { coversEndpoint, isWatchedServer, type ExporterLink, type RelayedMetrics, type WatchedServer } from '../lib/exporter-llama';
import { parsePrometheus } from '../lib/prometheus';
import type { Endpoint } from '../lib/types';

/** The newest line of an exporter's stream, parsed, and when it arrived (this computer's clock). */
export interface StreamLine {
  value: unknown;
  at: number;
}

/** A relayed /metrics body: its text, when it was read (this computer's clock, estimated) and a key no other body has. */
export interface RelayedBody {
  text: string;
  readAt: number;
  key: string;
  exporterId: number;
}

/** Who the poller reads: its endpoint and what /props said (a relayed body must be of the same server). */
export interface RelayTarget {
  endpoint: Endpoint;
  build: string | null;
  model: string | null;
}

export class MetricsRelay {
  readonly #sources = new Set<{ exporterId: number; newest: () => StreamLine | null }>();
  readonly #link: (llamaEndpointId: number) => ExporterLink | null;

  constructor(link: (llamaEndpointId: number) => ExporterLink | null) {
    this.#link = link;
  }

  /** An exporter poller offers its stream; call the returned function when it stops. */
  offer(exporterId: number, newest: () => StreamLine | null): () => void {
    const source = { exporterId, newest };
    this.#sources.add(source);
    return () => void this.#sources.delete(source);
  }

  /** The freshest body any exporter holds for `target`, no older than `maxAgeMs`; null when none. */
  find(target: RelayTarget, now: number, maxAgeMs: number): RelayedBody | null {
    let best: RelayedBody | null = null;
    const link = this.#link(target.endpoint.id);
    for (const s of this.#sources) {
      const line = s.newest();
      const snap = line?.value as { ts?: unknown; llama?: unknown } | null | undefined;
      if (!line || !snap || typeof snap.ts !== 'number' || !Array.isArray(snap.llama)) continue;
      for (const w of snap.llama) {
        if (!isWatchedServer(w) || !coversEndpoint(s.exporterId, w, target.endpoint, link) || !sameServer(w, target)) continue;
        const m = relayedMetrics(w);
        if (!m) continue;
        // Both parts of the age on one clock each: the line's wait here, the body's age at the exporter.
        const ageMs = now - line.at + (snap.ts - m.ts);
        if (ageMs > maxAgeMs || ageMs < -maxAgeMs || (best && best.readAt >= now - ageMs)) continue;
        best = { text: m.text, readAt: now - ageMs, key: `${s.exporterId}@${m.ts}`, exporterId: s.exporterId };
      }
    }
    return best;
  }
}

/**
 * Whether a /metrics body has any counter of an earlier tick's values (a single server's: unlabelled keys)
 * lower, or not at all: it was read before that tick's own read, or the server restarted since. Either way
 * the server is asked itself, and it tells which.
 */
export function countersBehind(text: string, values: Record<string, number | null>): boolean {
  const counters = Object.entries(values).filter((e): e is [string, number] => e[0].startsWith('llamacpp:') && e[0].endsWith('_total') && typeof e[1] === 'number');
  if (counters.length === 0) return false;
  const read = new Map(parsePrometheus(text).samples.filter((s) => Object.keys(s.labels).length === 0).map((s) => [s.name, s.value]));
  return counters.some(([k, v]) => !((read.get(k) ?? -Infinity) >= v));
}

function sameServer(w: WatchedServer, t: RelayTarget): boolean {
  return w.health === 'up' && !w.isRouter && w.build === t.build && w.model === t.model;
}

function relayedMetrics(w: WatchedServer): RelayedMetrics | null {
  const m = w.metrics as Partial<RelayedMetrics> | null | undefined;
  return m && typeof m.ts === 'number' && typeof m.text === 'string' ? (m as RelayedMetrics) : null;
}
