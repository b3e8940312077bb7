import { describe, expect, it } from 'vitest';
import { jobSlug, planJobs, prometheusYml, type ScrapeSource } from '../../../src/lib/prometheus-config';

const o = { scrapeIntervalS: 15, credentialsDir: '/etc/prometheus/llamadash/', rulesFile: 'llamadash-rules.yml' };

describe('prometheus.yml', () => {
  it('gives each router model its own job with model and autoload=false, and a model label', () => {
    const src: ScrapeSource[] = [{ kind: 'llama', name: 'Router', url: 'http://10.0.0.2:8080', hasKey: true, routerModels: ['a', 'b'] }];
    const yml = prometheusYml(src, o);
    expect(planJobs(src, o).map((j) => [j.job, j.credentialsFile])).toEqual([
      ['llama-router-a', '/etc/prometheus/llamadash/llama-router-a.token'],
      ['llama-router-b', '/etc/prometheus/llamadash/llama-router-b.token'],
    ]);
    expect(yml).toContain('  - job_name: "llama-router-a"\n    scheme: http\n    metrics_path: "/metrics"\n    params:\n      model: ["a"]\n      autoload: [\'false\']');
    expect(yml).toContain('          model: "b"');
    expect(yml).toContain('targets: ["10.0.0.2:8080"]');
  });

  it('keeps job names unique and names default ports', () => {
    const src: ScrapeSource[] = [
      { kind: 'llama', name: 'Box', url: 'https://box.example', hasKey: false, routerModels: null },
      { kind: 'llama', name: 'box', url: 'http://[::1]:8081', hasKey: false, routerModels: null },
    ];
    expect(planJobs(src, o).map((j) => j.job)).toEqual(['llama-box', 'llama-box-2']);
    const yml = prometheusYml(src, o);
    expect(yml).toContain('targets: ["box.example:443"]');
    expect(yml).toContain('targets: ["[::1]:8081"]');
    expect(yml).not.toContain('authorization');
    expect(jobSlug('  ')).toBe('endpoint');
  });
});
