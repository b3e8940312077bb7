import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findArg, getCatalogue, parseHelp } from '../../src/lib/params/index';

const dir = process.env.FIXTURES_DIR ?? '../shared/fixtures';
const help = readFileSync(join(dir, 'llama-server', 'help.txt'), 'utf8');

describe('built-in parameter catalogue against the real llama-server --help', () => {
  const parsed = parseHelp(help);
  const builtin = getCatalogue();

  it('has every flag of the help, with the same type and env var', () => {
    expect(parsed.args.filter((a) => !a.presetOnly).length).toBeGreaterThan(200);
    const problems: string[] = [];
    for (const a of parsed.args.filter((x) => !x.presetOnly)) {
      for (const flag of [...a.flags, ...a.negated]) {
        const m = findArg(builtin, flag);
        if (!m) problems.push(`${flag}: missing`);
        else if (m.spec.type !== a.type) problems.push(`${flag}: type ${m.spec.type}, help says ${a.type}`);
        else if (m.spec.env !== a.env) problems.push(`${flag}: env ${m.spec.env}, help says ${a.env}`);
        else if (m.negated !== a.negated.includes(flag)) problems.push(`${flag}: negation differs`);
      }
      if (a.values) expect(findArg(builtin, a.key)!.spec.values, a.key).toEqual(a.values);
    }
    expect(problems).toEqual([]);
  });
});
