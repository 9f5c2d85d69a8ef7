"""Cluster Casebase engine: content validation, indexing, search and suggestions.

The engine has no web dependencies; the CLI (`indexer.cli`) and the web app
(`webui`) both call it through its service object.
"""

__version__ = "0.1.0"
