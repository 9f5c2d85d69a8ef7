"""The observatory's pages: programmes and their dashboard, initiatives, scorecards,
measurements, evaluations and benchmarks (each page also answers JSON)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("observatory", __name__, url_prefix="/observatory")
