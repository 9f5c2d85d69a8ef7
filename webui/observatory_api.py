"""The observatory's JSON API under /api: initiatives, scorecards, measurements,
evaluations and benchmarks, reading and writing."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("observatory_api", __name__, url_prefix="/api")
