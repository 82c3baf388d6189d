"""The image installs what the Dockerfile copies: built the same way here, every module imports and runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "content", "handlers", "scheduler")


def copied_paths(dockerfile: Path) -> list[str]:
    """The sources of every COPY in the first (app) stage of the Dockerfile."""
    stage = re.split(r"^FROM ", dockerfile.read_text(), flags=re.MULTILINE)[1]
    paths: list[str] = []
    for line in stage.splitlines():
        match = re.match(r"^COPY\s+(?!--from)(?:--\S+\s+)*(.+)$", line.strip())
        if match:
            *sources, _ = match.group(1).split()
            paths += sources
    return paths


def source_modules() -> list[str]:
    """Every Python module of the project's packages, from the checkout."""
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def test_every_package_of_the_project_is_copied_into_the_image() -> None:
    copied = {p.rstrip("/") for p in copied_paths(ROOT / "Dockerfile")}
    assert {"pyproject.toml", "README.md", *PACKAGES} <= copied


def test_the_install_the_dockerfile_makes_runs_and_imports_every_module(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for item in copied_paths(ROOT / "Dockerfile"):
        origin = ROOT / item
        if origin.is_dir():
            shutil.copytree(origin, source / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / item)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.check_output(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # The third-party packages come from the test environment, read as a plain path: its own .pth files
    # (the editable install of this checkout among them) are not processed, so only the copy is importable.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(source),
        ],
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    python = [str(venv / "bin" / "python"), "-I"]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}

    where = subprocess.run(
        [*python, "-c", "import bot; print(bot.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert where.stdout.startswith(str(site)), "the import must come from the install, not the checkout"

    modules = source_modules()
    imported = subprocess.run(
        [
            *python,
            "-c",
            "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)",
            *modules,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert imported.returncode == 0, imported.stderr

    entry = (
        "import sys\nfrom importlib.metadata import entry_points\n"
        "main = entry_points(group='console_scripts')['debrief'].load()\nsys.argv = ['debrief', *sys.argv[1:]]\nmain()"
    )
    helped = subprocess.run([*python, "-c", entry, "--help"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert helped.returncode == 0 and "run" in helped.stdout, helped.stderr
    checked = subprocess.run(
        [*python, "-c", entry, "content", "check"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert checked.returncode == 0 and checked.stdout.startswith("ok:"), checked.stderr
    scored = subprocess.run(
        [*python, "-c", entry, "score", "--category", "behavioral", "--json"],
        input="I decided to pause the delivery because the gold set showed the labels were wrong; rework fell a lot.",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert scored.returncode == 0 and '"overall"' in scored.stdout, "the shipped score model is installed too"
