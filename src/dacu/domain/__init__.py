"""The pure core: no I/O, no framework imports."""
