import uPlot from 'uplot';
import { formatAxisValue, formatValue, unitLabel, type Unit } from '../../lib/format';
import type { SeriesEventKind } from '../../lib/series-events';
import { filledSpan } from '../../lib/gap-plan';
import { filledLabel } from '../../lib/prom-gap-plan';

/** One line on a chart: `key` is the series name in the database, `label` what the legend says. */
export interface ChartSeries {
  key: string;
  label: string;
}

/** A vertical marker (restart, model change, down/up) at `ts` seconds. */
export interface ChartMarker {
  ts: number;
  kind: SeriesEventKind;
  detail?: string;
}

/** Colours read from the page's CSS variables, so the chart follows the light/dark theme. */
export interface ChartTheme {
  fg: string;
  muted: string;
  border: string;
  err: string;
  warn: string;
  ok: string;
  palette: string[];
}

/** Reads the theme from CSS variables as they apply at `el` (the chart's wrapper). */
export function readTheme(el: Element): ChartTheme {
  const cs = getComputedStyle(el);
  const v = (name: string) => cs.getPropertyValue(name).trim();
  return {
    fg: v('--fg'), muted: v('--muted'), border: v('--border'), err: v('--err'), warn: v('--warn'), ok: v('--ok'),
    palette: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => v(`--chart-${i}`)),
  };
}

const MARKER_COLOUR: Record<SeriesEventKind, keyof ChartTheme> = { restart: 'err', down: 'err', up: 'ok', 'model-change': 'warn', filled: 'muted' };


/** A filled span: a light band with its label ("from the exporter", "from Prometheus"), so it reads as taken, not as a line. */
function drawFilled(u: uPlot, m: ChartMarker, theme: ChartTheme): void {
  const span = filledSpan(m.ts * 1000, m.detail);
  if (!span) return;
  const { ctx, bbox } = u;
  const left = Math.max(bbox.left, u.valToPos(m.ts, 'x', true));
  const right = Math.min(bbox.left + bbox.width, u.valToPos(span.to / 1000, 'x', true));
  if (right <= left) return;
  ctx.save();
  ctx.globalAlpha = 0.12;
  ctx.fillStyle = theme.muted;
  ctx.fillRect(left, bbox.top, right - left, bbox.height);
  ctx.globalAlpha = 1;
  ctx.fillStyle = theme.muted;
  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const label = filledLabel(span.source);
  if (right - left > ctx.measureText(label).width + 8) ctx.fillText(label, left + 4 * devicePixelRatio, bbox.top + 4 * devicePixelRatio);
  ctx.restore();
}

