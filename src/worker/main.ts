import * as Comlink from 'comlink';
import { createCollector } from '../collect/collector';
import { loadSqlite } from '../db/open';
import { createApi } from './api';
import { createSession } from './session';
import { createSurface } from './surface';
import { browserEnv } from './tab-link';
import { HISTORY_WIRE, historyTransfer } from '../lib/history-wire';

// Glue only: this tab's database API (opened only if this tab becomes the owner), the session that
// finds or becomes the owner among the tabs, and the surface the page calls through Comlink.
const api = createApi({ storage: 'auto', collector: createCollector });
// Chart answers go to the page packed in one buffer and transferred, not cloned value by value.
Comlink.transferHandlers.set(HISTORY_WIRE, historyTransfer as Comlink.TransferHandler<unknown, unknown>);
Comlink.expose(createSurface(createSession({ env: browserEnv(), api }), api));
// Compiled now, not when the owner's tab closes: the tab that takes over opens the database at once.
void loadSqlite();
