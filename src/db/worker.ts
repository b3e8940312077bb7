import * as Comlink from 'comlink';
import { createApi } from './api';
import { createCollector } from '../collect/collector';

// Glue only: the API opens the database (OPFS behind the single-writer lock) when the page calls
// init(), then starts the collector, which polls from here so the page's thread stays free.
Comlink.expose(createApi({ storage: 'auto', collector: createCollector }));
