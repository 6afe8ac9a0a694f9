"""Time for Sagsgang: working days, municipality profiles, meeting plans and the route planner.

Pure code: no database, no network, no Prefect. Everything else builds on this package.
"""
