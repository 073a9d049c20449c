"""What a reader's browser downloads, page by page, and how big the built site is.

    python tools/page_weight.py _build/html            # every page: preface, notation, bibliography, chapters
    python tools/page_weight.py _build/html --top 8    # and the 8 biggest requests of each page

Serves the HTML directory on a local port, opens each page in headless Chromium (Debian's
/usr/bin/chromium through playwright, as the browser tests do; every request off this machine is
blocked), waits for the load event, MathJax's typesetting, the widgets (on pages with saved widget
state) and a quiet network, then sums the uncompressed bytes of every response the page received:
the HTML, scripts, style sheets, fonts and images fetched later included (images inlined as data:
URIs are part of the HTML). Prints one row per page, the sum by kind of resource, and the size on
disk of the site (`du`) and of its biggest parts. Measure a "before" and an "after" build the same way.
"""
import argparse
import collections
import functools
import http.server
import os
import pathlib
import subprocess
import sys
import threading

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
KINDS = ["document", "script", "stylesheet", "font", "image", "other"]
FRONT = ["book/preface.html", "book/notation.html", "book/bibliography.html"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def pages(html):
    chapters = sorted(str(p.relative_to(html)) for p in html.glob("book/part*/*.html"))
    return [p for p in FRONT if (html / p).exists()] + chapters


def kind(request):
    t = request.resource_type
    return t if t in KINDS else "other"


def weigh(browser, base, path, top=0):
    """Open `path`; return (bytes by kind, number of requests, biggest [(bytes, url)], problems)."""
    page = browser.new_page(viewport={"width": 1366, "height": 844})
    responses, problems = [], []

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            problems.append(f"blocked {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.on("response", lambda r: responses.append(r))
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)",
                           timeout=30000)
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    if page.locator("script[type='application/vnd.jupyter.widget-state+json']").count():
        page.wait_for_selector(".jupyter-widgets", timeout=30000)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    by_kind, biggest = collections.Counter(), []
    for response in responses:
        if not response.url.startswith(base):
            continue
        try:
            size = len(response.body())
        except Exception:  # a redirect has no body
            size = 0
        by_kind[kind(response.request)] += size
        biggest.append((size, response.url[len(base):]))
    page.close()
    return by_kind, len(responses), sorted(biggest, reverse=True)[:top], problems


def du(path):
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True)
               .stdout.split()[0])


def mb(n):
    return f"{n / 1e6:6.2f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=pathlib.Path, help="the built HTML directory (_build/html)")
    parser.add_argument("--top", type=int, default=0, help="also list each page's N biggest requests")
    args = parser.parse_args(argv)
    html = args.html.resolve()
    from playwright.sync_api import sync_playwright

    httpd, base = serve(html)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for path in pages(html):
            by_kind, n, biggest, problems = weigh(browser, base, path, args.top)
            rows.append((path, by_kind, n, biggest, problems))
        browser.close()
    httpd.shutdown()

    print(f"Page weight of {html} (MB = 10^6 bytes, uncompressed, every request of a page)\n")
    header = f"{'page':40} {'reqs':>4} {'total':>6} " + " ".join(f"{k[:6]:>6}" for k in KINDS)
    print(header)
    print("-" * len(header))
    for path, by_kind, n, _, _ in rows:
        total = sum(by_kind.values())
        print(f"{path:40} {n:4} {mb(total)} " + " ".join(mb(by_kind[k]) for k in KINDS))
    print()
    for label, group in (("front matter", [r for r in rows if r[0] in FRONT]),
                         ("chapters", [r for r in rows if r[0] not in FRONT])):
        totals = sorted(sum(r[1].values()) for r in group)
        if totals:
            print(f"{label:13} ({len(totals):2} pages): min {mb(totals[0])}  median {mb(totals[len(totals) // 2])}"
                  f"  max {mb(totals[-1])} MB")
    if args.top:
        for path, _, _, biggest, _ in rows:
            print(f"\n{path}: biggest requests")
            for size, url in biggest:
                print(f"  {mb(size)} MB  {url}")
    problems = [(path, q) for path, _, _, _, qs in rows for q in qs]
    for path, q in problems:
        print(f"PROBLEM {path}: {q}")

    print(f"\nSite on disk: {mb(du(html))} MB ({html})")
    parts = [html / "_static" / d.name for d in sorted((html / "_static").iterdir()) if d.is_dir()]
    parts += [html / "_static", html / "_images", html / "book", html / "_sources"]
    sizes = sorted(((du(p), p) for p in parts if p.exists()), reverse=True)
    for size, part in sizes[:12]:
        print(f"  {mb(size)} MB  {part.relative_to(html)}")
    maps = sum(f.stat().st_size for f in html.rglob("*.map"))
    print(f"  {mb(maps)} MB  source maps (*.map, {len(list(html.rglob('*.map')))} files)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
