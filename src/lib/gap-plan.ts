/**
 * Which spans of a llama-server's history the dashboard fills from an exporter that watched the same
 * server: the spans where the dashboard's own polling stored nothing usable (the tab was closed, the
 * computer slept, the server could not be reached from the browser), within what the exporter holds,
 * and not filled before. Pure: the caller reads what is stored and what the exporter holds.
 */

/** A time span, ms, both ends inclusive. */
export interface Span {
  from: number;
  to: number;
}

export interface GapInput {
  /** Times (ms, sorted) at which the dashboard holds a sample of the server up, its own or filled. */
  covered: readonly number[];
  /** Spans already filled from an exporter (never asked for twice). */
  filled: readonly Span[];
  /** What the exporter holds (already on this computer's clock), cut to what may be filled. */
  window: Span;
  /** A silence longer than this between two covered samples is a gap. */
  minGapMs: number;
}

/** The spans to fill, oldest first: the open interval between covered samples, less what was filled. */
export function planGaps(g: GapInput): Span[] {
  const { window: w, minGapMs } = g;
  if (!(w.to > w.from)) return [];
  const points = [w.from - 1, ...g.covered.filter((t) => t >= w.from && t <= w.to), w.to + 1];
  const gaps: Span[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    // A silence at the end of the window counts too: the browser cannot reach the server now, the exporter can.
    if (b - a > minGapMs) gaps.push({ from: a + 1, to: b - 1 });
  }
  return subtract(gaps, g.filled).filter((s) => s.to >= s.from);
}

/** `spans` less every span of `minus`. */
export function subtract(spans: readonly Span[], minus: readonly Span[]): Span[] {
  let out = [...spans];
  for (const m of minus) {
    out = out.flatMap((s) => {
      if (m.to < s.from || m.from > s.to) return [s];
      const parts: Span[] = [];
      if (m.from > s.from) parts.push({ from: s.from, to: m.from - 1 });
      if (m.to < s.to) parts.push({ from: m.to + 1, to: s.to });
      return parts;
    });
  }
  return out;
}

const FILLED = /^until (\d+) from (.+)$/;

/** The detail of a 'filled' event: where the span ends and which exporter it came from. */
export function filledDetail(span: Span, source: string): string {
  return `until ${Math.round(span.to)} from ${source}`;
}

/** The span a 'filled' event at `ts` stands for, or null when its detail is not one filledDetail wrote. */
export function filledSpan(ts: number, detail: string | undefined): (Span & { source: string }) | null {
  const m = FILLED.exec(detail ?? '');
  return m ? { from: ts, to: Number(m[1]), source: m[2] } : null;
}
