Console.WriteLine("prem");
