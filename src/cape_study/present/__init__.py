"""Presentation: labels, wording and takeaways, display tables and figures."""
