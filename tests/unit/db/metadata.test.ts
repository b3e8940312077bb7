import { expect, test } from 'vitest';
import { allMeta, deleteMeta, getMeta, setMeta } from '../../../src/db/metadata';
import { freshDb } from './helpers';

test('settings keep their JSON type, replace, delete and list', async () => {
  const db = await freshDb();
  expect(getMeta(db, 'theme')).toBeNull();
  setMeta(db, 'theme', 'dark');
  setMeta(db, 'theme', 'light');
  setMeta(db, 'layout', { charts: ['gen_tps', 'gpu_util{gpu="0"}'], range: 600, compact: false });
  setMeta(db, 'zero', 0);
  expect(getMeta<string>(db, 'theme')).toBe('light');
  expect(getMeta(db, 'layout')).toEqual({ charts: ['gen_tps', 'gpu_util{gpu="0"}'], range: 600, compact: false });
  expect(getMeta(db, 'zero')).toBe(0);
  expect(() => setMeta(db, 'bad', undefined)).toThrow('not JSON');
  deleteMeta(db, 'zero');
  deleteMeta(db, 'never-there');
  expect(allMeta(db)).toEqual({ layout: { charts: ['gen_tps', 'gpu_util{gpu="0"}'], range: 600, compact: false }, theme: 'light' });
});
