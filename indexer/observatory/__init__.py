"""The cluster initiative observatory: programmes, initiatives, scorecards, measurements, evaluations, benchmarks."""
