"""OParl 1.1 (https://oparl.org, ../shared/oparl-1.1/): Sagsgang's public data as the open standard
for council information systems, read-only.

reads.py fetches rows a page at a time; objects.py turns them into OParl objects (plain dicts);
lists.py pages external lists and reads the protocol's filters. sagsgang.web.routes.oparl serves
them at /oparl/v1.1/. A closed item ("lukket punkt") leaves this package as "Lukket punkt" only.
"""
