namespace Prem.Llm.Data;

/// <summary>How a plain text file is cut into documents.</summary>
public enum TextFileSplit
{
    /// <summary>The whole file is one document (the default: a file is a book, an article, a page).</summary>
    WholeFile,

    /// <summary>Each block of lines separated by one or more blank lines is a document (lines joined with "\n").</summary>
    BlankLine,
}
