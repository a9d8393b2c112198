"""Charts drawn on the server as inline SVG, with native tooltips: no chart script, no
chart library. ``axes`` chooses ticks; ``draw`` makes the markup."""

from .axes import DaySpan, count_ticks, day_ticks
from .draw import Series, category_bars, day_bars, day_line

__all__ = ["DaySpan", "Series", "category_bars", "count_ticks", "day_bars", "day_line", "day_ticks"]
