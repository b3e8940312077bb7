import type uPlot from 'uplot';
import { chartCsv, csvFileName } from '../../lib/csv';
import { formatValue, type Unit } from '../../lib/format';
import { downloadFile } from '../download';
import type { ChartSeries } from './chart-options';

/** What a chart's downloads need: its title and unit, the series as drawn and the points it holds. */
export interface ChartExport {
  title: string;
  unit: Unit;
  series: ChartSeries[];
  ts: number[];
  values: Record<string, (number | null)[]>;
}

/** Downloads the points the chart holds for its current range (one column per series). */
export function downloadChartCsv(c: ChartExport): void {
  downloadFile(chartCsv(c.series, c.ts, c.values), csvFileName(c.title, new Date()), 'text/csv;charset=utf-8');
}

/**
 * Downloads the chart as drawn, in the current theme: uPlot's canvas (plot, axes, markers) under the
 * title, with the legend below it, which uPlot keeps as HTML and a canvas copy would lose.
 */
export async function downloadChartPng(c: ChartExport, plot: uPlot, at: Element): Promise<void> {
  const src = plot.ctx.canvas;
  const dpr = src.width / Math.max(1, plot.width);
  const cs = getComputedStyle(at);
  const css = (name: string) => cs.getPropertyValue(name).trim();
  const font = (px: number, weight = 400) => `${weight} ${Math.round(px * dpr)}px system-ui, sans-serif`;
  const line = 20 * dpr;
  const pad = 8 * dpr;
  const legend = c.series.map((s, i) => ({
    colour: (plot.series[i + 1]?.stroke as string | undefined) ?? css('--fg'),
    text: `${s.label}: ${formatValue(lastOf(c.values[s.key]), c.unit)}`,
  }));
  const out = document.createElement('canvas');
  out.width = src.width + 2 * pad;
  out.height = src.height + line * (1 + legend.length) + 3 * pad;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw the chart into an image.');
  ctx.fillStyle = css('--card') || css('--bg') || '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = css('--fg');
  ctx.textBaseline = 'middle';
  ctx.font = font(14, 600);
  ctx.fillText(c.title, pad, pad + line / 2);
  ctx.drawImage(src, pad, pad + line);
  ctx.font = font(12);
  legend.forEach((l, i) => {
    const y = 2 * pad + line + src.height + line * i + line / 2;
    ctx.fillStyle = l.colour;
    ctx.fillRect(pad, y - 4 * dpr, 12 * dpr, 8 * dpr);
    ctx.fillStyle = css('--fg');
    ctx.fillText(l.text, pad + 18 * dpr, y);
  });
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The chart could not be turned into a PNG image.');
  downloadFile(new Uint8Array(await blob.arrayBuffer()), csvFileName(c.title, new Date(), 'png'), 'image/png');
}

function lastOf(col: readonly (number | null)[] | undefined): number | null {
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) if (col[i] != null) return col[i];
  return null;
}
