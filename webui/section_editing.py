"""Editing one section of a document (a lesson, the summary, one body section) without
the whole form."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sections", __name__)
