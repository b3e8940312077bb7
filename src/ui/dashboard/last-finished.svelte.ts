/**
 * The speed of the last finished request of a card, remembered: the counters give it in the one tick in
 * which a request ends, and the card keeps showing it, with its age, until the next one.
 */
export class LastFinished {
  #last = $state<{ model: string | null; tps: number; ts: number } | null>(null);

  /** Takes this tick's finished-request speed (null in ticks where none finished). */
  see(model: string | null, tps: number | null, ts: number | null): void {
    if (tps != null && ts != null) this.#last = { model, tps, ts };
  }

  /** The last speed seen for `model` and when, or null. */
  get(model: string | null): { tps: number; ts: number } | null {
    const l = this.#last;
    return l && l.model === model ? l : null;
  }
}
