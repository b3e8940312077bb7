/** The kinds of chart markers an endpoint's history carries; the one list the pollers, the store and the charts share. */

export const SERIES_EVENT_KINDS = ['restart', 'model-change', 'down', 'up', 'filled'] as const;

/**
 * restart: a counter went down; model-change: another model or a router model settled; down/up: reachability;
 * filled: from here until the time in its detail, the samples came from an exporter (lib/gap-plan.ts).
 */
export type SeriesEventKind = (typeof SERIES_EVENT_KINDS)[number];

const KNOWN: ReadonlySet<string> = new Set(SERIES_EVENT_KINDS);

/** True for a kind this version draws (a stored row may carry anything an older or foreign file wrote). */
export function isSeriesEventKind(kind: string): kind is SeriesEventKind {
  return KNOWN.has(kind);
}
