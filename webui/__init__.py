"""Cluster Casebase web front end (Flask); added by the web issue."""
