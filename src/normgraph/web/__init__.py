"""normgraph on the web: a read-only SPARQL 1.1 endpoint, linked-data pages and a query UI.

:mod:`.store` opens the graph and runs queries in a bounded pool of worker processes;
:mod:`.protocol` speaks the SPARQL 1.1 Protocol (requests, content negotiation, result formats,
service description); :mod:`.pages` gathers what an entity page and the landing page show;
:mod:`.openapi` describes the stored queries as a web API; :mod:`.app` puts them together as an
ASGI application served by uvicorn (``normgraph serve``).
"""
