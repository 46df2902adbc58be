"""gridmodel: unit commitment and heat-electricity dispatch for Jilin (pandapower → Pyomo → HiGHS)."""

__version__ = "0.1.0"
