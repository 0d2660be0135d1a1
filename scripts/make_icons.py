"""Render the app icons (web/static/icon-*.png) from web/static/icon.svg with Debian's
chromium; run from the repository root after changing the SVG:
``.venv/bin/python scripts/make_icons.py``."""

from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "src" / "broadsheet" / "web" / "static"
ICONS = (("icon-192.png", 192, False), ("icon-512.png", 512, False))
MASKABLE = ("icon-maskable-512.png", 512, True)  # full bleed, the letter in the safe zone


def main() -> None:
    svg = (STATIC / "icon.svg").read_text()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, size, maskable in (*ICONS, MASKABLE):
            page = browser.new_page(viewport={"width": size, "height": size})
            art = svg
            if maskable:
                art = art.replace('rx="96"', 'rx="0"').replace('font-size="320"', 'font-size="240"')
                art = art.replace('y="368"', 'y="340"')
            art = art.replace("<svg ", f'<svg width="{size}" height="{size}" ')
            page.set_content(f"<html><body style='margin:0'>{art}</body></html>")
            page.screenshot(path=str(STATIC / name), omit_background=True)
        browser.close()


if __name__ == "__main__":
    main()
