"""Default settings of the web app; override in instance/config.py or CASEBASE_* env."""

from __future__ import annotations


class DefaultConfig:
    """Defaults for a local, read-only installation."""

    # Folder with cases/ and kb/ (None: the working directory or this checkout).
    CONTENT = None
    # Index folder (None: <content>/instance/index).
    INDEX = None
    # Load the embedding model for semantic and hybrid search.
    SEMANTIC = True
    # Results per page on the search page.
    PAGE_SIZE = 10
    # Largest request body accepted (bytes).
    MAX_CONTENT_LENGTH = 64 * 1024
