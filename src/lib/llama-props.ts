/** Reading llama-server's GET /props (single-model server or router). Pure. */

import { clampCount, clipText, MAX_SLOTS } from './limits';

export interface LlamaProps {
  /** A router (started without -m) answers /props with role "router". */
  isRouter: boolean;
  /** What to show: the alias when one was given, else the file name of the model. */
  model: string | null;
  /** Full model path; a change means another model was loaded. */
  modelPath: string | null;
  build: string | null;
  /** At most MAX_SLOTS: charts and cards size per-slot rows from it. */
  totalSlots: number | null;
  /** Context size per slot. */
  ctxSize: number | null;
  isSleeping: boolean;
  /** From endpoint_slots / endpoint_metrics; null when this build does not say. */
  slotsEnabled: boolean | null;
  metricsEnabled: boolean | null;
  /** Router only: how many models may be loaded at once. */
  maxInstances: number | null;
}

// Strings are clipped before any other work on them: a server can send megabytes in one field.
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? clipText(v) : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : null);

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Parses a /props body; null when it is not a JSON object. */
export function parseProps(body: unknown): LlamaProps | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const p = body as Record<string, unknown>;
  const isRouter = p.role === 'router';
  const modelPath = isRouter ? null : str(p.model_path);
  const alias = str(p.model_alias);
  const dgs = p.default_generation_settings as Record<string, unknown> | undefined;
  let model: string | null = null;
  if (!isRouter) model = alias && alias !== modelPath ? alias : modelPath ? baseName(modelPath) : alias;
  return {
    isRouter,
    model,
    modelPath,
    build: str(p.build_info),
    totalSlots: clampCount(num(p.total_slots), MAX_SLOTS),
    ctxSize: isRouter ? null : num(dgs?.n_ctx),
    isSleeping: p.is_sleeping === true,
    slotsEnabled: bool(p.endpoint_slots),
    metricsEnabled: bool(p.endpoint_metrics),
    maxInstances: num(p.max_instances),
  };
}
