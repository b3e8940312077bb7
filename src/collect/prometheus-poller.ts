/**
 * Watches one Prometheus server for the endpoint list: every interval one instant query counting the
 * targets that are up, so the card and "Test connection" say whether the fleet page can read it. The
 * fleet page asks Prometheus for its data itself (from the page, as a user opens it). The only thing
 * stored is what fills a directly polled llama-server's missed spans (collect/prometheus-gap-fill.ts).
 */

import { explainPromFailure, promQuery, promQueryRange, PromCancelled, type PromTarget } from '../lib/prometheus-api';
import { Cancelled } from './http';
import { PollLoop, pollerKind, type PollerContext } from './poller';
import { PrometheusGapFiller } from './prometheus-gap-fill';

const UP = 'count(up == 1) or vector(0)';

export class PrometheusPoller extends PollLoop {
  /** Fills the gaps of directly polled llama-servers this Prometheus scrapes; null when storage cannot say what it holds. */
  readonly #filler: PrometheusGapFiller | null;

  constructor(ctx: PollerContext) {
    super(ctx, { unexpected: 'Asking Prometheus failed unexpectedly', minTimeoutMs: 5000 });
    this.#filler = ctx.gaps && ctx.endpoints
      ? new PrometheusGapFiller({
        prometheus: ctx.endpoint, store: ctx.gaps, endpoints: ctx.endpoints, now: ctx.now,
        queryRange: (expr, start, end, step) => promQueryRange(this.#target(), expr, start, end, step),
      })
      : null;
  }

  #target(): PromTarget {
    const ep = this.ctx.endpoint;
    return { env: this.env, url: ep.url, credential: ep.apiKey, timeoutMs: this.timeoutMs, signal: this.stopSignal };
  }

  async pollOnce(): Promise<number> {
    const now = this.ctx.now();
    const ep = this.ctx.endpoint;
    let r;
    try {
      r = await promQuery(this.#target(), UP);
    } catch (e) {
      if (e instanceof PromCancelled) throw new Cancelled('stopped');
      throw e;
    }
    if (!r.ok) {
      this.failures++;
      const down = ['timeout', 'unreachable', 'cors', 'mixed-content'].includes(r.failure.kind);
      const message = explainPromFailure(r.failure, { url: ep.url, hasCredential: !!ep.apiKey, pageOrigin: this.env.pageOrigin });
      this.setStatus({ state: down ? 'down' : 'error', message, lastErrorAt: now });
      return this.backoff();
    }
    this.failures = 0;
    const up = r.data.resultType === 'vector' ? (r.data.result[0]?.value ?? 0) : 0;
    await this.#filler?.run();
    const warn = r.warnings.length ? ` Prometheus warns: ${r.warnings.join('; ')}` : '';
    const fill = this.#filler?.problem ? ` ${this.#filler.problem}` : '';
    this.setStatus({ state: 'ok', message: `${up} target${up === 1 ? '' : 's'} up: see Fleet.${warn}${fill}`, lastOkAt: now });
    return ep.intervalMs;
  }
}

/** The collector's entry for kind 'prometheus'. */
export const prometheusPollerKind = pollerKind((ctx) => new PrometheusPoller(ctx));
