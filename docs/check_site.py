"""Smoke test of the built site in a real headless browser (Chromium via Playwright).

    python docs/check_site.py [--site docs/_build/html] [--chromium PATH] [--screenshots DIR]

Checks that the front page loads, that the search finds "waterfall", and that every
gallery page shows its figures (each ``img`` loaded, ``naturalWidth > 0``). Uses the
system Chromium (``--chromium``, else ``$CHROMIUM``, else the first of ``chromium``,
``chromium-browser``, ``google-chrome`` on the PATH); Playwright's own browser
download is not needed. Serves the site over a loopback HTTP server, as search needs.
Exits 1 naming each failure.

The site loads MathJax from its CDN. Where the machine has no internet but a local
MathJax 2 (Debian's ``libjs-mathjax``: ``--mathjax DIR``, default
``/usr/share/javascript/mathjax`` if present), the browser is given that copy instead,
and the model chapter's formulas are checked to render.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
LOCAL_MATHJAX = Path("/usr/share/javascript/mathjax")
#: The CDN address Sphinx's MathJax script has (any version), routed to a local copy.
MATHJAX_CDN = "**/npm/mathjax@*/**"


def find_chromium(given: str | None) -> str:
    for name in (given, os.environ.get("CHROMIUM"), *BROWSERS):
        path = name and (shutil.which(name) or (name if Path(name).is_file() else None))
        if path:
            return path
    sys.exit("check_site: no Chromium found (apt-get install chromium, or --chromium PATH)")


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def use_local_mathjax(page, base: str) -> None:  # noqa: ANN001
    """Answer the CDN's MathJax request with a loader of the local MathJax 2."""
    config = ('{"jax": ["input/TeX", "output/HTML-CSS"], "extensions": ["tex2jax.js"],'
              ' "TeX": {"extensions": ["AMSmath.js", "AMSsymbols.js"]},'
              ' "tex2jax": {"processClass": "math|output_area|tex2jax_process"}}')
    loader = (f"(function(){{window.MathJax = {config};"
              "var s = document.createElement('script');"
              f"s.src = '{base}MathJax.js'; document.head.appendChild(s);}})();")
    page.route(MATHJAX_CDN, lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=loader))


def rendered_math(page) -> int:  # noqa: ANN001
    """Number of formulas MathJax typeset on the page (version 2 or 3)."""
    page.wait_for_timeout(4000)
    return page.locator(".MathJax, .MathJax_Display, mjx-container").count()


def images(page) -> list[dict]:  # noqa: ANN001
    """Every figure of the page's notebook outputs, once all images have settled."""
    page.wait_for_load_state("load")
    return page.eval_on_selector_all(
        "article img",
        "els => els.map(e => ({src: e.getAttribute('src'), complete: e.complete,"
        " width: e.naturalWidth}))")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--chromium", default=None)
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="also save full-page PNGs of a few pages here")
    parser.add_argument("--mathjax", type=Path,
                        default=LOCAL_MATHJAX if LOCAL_MATHJAX.is_dir() else None,
                        help="a local MathJax 2 directory to use instead of the CDN")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        sys.exit(f"check_site: {site / 'index.html'} not found; build the site first")
    gallery = sorted(p.relative_to(site).as_posix() for p in (site / "gallery").glob("*.html")
                     if p.name != "index.html")
    failures: list[str] = []
    server, base = serve(site)
    mathjax = serve(args.mathjax) if args.mathjax else None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=find_chromium(args.chromium),
                                         args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            if mathjax:
                use_local_mathjax(page, mathjax[1])
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            response = page.goto(base + "index.html")
            if response is None or not response.ok:
                failures.append(f"front page: HTTP {response and response.status}")
            elif "dealsim" not in page.title():
                failures.append(f"front page: title {page.title()!r}")
            print(f"front page: {page.title()!r}")

            page.goto(base + "search.html?q=waterfall")
            try:
                page.wait_for_selector("#search-results ul.search li", timeout=30_000)
                hits = page.locator("#search-results ul.search li").count()
                print(f"search 'waterfall': {hits} results")
            except Exception as exc:  # noqa: BLE001  (report, do not crash)
                failures.append(f"search 'waterfall' found nothing ({type(exc).__name__})")

            if mathjax:
                page.goto(base + "guide/model.html")
                count = rendered_math(page)
                print(f"guide/model.html: {count} formulas typeset (local MathJax)")
                if count == 0:
                    failures.append("guide/model.html: no formula typeset")

            if not gallery:
                failures.append("no gallery pages in the site")
            for rel in gallery:
                page.goto(base + rel)
                imgs = images(page)
                broken = [i["src"] for i in imgs if not i["complete"] or i["width"] <= 0]
                print(f"{rel}: {len(imgs)} images, {len(broken)} not loaded")
                if not imgs:
                    failures.append(f"{rel}: no figure")
                failures += [f"{rel}: image {src} did not load" for src in broken]

            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                for rel in ["index.html", "guide/model.html", *gallery[:2]]:
                    page.goto(base + rel)
                    page.wait_for_load_state("networkidle")
                    if mathjax:
                        rendered_math(page)
                    out = args.screenshots / (rel.replace("/", "_").replace(".html", ".png"))
                    page.screenshot(path=str(out), full_page=True)
                    print(f"screenshot: {out}")
            failures += [f"JavaScript error: {e}" for e in errors]
            browser.close()
    finally:
        server.shutdown()
        if mathjax:
            mathjax[0].shutdown()
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
