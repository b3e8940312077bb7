import { describe, expect, it } from 'vitest';
import { DISCOVERY, FLEET_COLUMNS, instanceCharts, matchers, rateWindow, sparklineExpr, stepFor } from '../../../src/lib/promql';

describe('fleet PromQL', () => {
  it('asks each column once for all instances, grouped by job and instance (or by the watched server)', () => {
    for (const c of FLEET_COLUMNS) {
      const e = c.expr(15);
      expect(e, c.id).toMatch(c.joinOn === 'instance' ? /by \(job, instance\)/ : /by \(target, model\)/);
      expect(e, c.id).not.toMatch(/instance="/);
    }
    expect(FLEET_COLUMNS.find((c) => c.id === 'genTps')!.expr(15)).toBe('sum by (job, instance) (rate(llamacpp:tokens_predicted_total[15s]))');
    expect(sparklineExpr(30)).toContain('rate(llamacpp:tokens_predicted_total[30s])');
    expect(DISCOVERY).toContain('count by (job, instance, model) ({__name__=~"llamacpp:.+"})');
  });

  it('maps the exporter\'s server label (a base URL) to host:port to meet the scraped instance', () => {
    expect(FLEET_COLUMNS.find((c) => c.id === 'ctxFill')!.expr(1)).toBe(
      'max by (target, model) (label_replace(llamadash_llama_slot_context_fill_ratio, "target", "$1", "server", "https?://([^/]+).*"))',
    );
  });

  it('escapes label values in matchers', () => {
    expect(matchers({ job: 'a"b', instance: 'c\\d' })).toBe('{job="a\\"b",instance="c\\\\d"}');
    const charts = instanceCharts('llama', { job: 'j', instance: 'h.x:1' }, 8, 'tiny');
    expect(charts.find((c) => c.id === 'genTps')!.expr).toBe('sum(rate(llamacpp:tokens_predicted_total{job="j",instance="h.x:1"}[8s]))');
    expect(charts.find((c) => c.id === 'ctxFill')!.expr).toBe(
      'max by (slot) (llamadash_llama_slot_context_fill_ratio{server=~"https?://h\\\\.x:1(/.*)?",model="tiny"})',
    );
  });

  it('matches the step to the chart width and never goes below the scrape interval', () => {
    expect(stepFor(600, 300)).toBe(2);
    expect(stepFor(600, 1000)).toBe(1);
    expect(stepFor(600, 1000, 15)).toBe(15);
    expect(stepFor(86400, 800)).toBe(108);
    expect(rateWindow(2, 1)).toBe(4);
    expect(rateWindow(108, 15)).toBe(108);
  });
});
