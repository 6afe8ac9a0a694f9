"""Prefect flows for the case lifecycle (see docs/architecture.md § 3): flows.lifecycle (launch, advance,
meeting changed), flows.daily (the daily backstop), flows.deployments (what `sagsgang worker` serves).
"""

import os

# A municipality's case data stays home: no anonymous usage pings from the temporary local server
# (they also raced our runs for Prefect's own SQLite file and printed "database is locked").
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
