"""The run's figures as people read them: percentiles, and the table of the phases.

The table is what a run prints at its end (and what the template's test shows of the short
form); the JSON results (--json) hold the same phases in full.
"""


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def table(results):
    lines = [
        "| phase | concurrency | logins | logins/s | callback p50 / p95 / p99 ms | failed: what "
        "people saw | recovery s | other pages p50 / p99 ms | duplicates | half-created "
        "| new Graph connections per login |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        seen_by = "; ".join(f"{count} {failure}" for failure, count in r["failures"].items())
        failed = f"{r['failed']}: {seen_by}" if seen_by else str(r["failed"])
        recovery = "-" if r["recovery_s"] is None else r["recovery_s"]
        pages = f"{r['pages_p50_ms']} / {r['pages_p99_ms']}" if r["pages"] else "-"
        lines.append(
            f"| {r['phase']} | {r['concurrency']} | {r['logins']} | {r['logins_per_second']} "
            f"| {r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} | {failed} | {recovery} "
            f"| {pages} | {r['duplicates']} | {r['half_created']} "
            f"| {r['graph_connections_per_login']} |"
        )
    return "\n".join(lines)
