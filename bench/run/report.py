"""Turn the measured `Result`s into bench/RESULTS.md: tables, ratios and the goals."""

from __future__ import annotations

import os
from datetime import datetime

from bench.run.harness import commit, machine
from bench.run.measure import DURATION, HOT_CLIENTS, READERS, WARMUP, Result, SetRun

PAGE_ROWS = ["home", "article", "article_uncached", "category", "tag", "author", "search",
             "feed", "sitemap", "count_view", "comment_post"]  # fmt: skip


def fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}"


def report(runs: list[SetRun], hot: list[Result], load: tuple[str, str]) -> str:
    lines = _preamble(load) + _pages_table(runs)
    lines += [
        "",
        "Peak RSS of a gunicorn worker after the run: "
        + ", ".join(f"{run.name} {run.peak_rss_mb:.0f} MiB" for run in runs),
    ]
    if hot:
        lines += _hot_table(runs[0], hot) + _wagtail_table(runs[0], hot)
    lines += ["", "## Goals (bench/FINDINGS.md explains the gaps)", ""]
    lines += goals(runs, hot)
    return "\n".join(lines) + "\n"


def _preamble(load: tuple[str, str]) -> list[str]:
    return [
        "# Benchmark results",
        "",
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: {machine()}",
        f"- Commit: {commit()}",
        f"- Load average (1 min) at start / end: {load[0]} / {load[1]} on {os.cpu_count()} cores "
        "(anything above about 1 means other work shared the machine)",
        f"- Setup: gunicorn 2 sync workers, PostgreSQL + Redis, DEBUG off; wrk -t1 -c{READERS} "
        f"-d{DURATION}s per endpoint after {WARMUP} s warm-up "
        f"(-c{HOT_CLIENTS} for the hot article)",
        "- `× ceiling`: requests/s divided by the bare Django view's (mean of a run before and "
        "after the pages) in the same data set.",
        "- SQL: queries per request (Django test client, once): the view's own (page not "
        "cached, site-wide caches warm) / the first request after a "
        "content change (refills navigation, top list, next publication) / cached page.",
        "",
    ]


def _pages_table(runs: list[SetRun]) -> list[str]:
    """One row per page, a column group per data set, and the large ÷ small growth ratio."""
    by_name = {run.name: run for run in runs}
    small, large = by_name.get("small"), by_name.get("large")
    header = "| Endpoint | SQL |"
    rule = "|---|---:|"
    for run in runs:
        header += f" {run.name} req/s | p50 ms | p99 ms | × ceiling |"
        rule += "---:|---:|---:|---:|"
    if small and large:
        header += " large / small |"
        rule += "---:|"
    lines = [header, rule]
    ceiling_row = "| ceiling (bare view) | 0 |"
    for run in runs:
        spread = " / ".join(fmt(x) for x in run.ceiling_runs)
        ceiling_row += f" {fmt(run.ceiling)} ({spread}) | | | 1.00 |"
    lines.append(
        ceiling_row + (" " + ratio(large.ceiling, small.ceiling) + " |" if small and large else "")
    )
    for name in PAGE_ROWS:
        present = [run.results.get(name) for run in runs]
        if not any(present):
            continue
        queries = next((r.queries for r in present if r and r.queries), "")
        row = f"| {name} | {queries} |"
        for run, result in zip(runs, present, strict=True):
            row += _page_cells(result, run.ceiling)
        if small and large:
            row += f" {ratio(rps(large.results.get(name)), rps(small.results.get(name)))} |"
        lines.append(row)
    return lines


def _page_cells(result: Result | None, ceiling: float) -> str:
    if result is None or result.rps is None:
        return f" {result.note if result else 'not built'} | | | |"
    note = f" ({result.note})" if result.note else ""
    return (
        f" {fmt(result.rps)}{note} | {fmt(result.p50_ms, 1)} | "
        f"{fmt(result.p99_ms, 1)} | {ratio(result.rps, ceiling)} |"
    )


