"""The platform's science: pure computations on arrays, each formula and default parameter
naming its source (docs/methodologies.md). Nothing here touches a database, the web, the
operating system or a file; the registry and the lending valuation call it with numbers."""
