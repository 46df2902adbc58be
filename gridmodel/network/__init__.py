"""pandapower I/O, the adapter net → System, and the DC network (PTDF)."""