def _hot_table(first: SetRun, hot: list[Result]) -> list[str]:
    lines = [
        "",
        f"## View counting and the peer ({first.name} set)",
        "",
        "| Endpoint | SQL | req/s | p50 ms | p99 ms | count_view ÷ this |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in hot:
        if not result.setup:
            continue
        lines.append(
            f"| {result.label} | {result.queries} | {fmt(result.rps)} "
            f"{('(' + result.note + ')') if result.note else ''} | "
            f"{fmt(result.p50_ms, 1)} | {fmt(result.p99_ms, 1)} | "
            f"{ratio(rps(_find(hot, 'count_view', result.setup)), result.rps)} |"
        )
    return lines


def _wagtail_table(first: SetRun, hot: list[Result]) -> list[str]:
    wagtail = _find(hot, "wagtail article")
    ours = first.results.get("article")
    if not (wagtail and ours):
        return []
    lines = [
        "",
        "| Article page | req/s | p50 ms | p99 ms | Karriere ÷ Wagtail |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, result in (
        ("Karriere (page cache)", ours),
        ("Karriere (uncached)", first.results.get("article_uncached")),
        ("Wagtail 8 (minimal site)", wagtail),
    ):
        if result and result.rps:
            lines.append(
                f"| {label} | {fmt(result.rps)} | {fmt(result.p50_ms, 1)} | "
                f"{fmt(result.p99_ms, 1)} | {ratio(result.rps, wagtail.rps)} |"
            )
    return lines


def rps(result: Result | None) -> float | None:
    return result.rps if result else None


def _find(results: list[Result], name: str, setup: str = "") -> Result | None:
    return next((r for r in results if r.name == name and r.setup == setup), None)


# Peers of count_view on the hot article: (endpoint, setup, how many times faster it must be).
HOT_TARGETS = [
    ("bare 204", "32 c", 0.8),
    ("naive UPDATE", "32 c", 3),
    ("hitcount", "32 c", 5),
    ("bare 204", "32 c, 2×16 threads", 0.8),
    ("naive UPDATE", "32 c, 2×16 threads", 3),
]


class _Goals:
    """The goal table's rows, each with the figure it is judged by."""

    def __init__(self) -> None:
        self.rows = ["| Goal | Figure | Met |", "|---|---:|:---:|"]

    def add(self, goal: str, value: float | None, target: float) -> None:
        met = "–" if value is None else ("yes" if value >= target else "**no**")
        # Three decimals where two would round a miss up to the target (0.498 → "0.50").
        digits = 3 if value is not None and value < target <= round(value, 2) else 2
        self.rows.append(f"| {goal} | {'–' if value is None else f'{value:.{digits}f}'} | {met} |")

    def check(self, goal: str, figure: object, met: bool | None) -> None:
        verdict = "–" if met is None else ("yes" if met else "**no**")
        self.rows.append(f"| {goal} | {figure} | {verdict} |")


def goals(runs: list[SetRun], hot: list[Result]) -> list[str]:
    """The issue's goals, each with the figure it is judged by."""
    table = _Goals()
    _ceiling_goals(table, runs)
    _growth_goals(table, runs)
    for name, setup, target in HOT_TARGETS:
        count, peer = rps(_find(hot, "count_view", setup)), rps(_find(hot, name, setup))
        table.add(
            f"count_view ≥ {target} × {name} ({setup})",
            count / peer if count and peer else None,
            target,
        )
    wagtail = rps(_find(hot, "wagtail article"))
    for label, page in (("page cache", "article"), ("uncached", "article_uncached")):
        ours = rps(runs[0].results.get(page))
        table.add(
            f"article ({label}) ≥ 1.5 × Wagtail", ours / wagtail if ours and wagtail else None, 1.5
        )
    return table.rows


def _times_ceiling(run: SetRun, name: str) -> float | None:
    result = run.results.get(name)
    return result.rps / run.ceiling if result and result.rps and run.ceiling else None


def _ceiling_goals(table: _Goals, runs: list[SetRun]) -> None:
    for run in runs:
        for name in ("article", "home", "category", "tag", "feed", "sitemap"):
            table.add(f"{name} ≥ 0.5 × ceiling ({run.name})", _times_ceiling(run, name), 0.5)
        table.add(
            f"count_view ≥ 0.8 × ceiling ({run.name})", _times_ceiling(run, "count_view"), 0.8
        )
    for run in runs:
        article = run.results.get("article")
        queries = int(article.queries.split("/")[0]) if article and article.queries else None
        table.check(
            f"article SQL queries uncached ≤ 8 ({run.name})",
            queries,
            None if queries is None else queries <= 8,
        )


def _growth_goals(table: _Goals, runs: list[SetRun]) -> None:
    """The large set must cost the same queries and nearly the same time as the small one."""
    by_set = {run.name: run for run in runs}
    if len(runs) > 1:
        same = all(
            len({run.results[name].queries for run in runs if name in run.results}) == 1
            for name in PAGE_ROWS
        )
        verdict = "yes" if same else "**no**"
        table.rows.append(f"| SQL queries per page the same on every set | | {verdict} |")
    if "large" in by_set:
        table.add(
            "search ≥ 0.25 × ceiling (large)", _times_ceiling(by_set["large"], "search"), 0.25
        )
    if "small" in by_set and "large" in by_set:
        for name in PAGE_ROWS:
            small, large = by_set["small"].results.get(name), by_set["large"].results.get(name)
            if rps(small) and rps(large):
                table.add(f"{name}: large ≥ 0.8 × small", large.rps / small.rps, 0.8)
