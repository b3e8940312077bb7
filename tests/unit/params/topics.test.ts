import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getCatalogue, parseHelp, topicKeys, topicOf, TOPICS } from '../../../src/lib/params/index';

const help = readFileSync(new URL('../../fixtures/llama-server/help.txt', import.meta.url), 'utf8');
const cat = getCatalogue();

describe('parameter topics', () => {
  it('puts every built-in argument in exactly one named topic', () => {
    const listed = topicKeys();
    const owners = new Map<string, string[]>();
    for (const [topic, keys] of Object.entries(listed)) for (const k of keys) owners.set(k, [...(owners.get(k) ?? []), topic]);
    for (const [key, topics] of owners) expect(topics, `${key} is in ${topics.join(', ')}`).toHaveLength(1);
    for (const spec of cat.args) expect(topicOf(spec), spec.key).not.toBe('other');
    const bare = new Set(cat.args.map((a) => a.key.replace(/^-+/, '')));
    for (const key of owners.keys()) expect(bare.has(key), `${key} is listed but not an argument of the catalogue`).toBe(true);
  });

  it('has a label for every topic in use and no topic holding most of the catalogue', () => {
    const counts = new Map<string, number>();
    for (const spec of cat.args) counts.set(topicOf(spec), (counts.get(topicOf(spec)) ?? 0) + 1);
    for (const t of counts.keys()) expect(TOPICS.some((x) => x.id === t)).toBe(true);
    expect(Math.max(...counts.values())).toBeLessThan(60);
  });

  it('gives a build parsed from --help the same topics, and an unknown flag "Other"', () => {
    const parsed = parseHelp(help + '\n--frobnicate N                  a flag of a later build\n', { build: 'later' });
    expect(parsed.args.some((a) => a.key === '--frobnicate')).toBe(true);
    for (const spec of parsed.args) {
      if (spec.key === '--frobnicate') expect(topicOf(spec)).toBe('other');
      else expect(topicOf(spec), spec.key).toBe(topicOf(cat.args.find((a) => a.key === spec.key) ?? spec));
    }
    expect(topicOf({ key: '--spec-draft-new-thing' })).toBe('speculative');
  });
});
