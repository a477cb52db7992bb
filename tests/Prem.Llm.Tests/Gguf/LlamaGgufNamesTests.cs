using Prem.Llm.Gguf;

namespace Prem.Llm.Tests.Gguf;

public sealed class LlamaGgufNamesTests
{
    [Theory]
    [InlineData("model.embed_tokens.weight", "token_embd.weight")]
    [InlineData("model.norm.weight", "output_norm.weight")]
    [InlineData("lm_head.weight", "output.weight")]
    [InlineData("model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight")]
    [InlineData("model.layers.11.self_attn.k_proj.bias", "blk.11.attn_k.bias")]
    [InlineData("model.layers.3.self_attn.v_proj.weight", "blk.3.attn_v.weight")]
    [InlineData("model.layers.3.self_attn.o_proj.weight", "blk.3.attn_output.weight")]
    [InlineData("model.layers.2.mlp.gate_proj.weight", "blk.2.ffn_gate.weight")]
    [InlineData("model.layers.2.mlp.up_proj.weight", "blk.2.ffn_up.weight")]
    [InlineData("model.layers.2.mlp.down_proj.weight", "blk.2.ffn_down.weight")]
    [InlineData("model.layers.21.input_layernorm.weight", "blk.21.attn_norm.weight")]
    [InlineData("model.layers.21.post_attention_layernorm.weight", "blk.21.ffn_norm.weight")]
    public void MapsBothWays(string hf, string gguf)
    {
        Assert.Equal(gguf, LlamaGgufNames.ToGguf(hf));
        Assert.Equal(hf, LlamaGgufNames.ToHf(gguf));
    }

    [Fact]
    public void OtherNames_HaveNoCounterpart()
    {
        Assert.Null(LlamaGgufNames.ToGguf("model.layers.0.self_attn.rotary_emb.inv_freq"));
        Assert.Null(LlamaGgufNames.ToHf("rope_freqs.weight"));
        Assert.Null(LlamaGgufNames.ToHf("blk.0.ffn_gate_exps.weight"));
        Assert.True(LlamaGgufNames.IsQuery("model.layers.0.self_attn.q_proj.weight"));
        Assert.True(LlamaGgufNames.IsKey("model.layers.0.self_attn.k_proj.bias"));
        Assert.False(LlamaGgufNames.IsQuery("model.layers.0.self_attn.v_proj.weight"));
    }
}
