"""Render the PNG icons and the default share image from static/favicon.svg (run once, commit).

    .venv/bin/python scripts/render_share_images.py

Chromium (/usr/bin/chromium) draws them through Playwright; Pillow then drops the metadata
that would make every run differ. The results are committed under static/icons/ and
static/img/; run this again only when the logo changes.
"""

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

BASE = Path(__file__).resolve().parent.parent
STATIC = BASE / "static"
CHROMIUM = "/usr/bin/chromium"
FONTS = STATIC / "documents" / "fonts"

# Favicons keep the rounded square; the touch and app icons fill the square (iOS and Android
# cut their own shape) with the mark inside the maskable safe zone (80 % circle).
ICONS = {
    "icons/favicon-32.png": (32, "favicon"),
    "icons/apple-touch-icon.png": (180, "full"),
    "icons/icon-192.png": (192, "full"),
    "icons/icon-512.png": (512, "full"),
}

MARK = (
    '<path d="M8 10h16M8 16h11M8 22h14" stroke="#fff" stroke-width="3" '
    'stroke-linecap="round" fill="none"/>'
)


def icon_html(size: int, kind: str) -> str:
    svg = (STATIC / "favicon.svg").read_text()
    if kind == "full":
        # the mark scaled into the safe zone of a full-bleed square
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
            '<rect width="32" height="32" fill="#0b4f8a"/>'
            f'<g transform="translate(2.4 2.4) scale(0.85)">{MARK}</g></svg>'
        )
    return (
        "<!DOCTYPE html><html><head><style>html,body{margin:0;background:transparent}"
        f"svg{{display:block;width:{size}px;height:{size}px}}</style></head>"
        f"<body>{svg}</body></html>"
    )


def share_html() -> str:
    fonts = FONTS.as_uri()
    return f"""<!DOCTYPE html><html lang="de"><head><style>
@font-face {{ font-family: "Carlito"; src: url({fonts}/Carlito-Regular.ttf); font-weight: 400; }}
@font-face {{ font-family: "Carlito"; src: url({fonts}/Carlito-Bold.ttf); font-weight: 700; }}
html, body {{ margin: 0; }}
body {{ width: 1200px; height: 630px; box-sizing: border-box; padding: 88px 96px;
  background: #0b4f8a; color: #fff; font-family: Carlito, sans-serif;
  display: flex; flex-direction: column; justify-content: space-between; }}
.brand {{ display: flex; align-items: center; gap: 36px; }}
.brand svg {{ width: 150px; height: 150px; flex: none; }}
.name {{ font-size: 128px; font-weight: 700; letter-spacing: -1px; line-height: 1; }}
.claim {{ font-size: 56px; line-height: 1.25; max-width: 980px; }}
.foot {{ font-size: 30px; white-space: nowrap; color: #cfe0f1;
  border-top: 3px solid #5b8cc0; padding-top: 28px; }}
</style></head><body>
<div class="brand"><svg viewBox="0 0 32 32" xmlns="http://www.w3.org/2000/svg">
<rect width="32" height="32" rx="6" fill="#fff"/>
<path d="M8 10h16M8 16h11M8 22h14" stroke="#0b4f8a" stroke-width="3" stroke-linecap="round"/>
</svg><div class="name">Planwerk</div></div>
<div class="claim">Maßnahmenpläne und Kampagnen von Städten und Regionen</div>
<div class="foot">Handlungsfelder · Maßnahmen · Zeitpläne · Umsetzungsstand · Offene Daten</div>
</body></html>"""


def save_png(data: bytes, target: Path, size: tuple[int, int]) -> None:
    image = Image.open(io.BytesIO(data))
    if image.size != size:
        raise SystemExit(f"{target}: rendered {image.size}, expected {size}")
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = "RGBA" if target.name.startswith("favicon") else "RGB"
    image.convert(mode).save(target, "PNG", optimize=True)
    print(f"{target.relative_to(BASE)}: {size[0]}×{size[1]}, {target.stat().st_size} bytes")


def main() -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, (size, kind) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(icon_html(size, kind))
            data = page.screenshot(omit_background=kind == "favicon")
            save_png(data, STATIC / name, (size, size))
            page.close()
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        with tempfile.TemporaryDirectory() as folder:
            html = Path(folder) / "share.html"
            html.write_text(share_html())
            page.goto(html.as_uri())  # a file page may load the fonts from static/
            page.evaluate("document.fonts.ready")
        save_png(page.screenshot(), STATIC / "img" / "share-default.png", (1200, 630))
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
