namespace Prem.Llm.Quickstart;

/// <summary>One person's facts in a passage.</summary>
public sealed record Person(string Name, string City, string Color, string Item, int Age);

/// <summary>
/// A reading question: the passage, the question, its answer (the passage's sentence that answers it),
/// and a wrong answer (another sentence of the passage, which answers a different question).
/// </summary>
public sealed record ReadingQuestion(string Passage, string Question, string Answer, string Distractor);

/// <summary>
/// The quickstart's data, generated from a seed: short passages about made-up people (where they live,
/// what they own, how old they are) and questions whose answers are only in the passage. Facts are
/// drawn afresh for every passage, so a model cannot memorise them: it has to read the context, which
/// is the skill Prem-1B was built for (RAG).
/// </summary>
public static class QuickstartData
{
    static readonly string[] _names = ["Anna", "Ben", "Cara", "Dan", "Eva", "Finn", "Gina", "Hugo", "Iris", "Jack", "Kate", "Leo",
        "Mia", "Nick", "Olga", "Paul", "Rosa", "Sam", "Tina", "Tom", "Vera", "Will", "Lily", "Zoe"];
    static readonly string[] _cities = ["Paris", "Rome", "Oslo", "Lima", "Cairo", "Tokyo", "Berlin", "Dublin", "Madrid", "Vienna",
        "Prague", "Lisbon", "Sydney", "Boston", "Nairobi", "Seoul"];
    static readonly string[] _colors = ["red", "blue", "green", "yellow", "black", "white", "pink", "brown", "purple", "orange"];
    static readonly string[] _items = ["bike", "car", "kite", "hat", "cup", "ball", "lamp", "book", "boat", "drum"];

    /// <summary>The system prompt of the chat stages.</summary>
    public const string SystemPrompt = "Answer with the sentence of the context that answers the question.";

    /// <summary>
    /// Pretraining documents: a passage about a person, then its sentences again in another order.
    /// Predicting the repeats means looking back at the passage ("Mia is" … → "70"), the in-context
    /// recall that answering from a context builds on; the question format itself is left to SFT.
    /// </summary>
    public static IEnumerable<string> Passages(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var people = People(random);
            var facts = people.SelectMany(p => Enumerable.Range(0, 3).Select(kind => Fact(p, kind))).ToArray();
            yield return Passage(people, random) + " " + string.Join(" ", facts.OrderBy(_ => random.Next()));
        }
    }

    /// <summary>Questions on fresh passages.</summary>
    public static List<ReadingQuestion> Questions(int count, int seed)
    {
        var random = new Random(seed);
        var questions = new List<ReadingQuestion>(count);
        for (int i = 0; i < count; i++)
        {
            var p = People(random)[0];
            string passage = Passage([p], random);
            int kind = random.Next(3);
            int wrongKind = (kind + 1 + random.Next(2)) % 3;
            string question = kind switch
            {
                0 => $"Where does {p.Name} live?",
                1 => $"What color is {p.Name}'s {p.Item}?",
                _ => $"How old is {p.Name}?",
            };
            questions.Add(new ReadingQuestion(passage, question, Fact(p, kind), Fact(p, wrongKind)));
        }
        return questions;
    }

    /// <summary>The user turn of a question: the context, then the question.</summary>
    public static string UserMessage(ReadingQuestion q) => $"Context: {q.Passage}\nQuestion: {q.Question}";

    static Person[] People(Random random) =>
        _names.OrderBy(_ => random.Next()).Take(1)
            .Select(n => new Person(n, Pick(_cities, random), Pick(_colors, random), Pick(_items, random), random.Next(18, 90)))
            .ToArray();

    static string Passage(Person[] people, Random random) => string.Join(" ", people.Select(p =>
        string.Join(" ", Enumerable.Range(0, 3).Select(kind => Fact(p, kind)).OrderBy(_ => random.Next()))));

    // The passage's sentence for one kind of fact; answers quote it, as a RAG model cites its source.
    static string Fact(Person p, int kind) => kind switch
    {
        0 => $"{p.Name} lives in {p.City}.",
        1 => $"{p.Name} has a {p.Color} {p.Item}.",
        _ => $"{p.Name} is {p.Age} years old.",
    };

    static string Pick(string[] values, Random random) => values[random.Next(values.Length)];
}
