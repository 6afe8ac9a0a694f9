"""Sagsgang on the web: the FastAPI application (app.py) that `sagsgang serve` runs."""
