"""The case-based advisor: profiles, similarity measures, the method's rules, suggestions."""
