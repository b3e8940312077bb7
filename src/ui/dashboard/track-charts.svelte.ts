import { onDestroy } from 'svelte';
import { metrics } from '../../state/metrics.svelte';
import type { ChartMarker } from './chart-options';

/**
 * While the calling component lives, keeps the metrics store reading `keys()` of one endpoint, downsampled
 * to the charts' `width()` once it is known. Call during component initialisation.
 */
export function trackCharts(endpointId: () => number, keys: () => string[], width: () => number): void {
  $effect(() => metrics.track(endpointId(), keys()));
  $effect(() => {
    const px = width();
    if (px > 0) metrics.setPoints(px);
  });
  onDestroy(() => metrics.untrack(endpointId()));
}

/** The endpoint's stored events as chart markers (times in seconds). */
export function eventMarkers(endpointId: number): ChartMarker[] {
  return metrics.events(endpointId).map((e) => ({ ts: e.ts / 1000, kind: e.kind, detail: e.detail }));
}

/** Zooms every chart to a range dragged on one of them (seconds). */
export function zoomTo(from: number, to: number): void {
  metrics.setRange({ kind: 'custom', from: Math.round(from * 1000), to: Math.round(to * 1000) });
}
