"""Run Python in a fresh interpreter that cannot reach the network.

A ``sitecustomize`` module on ``PYTHONPATH`` makes every socket connection and name lookup raise
``OSError`` before any vocmine code runs, and ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` tell the
Hugging Face libraries not to try. Used by the offline tests of the language tools, the language
detector and the demo command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NO_NETWORK = "network disabled by vocmine's offline test"

_GUARD = f'''
import socket


def _no_network(*args, **kwargs):
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
    env = {**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, *args], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
