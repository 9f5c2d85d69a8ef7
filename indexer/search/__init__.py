"""Search: text analysis, the keyword and vector indexes, fusion, spelling, snippets, the searcher."""
