/**
 * The "Will it fit?" panel's state for one configuration: the stored header summary of its model, a new
 * pick (files or URLs) read and stored, and the GPUs the exporters report now.
 */
import { db } from './client';
import { errorText } from '../lib/error-text';
import type { GpuMemory } from '../lib/fit-verdict';
import { filesChanged, readModel, type GgufSummary, type ModelSource } from '../lib/gguf-model';
import { parseSeriesKey } from '../lib/series-keys';
import { endpoints } from './endpoints.svelte';
import { fileSource, urlSource } from './gguf-sources';

export class ModelFitState {
  #summary = $state.raw<GgufSummary | null>(null);
  #readAt = $state<number | null>(null);
  #stored = $state(false);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #changed = $state<string | null>(null);
  #gpus = $state.raw<GpuMemory[]>([]);

  /** The model's header summary, from this visit's pick or the database. */
  readonly summary = $derived(this.#summary);
  readonly readAt = $derived(this.#readAt);
  /** False while a pick waits for the configuration to be saved (it is kept in the page until then). */
  readonly stored = $derived(this.#stored);
  readonly busy = $derived(this.#busy);
  readonly error = $derived(this.#error);
  /** A line saying the file differs from the one read before (size or date), or null. */
  readonly changed = $derived(this.#changed);
  readonly gpus = $derived(this.#gpus);

  /** Loads the stored summary of a saved configuration and the GPUs of every exporter. */
  async load(modelId: number | null): Promise<void> {
    try {
      const stored = modelId === null ? null : await db.getModelFile(modelId);
      if (stored) {
        this.#summary = stored.summary;
        this.#readAt = stored.readAt;
        this.#stored = true;
      }
      await this.refreshGpus();
    } catch (e) {
      this.#error = `Could not load the stored model file summary: ${errorText(e)}`;
    }
  }

  /** Reads the exporters' latest GPU memory figures (gpu_mem_total_bytes / gpu_mem_used_bytes per gpu label). */
  async refreshGpus(): Promise<void> {
    try {
      this.#gpus = await this.#readGpus();
    } catch (e) {
      this.#error = `Could not read the exporters' GPU memory: ${errorText(e)}`;
    }
  }

  async #readGpus(): Promise<GpuMemory[]> {
    const out: GpuMemory[] = [];
    for (const ex of endpoints.exporters) {
      const latest = await db.latest(ex.id);
      if (!latest) continue;
      const byId = new Map<string, { total?: number; used?: number }>();
      for (const [key, v] of Object.entries(latest.values)) {
        const { name, labels } = parseSeriesKey(key);
        if (labels.gpu === undefined || v === null) continue;
        const g = byId.get(labels.gpu) ?? {};
        if (name === 'gpu_mem_total_bytes') g.total = v;
        if (name === 'gpu_mem_used_bytes') g.used = v;
        byId.set(labels.gpu, g);
      }
      for (const [id, g] of byId) {
        if (g.total !== undefined && g.used !== undefined) {
          out.push({ id, label: endpoints.exporters.length > 1 ? `GPU ${id} on ${ex.name}` : `GPU ${id}`, totalBytes: g.total, usedBytes: g.used });
        }
      }
    }
    return out.sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
  }

  /** Reads picked files (one model, or every part of a split one) and stores the summary. */
  pickFiles(files: File[], modelId: number | null): Promise<void> {
    return this.#read(() => Promise.resolve(files.map(fileSource)), modelId);
  }

  /** Reads model files by URL (space-separated for split models); the server must allow range requests. */
  pickUrls(text: string, modelId: number | null): Promise<void> {
    const urls = text.split(/\s+/).filter(Boolean);
    return this.#read(() => Promise.all(urls.map((u) => urlSource(u))), modelId);
  }

  /** Stores a pick made before the configuration had an id (it was new), once it has one. */
  async persist(modelId: number): Promise<void> {
    if (this.#stored || !this.#summary) return;
    try {
      this.#readAt = (await db.saveModelFile(modelId, this.#summary)).readAt;
      this.#stored = true;
    } catch (e) {
      this.#error = `Could not store the model file summary: ${errorText(e)}`;
    }
  }

  async #read(sources: () => Promise<ModelSource[]>, modelId: number | null): Promise<void> {
    this.#busy = true;
    this.#error = null;
    try {
      const summary = await readModel(await sources());
      this.#changed = this.#summary ? filesChanged(this.#summary.files, summary.files) : null;
      this.#summary = summary;
      this.#stored = false;
      this.#readAt = Date.now();
      if (modelId !== null) await this.persist(modelId);
    } catch (e) {
      this.#error = errorText(e);
    } finally {
      this.#busy = false;
    }
  }
}
