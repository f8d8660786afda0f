"""Peak resident memory of a process, for the benchmark's memory rows."""
from __future__ import annotations


def peak_resident_mb(pid: int | str = "self") -> float:
    """The process's peak resident memory (VmHWM) in MB. Not ru_maxrss: Linux carries a parent's
    peak over a fork and exec into the child, so a child started by the benchmark would report the
    benchmark's own (DuckDB, the exports)."""
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) / 1024
