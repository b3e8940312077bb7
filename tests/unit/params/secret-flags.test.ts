import { expect, test } from 'vitest';
import { getCatalogue } from '../../../src/lib/params/index';
import { SECRET_FLAGS } from '../../../src/lib/params/secret-flags';

test('SECRET_FLAGS holds every spelling of every argument the built-in catalogue marks secret, and --api-key-file', () => {
  const secret = getCatalogue().args.filter((a) => a.secret || a.key === '--api-key-file').flatMap((a) => a.flags);
  expect([...SECRET_FLAGS].sort()).toEqual([...new Set(secret)].sort());
});