/** Draws markers as dashed vertical lines over the plot; reads them through `get` so updates need no rebuild. */
function markersPlugin(get: () => ChartMarker[], theme: ChartTheme): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx, bbox } = u;
        ctx.save();
        ctx.lineWidth = Math.max(1, devicePixelRatio);
        ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
        for (const m of get()) {
          if (m.kind === 'filled') {
            drawFilled(u, m, theme);
            continue;
          }
          const x = Math.round(u.valToPos(m.ts, 'x', true));
          if (x < bbox.left || x > bbox.left + bbox.width) continue;
          const colour = theme[MARKER_COLOUR[m.kind]];
          ctx.strokeStyle = typeof colour === 'string' ? colour : theme.muted;
          ctx.beginPath();
          ctx.moveTo(x, bbox.top);
          ctx.lineTo(x, bbox.top + bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

const stepped = uPlot.paths.stepped!({ align: 1 });

/** Units whose ticks are bare numbers, so the axis gets a title with the unit. */
const TITLED_UNITS = new Set<Unit>(['tok/s', 'per-min', 'watts', 'celsius']);

/** Drawn and measured with the same font, so the measured width is the drawn one. */
const AXIS_FONT = '12px system-ui, sans-serif';
/** uPlot's default tick length plus gap between tick and text, and a few pixels so text clears the edge. */
const AXIS_EXTRA = 10 + 5 + 4;
/** The width most charts get, so their plots line up; only wider labels make an axis grow. */
const Y_AXIS_MIN = 56;

let measurer: CanvasRenderingContext2D | null = null;
function textWidth(text: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * 7;
  measurer.font = AXIS_FONT;
  return measurer.measureText(text).width;
}

/** The y axis is as wide as its widest tick label needs: a fixed width cut "23.6 GiB" to "3.6 GiB". */
const yAxisSize: uPlot.Axis.Size = (_u, values) =>
  Math.max(Y_AXIS_MIN, Math.ceil(Math.max(0, ...(values ?? []).map(textWidth))) + AXIS_EXTRA);

/** With no cursor on the chart, the legend shows the newest values instead of dashes. */
export function showLatestInLegend(u: uPlot): void {
  const n = u.data[0]?.length ?? 0;
  if (n > 0) u.setLegend({ idx: n - 1 });
}

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
/** Steps between time labels, in seconds, from which uPlot takes the finest that keeps `space` apart. */
const TIME_STEPS_S = [
  1, 2, 5, 10, 15, 30, MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 365 * DAY,
];

export interface BuildOptions {
  width: number;
  height: number;
  unit: Unit;
  series: ChartSeries[];
  theme: ChartTheme;
  syncKey: string;
  /** Fixed y range, e.g. [0, 1] for fractions; otherwise from 0 to a little above the highest value. */
  yRange?: [number, number];
  markers: () => ChartMarker[];
  /** Called with a dragged selection (seconds); the page turns it into a custom range. */
  onselect?: (from: number, to: number) => void;
}

/** uPlot options for one chart: time on x, one unit on y, values and units in the live legend. */
export function buildOptions(o: BuildOptions): uPlot.Options {
  const { theme } = o;
  const axis = (extra: Partial<uPlot.Axis>): uPlot.Axis => ({
    stroke: theme.muted,
    font: AXIS_FONT,
    grid: { stroke: theme.border, width: 1 },
    ticks: { stroke: theme.border, width: 1 },
    ...extra,
  });
  return {
    width: o.width,
    height: o.height,
    legend: { live: true },
    cursor: {
      sync: { key: o.syncKey },
      // The selection becomes a custom range the worker re-queries at full resolution, rather than a zoom
      // into the already downsampled points.
      drag: { x: true, y: false, setScale: false },
    },
    scales: {
      x: { time: true, auto: false },
      y: {
        range: (_u, min, max) =>
          o.yRange ?? [Math.min(0, min ?? 0), max != null && max > 0 ? max * 1.1 : 1],
      },
    },
    axes: [
      // uPlot's default 50 px between time ticks lets labels such as "10:58pm" run into each other; its own
      // steps jump from 1 to 5 minutes, which leaves a 10-minute view two labels.
      axis({ space: 80, incrs: TIME_STEPS_S }),
      axis({
        size: yAxisSize,
        label: TITLED_UNITS.has(o.unit) ? unitLabel(o.unit) : undefined,
        labelSize: 16,
        labelFont: '12px system-ui, sans-serif',
        values: (_u, splits) => splits.map((v) => formatAxisValue(v, o.unit)),
      }),
    ],
    series: [
      { label: 'Time', value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' },
      ...o.series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: theme.palette[i % theme.palette.length] || theme.fg,
        width: 1.5,
        spanGaps: false,
        points: { show: false },
        // Counts change in steps; a sloped line between two polls would show values that never existed.
        paths: o.unit === 'count' ? stepped : undefined,
        value: (_u, v) => formatValue(v, o.unit),
      })),
    ],
    plugins: [markersPlugin(o.markers, theme)],
    hooks: {
      setCursor: [(u) => {
        if (u.cursor.idx == null) showLatestInLegend(u);
      }],
      setSelect: [
        (u) => {
          if (u.select.width < 4 || !o.onselect) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          o.onselect(from, to);
        },
      ],
    },
  };
}
