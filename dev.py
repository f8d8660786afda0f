"""Set everything up and run: `python3 dev.py run` (the dashboard), `python3 dev.py test` (the tests)
or `python3 dev.py cli COMMAND ...` (the command line, `python -m dashboard COMMAND ...` in the venv).

Needs only Python 3.11: creates `.venv`, installs the pinned requirements when they changed
(`requirements.txt`; for the tests also `requirements-dev.txt`), then runs the dashboard
(`streamlit run serve.py`), pytest or `python -m dashboard` inside it. Extra arguments go to
streamlit / pytest / the command line.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".requirements.sha256"


def ensure_environment(files: tuple[str, ...]) -> None:
    """The venv with the pinned requirements of `files`, installed again only when they change."""
    if not PYTHON.exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in files)).hexdigest()
    stamps = STAMP.read_text().split() if STAMP.exists() else []
    if digest not in stamps:
        print("installing requirements", flush=True)
        subprocess.check_call([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        arguments = [part for name in files for part in ("-r", str(ROOT / name))]
        subprocess.check_call([str(PYTHON), "-m", "pip", "install", "--quiet", *arguments])
        STAMP.write_text(" ".join(stamps + [digest]))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "cli"):
        print(__doc__)
        return 2
    # the tests and the benchmark also need requirements-dev.txt; running the dashboard does not
    ensure_environment(("requirements.txt",) if argv[0] in ("run", "cli") else ("requirements.txt", "requirements-dev.txt"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if argv[0] == "run":
        command = [str(PYTHON), "-m", "streamlit", "run", str(ROOT / "serve.py"), *argv[1:]]
    elif argv[0] == "cli":
        command = [str(PYTHON), "-m", "dashboard", *argv[1:]]
    else:
        # two workers (pytest-xdist, one embedded server each: tests/conftest.py) halve the suite's
        # time on a 2-core machine; `-n 0` runs it in one process
        workers = [] if any(a.startswith(("-n", "--numprocesses")) for a in argv[1:]) else ["-n", "2"]
        command = [str(PYTHON), "-m", "pytest", *workers, *argv[1:]]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
