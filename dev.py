"""Set everything up and run: `python3 dev.py run` (the dashboard) or `python3 dev.py test` (the tests).

Needs only Python 3.11: creates `.venv`, installs the pinned requirements when they changed,
then runs Streamlit or pytest inside it. Extra arguments go to streamlit / pytest.
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


def ensure_environment() -> None:
    if not PYTHON.exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("installing requirements", flush=True)
        subprocess.check_call([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        subprocess.check_call([str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt")])
        STAMP.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if argv[0] == "run":
        command = [str(PYTHON), "-m", "streamlit", "run", str(ROOT / "serve.py"), *argv[1:]]
    else:
        command = [str(PYTHON), "-m", "pytest", *argv[1:]]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
