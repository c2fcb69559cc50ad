"""Demo data: years of a believable Chongqing registry and exchange, loaded day by day through
the same commands as the API (see :mod:`qingshan.demo.loader` and docs/demo.md)."""

from qingshan.demo.loader import DemoBook, load_demo

__all__ = ["DemoBook", "load_demo"]
