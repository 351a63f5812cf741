#!/usr/bin/env python3
"""Thin bootstrap: make sure what the project needs is installed, then hand over to invoke.

    python3 bootstrap.py serve   # install the Python tools, build the site, serve it on :8000
    python3 bootstrap.py test    # also install Chromium, Java and the npm tools, run every test

It only needs Python 3.11. Each step is skipped when what it installs is already
there (stamps hold the hash of the lock file they were installed from), so a second
run starts in seconds. Every task itself lives in tasks.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMPS = ROOT / ".stamps"
DEBIAN_PACKAGES = {  # command that must exist -> Debian package providing it
    "/usr/bin/chromium": "chromium",
    "java": "default-jre-headless",
    "npm": "npm",
}


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def up_to_date(name: str, value: str) -> bool:
    stamp = STAMPS / name
    return stamp.exists() and stamp.read_text() == value


def mark(name: str, value: str) -> None:
    STAMPS.mkdir(exist_ok=True)
    (STAMPS / name).write_text(value)


def run(*command: str, **kwargs) -> None:
    subprocess.run(command, check=True, **kwargs)


def ensure_python() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"This project needs Python 3.11; this is {sys.version.split()[0]}. "
                 "Run the command with python3.11.")
    lock = ROOT / "requirements.txt"
    wanted = digest(lock)
    if (BIN / "python").exists() and up_to_date("venv", wanted):
        return
    if not (BIN / "python").exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing Python packages from requirements.txt (pinned, hashed)")
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--require-hashes", "-r", str(lock))
    mark("venv", wanted)


def have(command: str) -> bool:
    return Path(command).exists() if command.startswith("/") else shutil.which(command) is not None


def ensure_system_packages() -> None:
    # CI runners that ship their own Chrome point CHROMIUM_PATH at it instead.
    wanted = {os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium") if pkg == "chromium" else cmd: pkg
              for cmd, pkg in DEBIAN_PACKAGES.items()}
    missing = sorted({pkg for cmd, pkg in wanted.items() if not have(cmd)})
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if sudo and not shutil.which("sudo"):
        sys.exit(f"Missing {', '.join(missing)} and not root: install them with apt-get as root.")
    say(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(*sudo, "apt-get", "update", "-qq", env=env)
    run(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


def ensure_npm_tools() -> None:
    lock = ROOT / "package-lock.json"
    wanted = digest(lock)
    if (ROOT / "node_modules").is_dir() and up_to_date("npm", wanted):
        return
    say("installing the npm test tools from package-lock.json")
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=ROOT)
    mark("npm", wanted)


def invoke(*args: str) -> int:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.call([str(BIN / "invoke"), *args], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    ensure_python()
    if argv[0] == "serve":
        code = invoke("build")
        return code if code else invoke("serve")
    ensure_system_packages()
    ensure_npm_tools()
    return invoke("test")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
