namespace Prem.Llm.Generation;

/// <summary>
/// The distinct ids each row has seen (prompt and output), for HF's repetition penalty on the CPU path:
/// every seen id's logit is divided by the penalty when positive, multiplied otherwise, once per id.
/// </summary>
internal sealed class SeenTokens(int batch, int vocab)
{
    readonly bool[] _marked = new bool[batch * vocab];
    readonly List<int>[] _ids = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();

    /// <summary>Marks <paramref name="id"/> as seen in <paramref name="row"/>.</summary>
    public void Add(int row, int id)
    {
        if (_marked[row * vocab + id]) return;
        _marked[row * vocab + id] = true;
        _ids[row].Add(id);
    }

    /// <summary>Marks every id of <paramref name="ids"/>.</summary>
    public void AddRange(int row, IEnumerable<int> ids)
    {
        foreach (int id in ids) Add(row, id);
    }

    /// <summary>Applies the penalty to <paramref name="logits"/> [batch, vocab] in place.</summary>
    public void Penalize(float[] logits, double penalty)
    {
        // In float32, as LibTorch applies a scalar to a float tensor.
        float p = (float)penalty;
        for (int row = 0; row < _ids.Length; row++)
            foreach (int id in _ids[row])
            {
                ref float logit = ref logits[row * vocab + id];
                logit = logit < 0 ? logit * p : logit / p;
            }
    }
}
