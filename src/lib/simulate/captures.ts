/**
 * Replies of a real llama-server (tests/fixtures/llama-server/single, build b10573) that the simulation
 * lays its moving numbers over, copied here because the app never reads the test fixtures.
 */

/** /metrics at startup: every line kept, the values replaced on each read. */
export const METRICS_TEMPLATE = "# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens\n# TYPE llamacpp:prompt_tokens_total counter\nllamacpp:prompt_tokens_total 0\n# HELP llamacpp:prompt_tokens_cached_total Number of prompt tokens reused from the cache\n# TYPE llamacpp:prompt_tokens_cached_total counter\nllamacpp:prompt_tokens_cached_total 0\n# HELP llamacpp:prompt_seconds_total Total time spent processing prompts\n# TYPE llamacpp:prompt_seconds_total counter\nllamacpp:prompt_seconds_total 0\n# HELP llamacpp:tokens_predicted_total Number of generation tokens processed\n# TYPE llamacpp:tokens_predicted_total counter\nllamacpp:tokens_predicted_total 0\n# HELP llamacpp:tokens_predicted_seconds_total Total time spent generating tokens\n# TYPE llamacpp:tokens_predicted_seconds_total counter\nllamacpp:tokens_predicted_seconds_total 0\n# HELP llamacpp:n_decode_total Total number of llama_decode() calls, excluding speculative decoding and multimodal decoding\n# TYPE llamacpp:n_decode_total counter\nllamacpp:n_decode_total 0\n# HELP llamacpp:n_tokens_max Largest observed sequence length (prompt + generation)\n# TYPE llamacpp:n_tokens_max counter\nllamacpp:n_tokens_max 0\n# HELP llamacpp:spec_decode_num_draft_tokens_total Speculative: Total draft tokens generated\n# TYPE llamacpp:spec_decode_num_draft_tokens_total counter\nllamacpp:spec_decode_num_draft_tokens_total 0\n# HELP llamacpp:spec_decode_num_accepted_tokens_total Speculative: Total draft tokens accepted by the target model\n# TYPE llamacpp:spec_decode_num_accepted_tokens_total counter\nllamacpp:spec_decode_num_accepted_tokens_total 0\n# HELP llamacpp:spec_decode_num_drafts_total Speculative: Total speculative decoding verification steps\n# TYPE llamacpp:spec_decode_num_drafts_total counter\nllamacpp:spec_decode_num_drafts_total 0\n# HELP llamacpp:prompt_tokens_seconds Average prompt throughput in tokens/s\n# TYPE llamacpp:prompt_tokens_seconds gauge\nllamacpp:prompt_tokens_seconds 0\n# HELP llamacpp:predicted_tokens_seconds Average generation throughput in tokens/s\n# TYPE llamacpp:predicted_tokens_seconds gauge\nllamacpp:predicted_tokens_seconds 0\n# HELP llamacpp:requests_processing Number of requests processing\n# TYPE llamacpp:requests_processing gauge\nllamacpp:requests_processing 0\n# HELP llamacpp:requests_deferred Number of requests deferred\n# TYPE llamacpp:requests_deferred gauge\nllamacpp:requests_deferred 0\n# HELP llamacpp:n_busy_slots_per_decode Average number of busy slots per llama_decode() call\n# TYPE llamacpp:n_busy_slots_per_decode gauge\nllamacpp:n_busy_slots_per_decode 0\n";

