"""The content layer: the format (schema, vocabulary), reading files, validation and loading."""
