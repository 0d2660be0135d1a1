"""Render the app icons (web/static/icon-*.png) from web/static/icon.svg with Debian's
chromium; run from the repository root after changing the SVG:
``.venv/bin/python scripts/make_icons.py``."""

import os

from playwright.sync_api import sync_playwright

os.chdir(os.path.join(os.path.dirname(__file__), "..", "src", "broadsheet", "web", "static"))
svg = open("icon.svg").read()
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for size, name, pad in ((192, "icon-192.png", 0), (512, "icon-512.png", 0), (512, "icon-maskable-512.png", 1)):
        pg = b.new_page(viewport={"width": size, "height": size})
        if pad:  # maskable: full-bleed background, the letter inside the safe zone
            inner = svg.replace('rx="96"', 'rx="0"').replace('font-size="320"', 'font-size="240"').replace('y="368"', 'y="340"')
        else:
            inner = svg
        sized = inner.replace("<svg ", '<svg width="%d" height="%d" ' % (size, size))
        pg.set_content("<html><body style='margin:0;background:transparent'>" + sized + "</body></html>")
        pg.screenshot(path=name, omit_background=True)
    b.close()