/** /props of a 2-slot server. */
export const PROPS: Record<string, unknown> = {
  "default_generation_settings": {
    "params": {
      "seed": 4294967295,
      "temperature": 0.800000011920929,
      "dynatemp_range": 0.0,
      "dynatemp_exponent": 1.0,
      "top_k": 40,
      "top_p": 0.949999988079071,
      "min_p": 0.05000000074505806,
      "top_n_sigma": -1.0,
      "xtc_probability": 0.0,
      "xtc_threshold": 0.10000000149011612,
      "typical_p": 1.0,
      "repeat_last_n": 64,
      "repeat_penalty": 1.0,
      "presence_penalty": 0.0,
      "frequency_penalty": 0.0,
      "dry_multiplier": 0.0,
      "dry_base": 1.75,
      "dry_allowed_length": 2,
      "dry_penalty_last_n": 64,
      "mirostat": 0,
      "mirostat_tau": 5.0,
      "mirostat_eta": 0.10000000149011612,
      "adaptive_target": -1.0,
      "adaptive_decay": 0.8999999761581421,
      "max_tokens": -1,
      "n_predict": -1,
      "n_keep": 0,
      "n_discard": 0,
      "ignore_eos": false,
      "stream": false,
      "n_probs": 0,
      "min_keep": 0,
      "chat_format": "Content-only",
      "reasoning_format": "none",
      "reasoning_in_content": false,
      "generation_prompt": "",
      "samplers": [
        "penalties",
        "dry",
        "top_n_sigma",
        "top_k",
        "typ_p",
        "top_p",
        "min_p",
        "xtc",
        "temperature"
      ],
      "speculative.types": "none",
      "timings_per_token": false,
      "post_sampling_probs": false,
      "backend_sampling": false,
      "lora": []
    },
    "n_ctx": 2048
  },
  "total_slots": 2,
  "model_alias": "/srv/llms/models/tiny.gguf",
  "model_ftype": "all F32",
  "model_path": "/srv/llms/models/tiny.gguf",
  "modalities": {
    "vision": false,
    "video": false,
    "audio": false
  },
  "media_marker": "<__media_JoviYbX58ZkkNTgE6xZnfMt04x4MZpll__>",
  "endpoint_slots": true,
  "endpoint_props": false,
  "endpoint_metrics": true,
  "ui": true,
  "ui_settings": {},
  "chat_template": "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
  "chat_template_caps": {
    "supports_object_arguments": false,
    "supports_parallel_tool_calls": false,
    "supports_preserve_reasoning": false,
    "supports_reasoning_effort": false,
    "supports_string_content": true,
    "supports_system_role": true,
    "supports_tool_calls": false,
    "supports_tools": false,
    "supports_typed_content": false
  },
  "bos_token": "<s>",
  "eos_token": "</s>",
  "build_info": "b10573-d775b8967",
  "is_sleeping": false,
  "cors_proxy_enabled": false
};

/** The `params` object of a busy slot in /slots. */
export const SLOT_PARAMS: Record<string, unknown> = {
  "seed": 10,
  "temperature": 0.800000011920929,
  "dynatemp_range": 0.0,
  "dynatemp_exponent": 1.0,
  "top_k": 40,
  "top_p": 0.949999988079071,
  "min_p": 0.05000000074505806,
  "top_n_sigma": -1.0,
  "xtc_probability": 0.0,
  "xtc_threshold": 0.10000000149011612,
  "typical_p": 1.0,
  "repeat_last_n": 64,
  "repeat_penalty": 1.0,
  "presence_penalty": 0.0,
  "frequency_penalty": 0.0,
  "dry_multiplier": 0.0,
  "dry_base": 1.75,
  "dry_allowed_length": 2,
  "dry_penalty_last_n": 64,
  "mirostat": 0,
  "mirostat_tau": 5.0,
  "mirostat_eta": 0.10000000149011612,
  "adaptive_target": -1.0,
  "adaptive_decay": 0.8999999761581421,
  "max_tokens": 2000,
  "n_predict": 2000,
  "n_keep": 0,
  "n_discard": 0,
  "ignore_eos": true,
  "stream": true,
  "n_probs": 10,
  "min_keep": 0,
  "chat_format": "Content-only",
  "reasoning_format": "deepseek",
  "reasoning_in_content": false,
  "generation_prompt": "",
  "samplers": [
    "penalties",
    "dry",
    "top_n_sigma",
    "top_k",
    "typ_p",
    "top_p",
    "min_p",
    "xtc",
    "temperature"
  ],
  "speculative.types": "none",
  "timings_per_token": false,
  "post_sampling_probs": false,
  "backend_sampling": false,
  "lora": []
};

/** /props of a router without ?model= (tests/fixtures/llama-server/router/props.body.json). */
export const ROUTER_CAPTURED_PROPS: Record<string, unknown> = {
  "role": "router",
  "max_instances": 4,
  "models_autoload": true,
  "model_alias": "llama-server",
  "model_path": "none",
  "default_generation_settings": { "params": null, "n_ctx": 0 },
  "ui_settings": {},
  "build_info": "b10573-d775b8967",
  "cors_proxy_enabled": false
};
