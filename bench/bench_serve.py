"""How does ``normgraph serve`` hold up under concurrent clients, next to other SPARQL servers?

Serves the same graph (ontology, vocabularies and data) with ``normgraph serve``, the Oxigraph
server (``oxigraph serve``, PyPI ``oxigraph``) and rdflib-endpoint (PyPI ``rdflib-endpoint``), all
on 127.0.0.1, in the same run. For each: ``--clients`` concurrent clients each send
``--requests`` requests of a fast query (the SCO's name and members), first the same text
repeated, then a new text each time (normgraph remembers checked queries by text); it prints
throughput, p50 and p99 latency, and ratios to normgraph. Then the latency of the fast query while a slow
query (a triple self-join) runs on the same server. Request counts are bounded; loopback only.

    python bench/bench_serve.py [--clients 8] [--requests 25]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.serving import free_port, running_server, wait_for  # noqa: E402

FAST = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?name ?member WHERE {
  <https://w3id.org/normgraph/id/org/sco> skos:prefLabel ?name .
  ?m org:organization <https://w3id.org/normgraph/id/org/sco> ; org:member ?member .
}"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?b . ?c ?r ?d }"
#: normgraph is started with this time limit, and no client waits longer for the slow query (which
#: takes a few seconds on the curated graph; the others run it until it ends or the server stops).
SLOW_LIMIT = 20


def load(endpoint: str, clients: int, requests: int, distinct: bool = False) -> tuple[float, list[float]]:
    """Throughput (requests/s) and the latencies of ``clients`` x ``requests`` fast queries;
    ``distinct`` makes every query text unique (a numbered comment), defeating any cache."""
    counter = iter(range(10**9))
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client() -> None:
        with httpx.Client(timeout=120) as session:
            for _ in range(requests):
                started = time.perf_counter()
                text = f"{FAST}\n# request {next(counter)}" if distinct else FAST
                response = session.post(endpoint, data={"query": text}, headers={"Accept": "application/sparql-results+json"})
                took = time.perf_counter() - started
                if response.status_code != 200 or not response.json()["results"]["bindings"]:
                    errors.append(f"{response.status_code}: {response.text[:200]}")
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{endpoint}: {errors[0]}")
    return len(latencies) / elapsed, latencies


def under_slow(endpoint: str, samples: int = 10) -> list[float | None]:
    """Latencies of the fast query while the slow one runs on the same server (None: no answer
    within the slow query's time limit, after which the sampling stops)."""
    def run_slow() -> None:
        try:
            httpx.post(endpoint, data={"query": SLOW}, timeout=SLOW_LIMIT + 10)
        except httpx.HTTPError:
            pass

    slow = threading.Thread(target=run_slow, daemon=True)
    slow.start()
    time.sleep(1.0)
    latencies = []
    for _ in range(samples):
        started = time.perf_counter()
        try:
            httpx.post(endpoint, data={"query": FAST}, headers={"Accept": "application/sparql-results+json"}, timeout=SLOW_LIMIT)
        except httpx.TimeoutException:
            return latencies + [None]
        latencies.append(time.perf_counter() - started)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def started(command: list[str], url: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(url, process)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    from normgraph.layout import locate
    from normgraph.web.store import open_store
    import pyoxigraph as ox

    work = Path(tempfile.mkdtemp())
    processes: list[subprocess.Popen] = []
    try:
        dump = work / "graph.nt"
        store = open_store(locate(ROOT))
        store.dump(str(dump), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        print(f"graph: {len(store)} triples; {args.clients} clients x {args.requests} requests each\n")

        oxigraph_port = free_port()
        processes.append(started([str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(work / "oxigraph"),
                                  "--bind", f"127.0.0.1:{oxigraph_port}"], f"http://127.0.0.1:{oxigraph_port}/query?query=ASK%7B%7D"))
        httpx.post(f"http://127.0.0.1:{oxigraph_port}/store?default", content=dump.read_bytes(),
                   headers={"Content-Type": "application/n-triples"}, timeout=300).raise_for_status()
        rdflib_port = free_port()
        processes.append(started([str(Path(sys.executable).parent / "rdflib-endpoint"), "serve", "--host", "127.0.0.1",
                                  "--port", str(rdflib_port), str(dump)], f"http://127.0.0.1:{rdflib_port}/"))

        with running_server("--timeout", str(SLOW_LIMIT)) as normgraph:
            servers = {
                "normgraph serve": f"{normgraph}/sparql",
                "oxigraph serve": f"http://127.0.0.1:{oxigraph_port}/query",
                "rdflib-endpoint": f"http://127.0.0.1:{rdflib_port}/",
            }
            for distinct in (False, True):
                rows = {}
                for name, endpoint in servers.items():
                    load(endpoint, 2, 3)  # warm up
                    throughput, latencies = load(endpoint, args.clients, args.requests, distinct)
                    rows[name] = (throughput, percentile(latencies, 0.5), percentile(latencies, 0.99))
                base = rows["normgraph serve"]
                print("every request a new query text" if distinct else "the same query text repeated")
                print(f"{'server':<18}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'req/s ratio':>13}{'p50 ratio':>11}")
                for name, (throughput, p50, p99) in rows.items():
                    print(f"{name:<18}{throughput:>8.1f}{p50 * 1000:>9.1f}{p99 * 1000:>9.1f}{throughput / base[0]:>13.2f}{p50 / base[1]:>11.2f}")
                print()
            print("fast query while a slow one runs (10 requests)")
            print(f"{'server':<18}{'p50 ms':>9}{'max ms':>9}")
            for name, endpoint in servers.items():
                latencies = under_slow(endpoint)
                if None in latencies:
                    print(f"{name:<18}  no answer within {SLOW_LIMIT} s (the slow query blocks it)")
                    continue
                print(f"{name:<18}{percentile(latencies, 0.5) * 1000:>9.1f}{max(latencies) * 1000:>9.1f}")
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
