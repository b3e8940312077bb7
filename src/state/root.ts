import type { DbEvent } from '../lib/types';
import { db, onDbEvent } from './client';
import { database } from './db.svelte';
import { endpoints } from './endpoints.svelte';
import { metrics } from './metrics.svelte';
import { clock } from './clock.svelte';
import { settings } from './settings.svelte';
import { appUpdate } from './app-update.svelte';
import { storage } from './storage.svelte';

/** A store whose code loads with its page (the Models page carries the parameter catalogue). */
export interface LazyStore {
  connect(source: typeof db): Promise<void>;
  refresh(): Promise<void>;
}

let started = false;
let connected = false;
const lazy = new Set<LazyStore>();

/**
 * The page's composition root: starts the database session, connects every store once it answers, and
 * routes each worker event to the store it concerns. Call once, from App.
 */
export function startState(): void {
  if (started) return;
  started = true;
  onDbEvent(route);
  watchVisibility();
  database.start();
  appUpdate.start();
  storage.watchFirstUse();
  void database.whenReady().then(connect);
}

/**
 * A hidden tab draws nothing: the worker stops sending it ticks and statuses (collection and storage go
 * on), the charts and cards stand still, and when the tab shows they read the newest at once. Here rather
 * than on the dashboard page, so a tab hidden on another page costs as little.
 */
function watchVisibility(): void {
  const apply = () => {
    const hidden = document.hidden;
    // Sent before the stores read again on show, so no tick falls between their reads and the events.
    void db.setPageHidden(hidden);
    metrics.setHidden(hidden);
    endpoints.setHidden(hidden);
  };
  document.addEventListener('visibilitychange', apply);
  if (document.hidden) apply();
}

/** Joins a store that loads with its page; it reads now if the database already answers. */
export function join(store: LazyStore): void {
  if (lazy.has(store)) return;
  lazy.add(store);
  if (connected) void store.connect(db);
}

async function connect(): Promise<void> {
  metrics.connect(db);
  await endpoints.connect(db);
  connected = true;
  for (const store of lazy) void store.connect(db);
  void settings.load();
  // Endpoints named in the address (?server=, ?exporter=) are stored once; then the address is cleaned,
  // so that removing one and reloading does not add it back.
  if (location.search) {
    await endpoints.addFromQuery(location.search);
    history.replaceState(history.state, '', location.pathname + location.hash);
  }
}

function route(ev: DbEvent): void {
  if (ev.type === 'db') {
    database.applyStatus(ev.status);
    return;
  }
  if (ev.type === 'reload') {
    location.reload();
    return;
  }
  if (!connected) return;
  switch (ev.type) {
    case 'frames':
      // In the same update as the tick's values: one layout and paint a second, not two.
      if (!ev.backfilled) clock.sync();
      metrics.onFrames(ev);
      break;
    case 'history-reset':
      void metrics.onHistoryReset();
      break;
    case 'status':
      endpoints.applyStatus(ev.status);
      break;
    case 'endpoints':
      void endpoints.refresh();
      break;
    case 'models':
      for (const store of lazy) void store.refresh();
      break;
    case 'meta':
      void settings.load();
      break;
  }
}
