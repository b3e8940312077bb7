import type { ArgSpec } from './types';

/** Topic ids of the parameter form, in display order. */
export type TopicId =
  | 'model' | 'context' | 'gpu' | 'cpu' | 'batching' | 'sampling' | 'chat' | 'speculative' | 'multimodal'
  | 'lora' | 'embedding' | 'server' | 'router' | 'logging' | 'info' | 'other';

/**
 * Which topic each argument belongs to, by canonical key without its leading dashes. The help's own
 * sections are too coarse to find a flag in (its "common" section holds some 80), so the form groups
 * by what a flag is about. A key appears once; tests check that every built-in argument has a topic.
 */
const TOPIC_KEYS: Record<Exclude<TopicId, 'other'>, string> = {
  model: 'model model-url docker-repo hf-repo hf-file hf-token offline alias tags mlock mmap direct-io load-mode check-tensors override-kv warmup ' +
    'embd-gemma-default fim-qwen-1.5b-default fim-qwen-3b-default fim-qwen-7b-default fim-qwen-7b-spec fim-qwen-14b-spec fim-qwen-30b-default ' +
    'gpt-oss-20b-default gpt-oss-120b-default vision-gemma-4b-default vision-gemma-12b-default',
  context: 'ctx-size predict keep swa-full ctx-checkpoints checkpoint-min-step cache-ram kv-unified cache-idle-slots context-shift ' +
    'cache-type-k cache-type-v defrag-thold cache-prompt cache-reuse slot-prompt-similarity ' +
    'rope-scaling rope-scale rope-freq-base rope-freq-scale yarn-orig-ctx yarn-ext-factor yarn-attn-factor yarn-beta-slow yarn-beta-fast',
  gpu: 'device gpu-layers split-mode tensor-split main-gpu fit fit-target fit-ctx override-tensor cpu-moe n-cpu-moe op-offload kv-offload repack no-host flash-attn',
  cpu: 'threads threads-batch cpu-mask cpu-range cpu-strict prio poll cpu-mask-batch cpu-range-batch cpu-strict-batch prio-batch poll-batch numa',
  batching: 'batch-size ubatch-size parallel cont-batching',
  sampling: 'samplers seed sampler-seq ignore-eos temp top-k top-p min-p top-nsigma xtc-probability xtc-threshold typical repeat-last-n repeat-penalty ' +
    'presence-penalty frequency-penalty dry-multiplier dry-base dry-allowed-length dry-penalty-last-n dry-sequence-breaker adaptive-target adaptive-decay ' +
    'dynatemp-range dynatemp-exp mirostat mirostat-lr mirostat-ent logit-bias grammar grammar-file json-schema json-schema-file backend-sampling reverse-prompt',
  chat: 'jinja chat-template chat-template-file chat-template-kwargs skip-chat-parsing prefill-assistant reasoning-format reasoning reasoning-effort ' +
    'reasoning-budget reasoning-budget-message reasoning-preserve special escape spm-infill',
  speculative: 'lookup-cache-static lookup-cache-dynamic draft draft-min spec-type spec-default',
  multimodal: 'mmproj mmproj-url mmproj-auto mmproj-offload mmproj-device image-min-tokens image-max-tokens mtmd-batch-max-tokens',
  lora: 'lora lora-scaled lora-init-without-apply control-vector control-vector-scaled control-vector-layer-range',
  embedding: 'embedding rerank pooling embd-normalize',
  server: 'host port reuse-port path api-prefix cors-origins cors-methods cors-headers cors-credentials api-key api-key-file ssl-key-file ssl-cert-file ' +
    'timeout sse-ping-interval threads-http metrics props slots slot-save-path media-path sleep-idle-seconds ui ui-config ui-config-file ui-mcp-proxy ' +
    'tools tools-runtime mcp-servers-config mcp-servers-json agent',
  router: 'models-dir models-preset models-max models-autoload load-on-startup stop-timeout dedup-cache-models',
  logging: 'log-disable log-file log-prompts-dir log-colors verbose verbosity log-prefix log-timestamps perf',
  info: 'help version cache-list completion-bash list-devices',
};

/** Topics in display order with their labels. */
export const TOPICS: { id: TopicId; label: string }[] = [
  { id: 'model', label: 'Model & loading' },
  { id: 'context', label: 'Context & KV cache' },
  { id: 'gpu', label: 'GPU & offload' },
  { id: 'cpu', label: 'CPU & threads' },
  { id: 'batching', label: 'Batching & slots' },
  { id: 'sampling', label: 'Sampling' },
  { id: 'chat', label: 'Chat template & reasoning' },
  { id: 'speculative', label: 'Speculative decoding' },
  { id: 'multimodal', label: 'Multimodal' },
  { id: 'lora', label: 'LoRA & control vectors' },
  { id: 'embedding', label: 'Embeddings & reranking' },
  { id: 'server', label: 'Server (address, keys, CORS, endpoints)' },
  { id: 'router', label: 'Router' },
  { id: 'logging', label: 'Logging' },
  { id: 'info', label: 'Print and quit' },
  { id: 'other', label: 'Other' },
];

const BY_KEY = new Map<string, TopicId>();
for (const [topic, keys] of Object.entries(TOPIC_KEYS)) {
  for (const k of keys.split(' ')) BY_KEY.set(k, topic as TopicId);
}

/** The keys each topic lists, for tests (a key listed twice shows up in two topics). */
export function topicKeys(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(TOPIC_KEYS).map(([t, keys]) => [t, keys.split(' ')]));
}

/**
 * The topic of an argument. Draft-model flags (`--spec-draft-…`, `--spec-ngram-…`) are speculative
 * decoding by name, so new ones land there; anything else the table does not know (a flag of a newer
 * build parsed from its `--help`) is 'other'.
 */
export function topicOf(spec: Pick<ArgSpec, 'key'>): TopicId {
  const bare = spec.key.replace(/^-+/, '');
  const known = BY_KEY.get(bare);
  if (known) return known;
  if (bare.startsWith('spec-')) return 'speculative';
  return 'other';
}
