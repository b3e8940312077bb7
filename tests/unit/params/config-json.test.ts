import { describe, expect, it } from 'vitest';
import { configsFromJson, configsToJson, getCatalogue, type SharedConfig } from '../../../src/lib/params/index';

const cat = getCatalogue();
const configs: SharedConfig[] = [
  { name: 'qwen', family: 'qwen', type: 'chat', notes: 'n', args: { '--model': '/m/q.gguf', '--api-key': 'sk-1', '--mmap': false, '--ctx-size': 8192 }, extraArgs: ['--new', 'x'] },
  { name: 'embed', family: '', type: 'embedding', notes: '', args: { '--hf-token': 'hf_x', '--embedding': true }, extraArgs: [] },
];

describe('configurations as JSON', () => {
  it('round-trips with the build they were made for, secrets left out unless asked', () => {
    const { text, left } = configsToJson(configs, cat);
    expect(left).toEqual(['qwen: --api-key', 'embed: --hf-token']);
    expect(text).not.toContain('sk-1');
    const back = configsFromJson(text);
    expect(back.build).toBe('b10573');
    expect(back.configurations[0]).toEqual({ ...configs[0], args: { '--model': '/m/q.gguf', '--mmap': false, '--ctx-size': 8192 } });
    expect(configsFromJson(configsToJson(configs, cat, true).text).configurations).toEqual(configs);
  });

  it('says what is wrong with a file that is not one', () => {
    expect(() => configsFromJson('{')).toThrow(/not JSON/);
    expect(() => configsFromJson('{"format":"x"}')).toThrow(/not a configurations file/);
    expect(() => configsFromJson('{"format":"llama-dashboard-configurations","version":2}')).toThrow(/version 2 is newer/);
    expect(() => configsFromJson('{"format":"llama-dashboard-configurations","version":1,"configurations":[{"name":"a","args":{"-c":[1]},"extraArgs":[]}]}')).toThrow(/a: "args"/);
  });
});
