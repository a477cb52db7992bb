namespace Prem.Llm.Text;

/// <summary>
/// One piece of a rendered conversation: a control token (by its text, e.g. "&lt;|eot_id|&gt;") or a run of
/// text. Templates emit segments so the encoder can place control tokens by id and know what to train.
/// </summary>
/// <param name="Text">The rendered text of the segment.</param>
/// <param name="IsControl">True for a control token, encoded as its single id.</param>
/// <param name="MessageIndex">The message the segment belongs to, or −1 (BOS, generation prompt).</param>
/// <param name="LabelFrom">
/// Character offset in <see cref="Text"/> where the trainable part of an assistant turn starts (the
/// content after the header's "\n\n"; 0 for the closing control token), or −1 when never trained.
/// </param>
public sealed record ChatSegment(string Text, bool IsControl, int MessageIndex, int LabelFrom = -1);
