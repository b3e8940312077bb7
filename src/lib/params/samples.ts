import type { ConfigArgs } from './types';

/** A starting point for a first configuration: the fields of a stored one, without ids or dates. */
export interface SampleConfig {
  name: string;
  family: string;
  /** Same free classification as a stored configuration (chat, embedding, router, ...). */
  type: string;
  /** One sentence on when to start from it, shown beside the choice and kept as the notes. */
  notes: string;
  args: ConfigArgs;
}

/**
 * Sample configurations for someone who has none yet, valid against the built-in catalogue (a test
 * checks them). Each keeps --metrics on: the dashboard reads it. Values equal to llama-server's defaults
 * are left out, as the editor stores them.
 */
export const SAMPLE_CONFIGS: readonly SampleConfig[] = [
  {
    name: 'Small chat model from Hugging Face',
    family: 'gemma',
    type: 'chat',
    notes: 'Downloads a 1B chat model on first start; runs on a CPU, faster with a GPU. Two requests at a time.',
    args: { '--hf-repo': 'ggml-org/gemma-3-1b-it-GGUF', '--ctx-size': 8192, '--parallel': 2, '--metrics': true },
  },
  {
    name: 'Local GGUF file on one GPU',
    family: '',
    type: 'chat',
    notes: 'A model file you already have, every layer on the GPU, flash attention and an 8-bit KV cache to fit a longer context. Set the model path.',
    args: {
      '--model': 'models/model.gguf', '--gpu-layers': 'all', '--flash-attn': 'on', '--ctx-size': 32768,
      '--cache-type-k': 'q8_0', '--cache-type-v': 'q8_0', '--metrics': true,
    },
  },
  {
    name: 'Embeddings server',
    family: 'gemma',
    type: 'embedding',
    notes: 'Serves embeddings only (/v1/embeddings) from a small embedding model; a larger physical batch embeds long inputs in one pass.',
    args: { '--hf-repo': 'ggml-org/embeddinggemma-300M-GGUF', '--embedding': true, '--pooling': 'mean', '--ubatch-size': 2048, '--metrics': true },
  },
  {
    name: 'Router over a models folder',
    family: '',
    type: 'router',
    notes: 'One server for every GGUF in a folder, loading each on request and keeping at most two loaded; idle models are freed after five minutes.',
    args: { '--models-dir': 'models', '--models-max': 2, '--sleep-idle-seconds': 300, '--metrics': true },
  },
];
