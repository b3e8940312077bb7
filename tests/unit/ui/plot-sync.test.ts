import { describe, expect, it } from 'vitest';
import type uPlot from 'uplot';
import { PlotSync, type PlotView, type SyncedPlot } from '../../../src/ui/dashboard/plot-sync';

/** Records what a chart asks of its plot; each batch is one redraw in uPlot. */
function recorder() {
  const batches: string[][] = [];
  let open: string[] | null = null;
  const note = (s: string) => (open ? open.push(s) : batches.push([s]));
  const plot: SyncedPlot = {
    setData: (d) => note(`data ${d[0].length}`),
    setScale: (k, l) => note(`scale ${k} ${l.min}-${l.max}`),
    redraw: () => note('redraw'),
    batch: (fn) => {
      open = [];
      fn();
      batches.push(open);
      open = null;
    },
  };
  return { plot, batches };
}

const ts = [1, 2, 3];
const gen = [5, 5, 5];
const view = (over: Partial<PlotView> = {}): PlotView => ({ data: [ts, gen], from: 0, to: 10, markers: '', ...over });

describe('PlotSync', () => {
  it('does not redraw a chart handed the same columns, window and markers (a new but equal spec)', () => {
    const { plot, batches } = recorder();
    const sync = new PlotSync();
    sync.attach(plot, view());
    sync.show(view());
    sync.show({ data: [ts, gen] as uPlot.AlignedData, from: 0, to: 10, markers: '' });
    expect(batches).toEqual([]);
  });

  it('draws a new tick and the slid window in one redraw', () => {
    const { plot, batches } = recorder();
    let legend = 0;
    const sync = new PlotSync();
    sync.attach(plot, view(), () => legend++);
    sync.show(view({ data: [[1, 2, 3, 4], [5, 5, 5, 5]], from: 1, to: 11 }));
    expect(batches).toEqual([['data 4', 'scale x 1-11']]);
    expect(legend).toBe(1);
  });

  it('only moves the scale when the window slid over unchanged data, and only redraws for new markers', () => {
    const { plot, batches } = recorder();
    let legend = 0;
    const sync = new PlotSync();
    sync.attach(plot, view(), () => legend++);
    sync.show(view({ from: 1, to: 11 }));
    sync.show(view({ from: 1, to: 11, markers: 'restart at 2' }));
    expect(batches).toEqual([['scale x 1-11'], ['redraw']]);
    expect(legend).toBe(0);
  });

  it('leaves a chart off screen alone and catches it up in one redraw when it comes into view', () => {
    const { plot, batches } = recorder();
    const sync = new PlotSync();
    sync.attach(plot, view());
    sync.setOnScreen(false);
    for (let i = 1; i <= 5; i++) sync.show(view({ data: [[...ts, 3 + i], [...gen, 5]], from: i, to: 10 + i }));
    expect(batches).toEqual([]);
    sync.setOnScreen(true);
    expect(batches).toEqual([['data 4', 'scale x 5-15']]);
    sync.setOnScreen(true);
    expect(batches).toHaveLength(1);
  });

  it('draws what is pending on request even off screen (before an export), and nothing once detached', () => {
    const { plot, batches } = recorder();
    const sync = new PlotSync();
    sync.attach(plot, view());
    sync.setOnScreen(false);
    sync.show(view({ from: 2, to: 12 }));
    sync.drawNow();
    expect(batches).toEqual([['scale x 2-12']]);
    sync.detach();
    sync.setOnScreen(true);
    sync.show(view({ from: 3, to: 13 }));
    expect(batches).toHaveLength(1);
  });
});
