"""What a test checks on a page in the browser."""

from __future__ import annotations


def no_scrolling(page) -> bool:
    """The page fits its viewport: no scrollbar either way."""
    return page.evaluate(
        "document.documentElement.scrollHeight <= innerHeight + 1"
        " && document.documentElement.scrollWidth <= innerWidth + 1"
    )
