"""Run Python in a fresh interpreter that cannot reach the network.

A ``sitecustomize`` module on ``PYTHONPATH`` makes every socket connection and name lookup raise
``OSError`` before any vocmine code runs, and writes each attempt (with its stack) to a log, so an
attempt that a library catches quietly is still seen (:func:`network_attempts`). No Hugging Face
offline variable is set: vocmine must not need one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NO_NETWORK = "network disabled by vocmine's offline test"
ATTEMPTS = "network_attempts.log"
_END = "-- end of attempt --\n"

_GUARD = f'''
import os
import socket
import traceback


def _no_network(*args, **kwargs):
    with open(os.environ["VOCMINE_TEST_NETWORK_LOG"], "a", encoding="utf-8") as log:
        log.write(f"attempt {{args!r}}\\n" + "".join(traceback.format_stack(limit=12)) + {_END!r})
    raise OSError({NO_NETWORK!r})


socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network
socket.getaddrinfo = _no_network
'''


def run_offline(args: list[str], workdir: Path, *, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in ``workdir`` with the network blocked; never raises on a non-zero exit."""
    site = workdir / "offline_site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(_GUARD, encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    path = os.pathsep.join(p for p in (str(site), str(root), os.environ.get("PYTHONPATH", "")) if p)
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(PYTHONPATH=path, VOCMINE_TEST_NETWORK_LOG=str(workdir / ATTEMPTS))
    return subprocess.run([sys.executable, *args], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def network_attempts(workdir: Path) -> list[str]:
    """Each connection attempt the guard logged in ``workdir``, with its stack (empty: nothing tried)."""
    log = workdir / ATTEMPTS
    return [a for a in log.read_text(encoding="utf-8").split(_END) if a.strip()] if log.is_file() else []
