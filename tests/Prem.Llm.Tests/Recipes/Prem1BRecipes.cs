namespace Prem.Llm.Tests.Recipes;

/// <summary>The Prem-1B recipe's YAML blocks, copied verbatim from the blog post that introduced Prem-1B.</summary>
internal static class Prem1BRecipes
{
    public const string Pretrain = """
        model:
          model_args:
            model_name: TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T
            max_position_embeddings: 8192
            flash_attention: true
            dtype: bfloat16
          optimizer_args:
            lr: 0.0004
            betas: [0.9, 0.95]
            weight_decay: 0.1
          lr_scheduler_args:
            num_warmup_percentage: 0.1
        data:
          train_path: "<train_data>"
          val_path: "<train_data>"
          max_seq_length: 8192
          batch_size: 2
        trainer:
          accelerator: auto
          precision: bf16-mixed
          log_every_n_steps: 1
          gradient_clip_val: 1
          accumulate_grad_batches: 16
          max_epochs: 2
          val_check_interval: 92000
          limit_val_batches: 1.0
          limit_train_batches: 1.0
          reload_dataloaders_every_n_epochs: 1
        """;

    public const string Dpo = """
        bf16: true
        beta: 0.01
        gradient_accumulation_steps: 4
        gradient_checkpointing: true
        gradient_checkpointing_kwargs:
          use_reentrant: False
        learning_rate: 4.0e-6
        lr_scheduler_type: cosine
        max_length: 8192
        max_prompt_length: 1000
        num_train_epochs: 1
        optim: adamw_torch
        per_device_train_batch_size: 2
        seed: 42
        warmup_ratio: 0.1
        loss_type: sigmoid
        """;
}
