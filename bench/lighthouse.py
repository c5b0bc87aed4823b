"""Lighthouse on the demo site (issue #18): home, an article and a category page, mobile and
desktop, served by gunicorn and WhiteNoise with debug off.

    LIGHTHOUSE=/path/to/node_modules/.bin/lighthouse python -m bench.lighthouse [--port 8390]

Needs the npm package ``lighthouse`` (``npm install lighthouse`` anywhere; LIGHTHOUSE points
at its binary) and Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). Builds a fresh
SQLite database with the demo content in a temporary folder, prints the scores with the
machine's load average as a Markdown table for bench/RESULTS.md, and every audit that cost a
point in accessibility, best practices or SEO.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.run import harness

ROOT = harness.ROOT
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8390)
    options = parser.parse_args()
    lighthouse = os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse")
    if not lighthouse:
        sys.exit("Set LIGHTHOUSE to the lighthouse binary (npm install lighthouse).")
    with tempfile.TemporaryDirectory(prefix="karriere-lighthouse-") as folder:
        site = f"http://127.0.0.1:{options.port}"
        env = harness.production_env(
            site,
            hosts="127.0.0.1",
            DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
            MEDIA_ROOT=f"{folder}/media",
            CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
        )
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "-v0"], ["demo_content"], ["collectstatic", "--noinput"]):
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        bin_dir, port = Path(sys.executable).parent, options.port
        with harness.gunicorn(bin_dir, "bench.lighthouse_wsgi", port, env, probe="/healthz"):
            pages = _pages(env, site)
            rows = [
                _audit(lighthouse, env, name, url, form_factor, Path(folder))
                for name, url in pages.items()
                for form_factor in ("mobile", "desktop")
            ]
    print(_markdown(rows))


def _pages(env: dict, site: str) -> dict[str, str]:
    os.environ.update(env)
    import django

    django.setup()
    from articles.models import Article, Category

    article = Article.objects.published().order_by("-published_at").first()
    category = Category.objects.order_by("position").first()
    return {
        "home": site + "/",
        "article": site + article.get_absolute_url(),
        "category": site + category.get_absolute_url(),
    }


def _audit(lighthouse: str, env: dict, name: str, url: str, form_factor: str, folder: Path):
    output = folder / f"{name}-{form_factor}.json"
    command = [
        lighthouse, url, "--quiet", "--output=json", f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    if form_factor == "desktop":
        command.append("--preset=desktop")
    load = os.getloadavg()[0]
    for attempt in range(3):
        # Headless Chromium sometimes loses the trace ("NO_NAVSTART: run Lighthouse again").
        if subprocess.run(command, env=env).returncode == 0:
            break
        if attempt == 2:
            raise RuntimeError(f"Lighthouse failed three times on {url} ({form_factor})")
    report = json.loads(output.read_text())
    scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
    lost = [
        f"{key}: {audit_id}"
        for key in CATEGORIES[1:]
        for ref in report["categories"][key]["auditRefs"]
        if ref["weight"]
        and (audit_id := ref["id"])
        and (report["audits"][audit_id]["score"] is not None)
        and report["audits"][audit_id]["score"] < 1
    ]
    metrics = report["audits"]
    row = {
        "page": name,
        "form_factor": form_factor,
        **scores,
        "lcp_ms": round(metrics["largest-contentful-paint"]["numericValue"]),
        "cls": round(metrics["cumulative-layout-shift"]["numericValue"], 3),
        "tbt_ms": round(metrics["total-blocking-time"]["numericValue"]),
        "load": load,
        "lost": lost,
    }
    print(json.dumps(row), flush=True)
    return row


def _markdown(rows: list[dict]) -> str:
    lines = [
        "| Page | Device | Performance | Accessibility | Best practices | SEO | LCP | CLS | TBT "
        "| Load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['page']} | {row['form_factor']} | {row['performance']} "
            f"| {row['accessibility']} | {row['best-practices']} | {row['seo']} "
            f"| {row['lcp_ms']} ms | {row['cls']} | {row['tbt_ms']} ms | {row['load']:.2f} |"
        )
    lost = sorted({item for row in rows for item in row["lost"]})
    if lost:
        lines += ["", "Audits that cost a point: " + ", ".join(lost)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
