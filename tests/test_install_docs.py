"""Install truth: the documented channels exist, the compiler requirement is stated the same way
everywhere, and the Dockerfile installs the way the docs say. (No Docker engine runs here: the
Dockerfile is checked as text, not built.)"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from reviewer.doc_links import REPOSITORY_URL

ROOT = Path(__file__).resolve().parent.parent
INSTALL_DOCS = [ROOT / "README.md", ROOT / "docs" / "install.md", ROOT / "docs" / "ci.md"]


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text(ROOT / "Dockerfile"))
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_builds_on_debian_slim_python_with_a_compiler_only_in_the_build_stage():
    steps = dockerfile_instructions()
    stages = [args for kind, args in steps if kind == "FROM"]
    assert stages == ["python:3.12-slim AS build", "python:3.12-slim"]
    python = tomllib.loads(text(ROOT / "pyproject.toml"))["project"]["requires-python"]
    assert python == ">=3.11,<3.13"  # 3.12 is inside it
    build = steps[: [i for i, (kind, _) in enumerate(steps) if kind == "FROM"][1]]
    installs = " ".join(args for kind, args in build if kind == "RUN")
    assert "apt-get install --yes --no-install-recommends build-essential" in installs
    assert "pip install --no-cache-dir /src" in installs
    final = steps[len(build):]
    assert not any("build-essential" in args for _, args in final)
    assert ("COPY", "--from=build /opt/ctreview /opt/ctreview") in final
    assert ("ENTRYPOINT", '["ctreview"]') in final


def test_dockerignore_keeps_the_local_environment_out_of_the_image():
    ignored = text(ROOT / ".dockerignore").split()
    assert ".venv/" in ignored and ".git/" in ignored


def test_the_debian_packages_are_the_same_in_the_readme_the_install_page_and_the_image():
    for doc in INSTALL_DOCS[:2]:
        assert "apt-get install build-essential python3-dev" in text(doc), doc.name
        assert "dnf install gcc python3-devel" in text(doc), doc.name
        assert "apk add build-base python3-dev" in text(doc), doc.name
        assert "xcode-select --install" in text(doc), doc.name
    assert "build-essential" in text(ROOT / "Dockerfile")  # python headers: in python:*-slim


def test_documented_install_channels_exist():
    """No PyPI package and no tag exist yet: docs must not send users to them."""
    tags = set(
        subprocess.run(
            ["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.split()
    )
    for doc in INSTALL_DOCS:
        body = text(doc)
        assert not re.search(r"pip install (-U )?ctreview\b", body), doc.name
        refs = re.findall(r"(?:rev: |ctreview@|ctreview\.git@)(v[\w.]+)", body)
        assert set(refs) <= tags, (doc.name, sorted(set(refs) - tags))


@pytest.mark.parametrize("doc", INSTALL_DOCS, ids=lambda p: p.name)
def test_the_repository_url_is_the_one_the_code_names(doc):
    project = tomllib.loads(text(ROOT / "pyproject.toml"))
    assert project["project"]["urls"]["Repository"] == REPOSITORY_URL
    named = set(re.findall(r"https://github\.com/[\w.-]+/ctreview[\w.-]*", text(doc)))
    assert named <= {REPOSITORY_URL}, named


def test_the_install_page_is_linked_and_says_the_image_was_not_built_here():
    assert "docs/install.md" in text(ROOT / "README.md")
    assert "not built" in text(ROOT / "docs" / "install.md")
