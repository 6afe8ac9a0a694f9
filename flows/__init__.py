"""Prefect flows for the case lifecycle (see DESIGN.md §4)."""
