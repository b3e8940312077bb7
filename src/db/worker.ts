import * as Comlink from 'comlink';
import { createApi } from './api';

// Glue only: the API opens the database (OPFS behind the single-writer lock) when the page calls
// init(). TODO(H3a seam): pass `collector: createCollector` from src/collect/collector.ts here.
const api = createApi({ storage: 'auto' });

Comlink.expose(api);
