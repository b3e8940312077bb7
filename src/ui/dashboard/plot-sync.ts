import type uPlot from 'uplot';

/** The part of uPlot a chart's updates go through. */
export interface SyncedPlot {
  setData(data: uPlot.AlignedData, resetScales?: boolean): void;
  setScale(key: string, limits: { min: number; max: number }): void;
  redraw(rebuildPaths?: boolean, recalcAxes?: boolean): void;
  batch(fn: () => void): void;
}

/** What a chart shows: its columns (x first), the visible window in seconds and its markers' signature. */
export interface PlotView {
  data: uPlot.AlignedData;
  from: number;
  to: number;
  markers: string;
}

/** Same columns, one by one: uPlot's setData redraws even when handed the very same data. */
export function sameColumns(a: uPlot.AlignedData, b: uPlot.AlignedData): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Brings a plot to what its chart shows with as little drawing as that needs: nothing when neither the
 * columns, the window nor the markers changed; one batched redraw otherwise. A chart off screen is left as it
 * is and catches up at once when it comes back into view.
 */
export class PlotSync {
  #plot: SyncedPlot | null = null;
  #drawn: PlotView | null = null;
  #want: PlotView | null = null;
  #onScreen = true;
  #onData: () => void = () => undefined;

  /** A plot was just built showing `view`; `onData` runs after each later data change (the legend). */
  attach(plot: SyncedPlot, view: PlotView, onData: () => void = () => undefined) {
    this.#plot = plot;
    this.#drawn = view;
    this.#want = view;
    this.#onData = onData;
  }

  detach() {
    this.#plot = null;
    this.#drawn = null;
  }

  /** The chart should now show `view`: drawn at once when on screen, else when it comes into view. */
  show(view: PlotView) {
    this.#want = view;
    if (this.#onScreen) this.drawNow();
  }

  /** The chart entered or left the viewport. */
  setOnScreen(onScreen: boolean) {
    this.#onScreen = onScreen;
    if (onScreen) this.drawNow();
  }

  /** Draws what is pending, on screen or not (before the canvas is exported). */
  drawNow() {
    const plot = this.#plot;
    const want = this.#want;
    const drawn = this.#drawn;
    if (!plot || !want || !drawn) return;
    const data = !sameColumns(drawn.data, want.data);
    const x = drawn.from !== want.from || drawn.to !== want.to;
    const markers = drawn.markers !== want.markers;
    if (!data && !x && !markers) return;
    this.#drawn = want;
    plot.batch(() => {
      if (data) plot.setData(want.data, true);
      // setData fits the scales to the data: the window is set again after it.
      if (data || x) plot.setScale('x', { min: want.from, max: want.to });
      else plot.redraw(false);
    });
    if (data) this.#onData();
  }
}
