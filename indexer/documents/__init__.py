"""Documents that come in: upload, extraction, storage and their passages in search."""
