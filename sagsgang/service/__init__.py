"""The service on one machine (`sagsgang tjeneste`): the web app and feeds, a Prefect server of its
own unless PREFECT_API_URL names one, the lifecycle's deployments and `prefect worker` processes
(processes.py, supervisor.py), and how every other command finds it running (discovery.py).
Prefect is reached as programs (`prefect server start`, `prefect worker start`) and through the
orchestration port; nothing here imports Prefect or flows.
"""
