namespace Prem.Llm.Tests.Modeling;

/// <summary>
/// config.json and generation_config.json of real Llama-family checkpoints, as published on the
/// HuggingFace Hub (meta-llama/Llama-3.2-1B and -Instruct, HuggingFaceTB/SmolLM2-1.7B and -360M,
/// TinyLlama/TinyLlama-1.1B-Chat-v1.0, mistralai/Mistral-7B-v0.1), written out here field by field.
/// </summary>
internal static class PublishedConfigs
{
    public const string Llama32_1B = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
         "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
         "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0",
         "use_cache": true, "vocab_size": 128256}
        """;

    public const string SmolLM2_1_7B = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 0, "eos_token_id": 0,
         "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192, "is_llama_config": true,
         "max_position_embeddings": 8192, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 24, "num_key_value_heads": 32,
         "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_interleaved": false, "rope_scaling": null, "rope_theta": 130000, "tie_word_embeddings": true,
         "torch_dtype": "bfloat16", "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}
        """;

    public const string SmolLM2_360M = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 0, "eos_token_id": 0,
         "hidden_act": "silu", "hidden_size": 960, "initializer_range": 0.02, "intermediate_size": 2560, "is_llama_config": true,
         "max_position_embeddings": 8192, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 15, "num_hidden_layers": 32, "num_key_value_heads": 5,
         "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true,
         "torch_dtype": "bfloat16", "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}
        """;

    public const string TinyLlama = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
         "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632, "max_position_embeddings": 2048, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
         "transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000}
        """;

    public const string Mistral7B = """
        {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096,
         "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
         "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
         "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0",
         "use_cache": true, "vocab_size": 32000}
        """;

    public const string Llama32_1B_Generation = """
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": 128001, "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.45.0.dev0"}
        """;

    public const string Llama32_1B_Instruct_Generation = """
        {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128008, 128009], "temperature": 0.6, "top_p": 0.9,
         "transformers_version": "4.45.0.dev0"}
        """;

    public const string TinyLlama_Generation = """
        {"bos_token_id": 1, "eos_token_id": 2, "max_length": 2048, "pad_token_id": 0, "transformers_version": "4.35.0"}
        """;

    public const string Mistral7B_Generation = """
        {"_from_model_config": true, "bos_token_id": 1, "eos_token_id": 2, "transformers_version": "4.34.0.dev0"}
        """;
}
