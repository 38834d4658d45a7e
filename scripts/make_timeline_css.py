"""Write static/css/timeline-positions.css from actionplan.timeline (run after changing it)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actionplan.timeline import positions_stylesheet  # noqa: E402

if __name__ == "__main__":
    (ROOT / "static" / "css" / "timeline-positions.css").write_text(positions_stylesheet())
