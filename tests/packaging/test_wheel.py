"""The sdist and the wheel: what they hold, and every mkgen command run from the wheel
installed in a fresh virtual environment, on projects outside this repository.

`python -m build` builds the sdist and then the wheel from the unpacked sdist, so a wheel
here also proves that the sdist holds everything the build needs. Building (hatchling) and
installing (jinja2, pyyaml, click) need the package index: about 15 s in all.
"""
from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import mkgen
from tests.packaging.conftest import clean_env, needs_index
from tests.support import FLAGSHIP, REPO

pytestmark = [pytest.mark.slow, pytest.mark.network]

VERSION = mkgen.__version__
DIST = "mkgen_docker"
HELLO = REPO / "examples" / "hello"
RENDERED = ("Makefile", "Dockerfile.multi", "Dockerfile.user", "docker-bake.hcl")


def package_files() -> dict[str, Path]:
    """What the wheel must hold, by archive name: the package, templates and schema."""
    files = {f"mkgen/{p.relative_to(REPO / 'src' / 'mkgen')}": p
             for p in (REPO / "src" / "mkgen").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    files.update({f"mkgen/templates/{p.name}": p for p in (REPO / "templates").iterdir()
                  if p.is_file()})
    files["mkgen/schema/stages.schema.json"] = REPO / "schema" / "stages.schema.json"
    return files


@dataclass
class Dists:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
                            capture_output=True, text=True, timeout=600)
    needs_index(result, "python -m build")
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert [w.name for w in wheels] == [f"{DIST}-{VERSION}-py3-none-any.whl"]
    assert [s.name for s in sdists] == [f"{DIST}-{VERSION}.tar.gz"]
    return Dists(wheel=wheels[0], sdist=sdists[0])


@dataclass
class Installed:
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=cwd, env=clean_env(self.bin, LC_ALL="C"),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)

    def mkgen(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.bin / "mkgen"), *args, cwd=cwd)


@pytest.fixture(scope="module")
def installed(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel with its `init` extra in a new venv (deps from the index); nothing of this
    checkout on sys.path."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120,
                   env=clean_env())
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install",
                             "--disable-pip-version-check", str(dists.wheel)],
                            env=clean_env(venv / "bin"), capture_output=True, text=True,
                            timeout=600)
    needs_index(result, "pip install the wheel")
    return Installed(venv=venv)


# ---- What the archives hold --------------------------------------------------------------

def test_the_wheel_holds_the_package_templates_schema_and_licence(dists: Dists) -> None:
    expected = package_files()
    info = f"{DIST}-{VERSION}.dist-info"
    with zipfile.ZipFile(dists.wheel) as whl:
        names = set(whl.namelist())
        assert names == {*expected, f"{info}/METADATA", f"{info}/WHEEL",
                         f"{info}/entry_points.txt", f"{info}/RECORD",
                         f"{info}/licenses/LICENSE"}
        for name, source in expected.items():
            assert whl.read(name) == source.read_bytes(), name
        assert whl.read(f"{info}/licenses/LICENSE") == (REPO / "LICENSE").read_bytes()
        entry_points = whl.read(f"{info}/entry_points.txt").decode()
        metadata = email.parser.Parser().parsestr(whl.read(f"{info}/METADATA").decode())
    assert "[console_scripts]\nmkgen = mkgen.entry:main\n" in entry_points
    assert metadata["Name"] == "mkgen-docker"
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.10"
    runtime = sorted(r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r)
    assert runtime == ["click>=8.1", "jinja2>=3.1", "pyyaml>=6.0"]
    # BuildKit's parser only cross-checks mkgen's Dockerfile reader, in the tests.
    assert [r for r in metadata.get_all("Requires-Dist") if r.startswith("dockerfile")] == [
        "dockerfile>=3.3; extra == 'test'"]


def test_the_sdist_holds_sources_templates_schema_docs_and_no_tests(dists: Dists) -> None:
    top = f"{DIST}-{VERSION}"
    with tarfile.open(dists.sdist) as sdist:
        names = {m.name.removeprefix(f"{top}/") for m in sdist.getmembers() if m.isfile()}
        pkg_info = sdist.extractfile(f"{top}/PKG-INFO")
        assert pkg_info is not None
        metadata = email.parser.Parser().parsestr(pkg_info.read().decode())
    must = {"pyproject.toml", "PKG-INFO", "LICENSE", "README.md", "CHANGELOG.md",
            "stages.yaml", "schema/stages.schema.json",
            *(f"templates/{p.name}" for p in (REPO / "templates").iterdir()),
            *(f"src/{name}" for name in package_files() if not name.startswith(
                ("mkgen/templates/", "mkgen/schema/"))),
            *(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")),
            "examples/hello/stages.yaml", "examples/hello/docker/Makefile"}
    assert must <= names, sorted(must - names)
    tops = {name.split("/")[0] for name in names}
    assert tops == {"pyproject.toml", "PKG-INFO", "LICENSE", "README.md", "CHANGELOG.md",
                    "stages.yaml", "schema", "templates", "src", "docs", "examples",
                    ".gitignore"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert metadata["Name"] == "mkgen-docker"
    assert metadata["License-Expression"] == "Apache-2.0"


# ---- The installed wheel, outside the repository ----------------------------------------

def test_it_runs_from_the_venv_not_from_this_checkout(installed: Installed,
                                                      tmp_path: Path) -> None:
    where = installed.run(str(installed.bin / "python"), "-c",
                          "import mkgen; print(mkgen.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.venv)
    version = installed.mkgen("--version", cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, f"mkgen, version {VERSION}\n")


def test_the_packaged_schema_is_what_mkgen_schema_prints(installed: Installed,
                                                         tmp_path: Path) -> None:
    packaged = installed.run(
        str(installed.bin / "python"), "-c",
        "import importlib.resources as r; "
        "print(r.files('mkgen') / 'schema' / 'stages.schema.json')", cwd=tmp_path)
    assert packaged.returncode == 0, packaged.stderr
    path = Path(packaged.stdout.strip())
    assert path.is_relative_to(installed.venv)
    printed = installed.mkgen("schema", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == path.read_text() == (REPO / "schema/stages.schema.json").read_text()
    assert json.loads(printed.stdout)["$schema"].endswith("2020-12/schema")


def test_flagship_render_check_validate_and_make_help(installed: Installed,
                                                      tmp_path: Path) -> None:
    shutil.copy(FLAGSHIP, tmp_path / "stages.yaml")
    render = installed.mkgen("render", cwd=tmp_path)
    assert render.returncode == 0, render.stderr
    assert render.stdout == "".join(f"wrote docker/{name}\n" for name in RENDERED)
    for name in RENDERED:  # the wheel's templates render what this checkout committed
        assert (tmp_path / "docker" / name).read_text() == (REPO / "docker" / name).read_text()

    assert installed.mkgen("check", cwd=tmp_path).returncode == 0
    assert installed.mkgen("render", "--check", cwd=tmp_path).returncode == 0
    valid = installed.mkgen("validate", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr

    helped = installed.run("make", "-C", "docker", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "release_push               Build, then push the release image." in helped.stdout

    text = (tmp_path / "stages.yaml").read_text()
    (tmp_path / "stages.yaml").write_text(text.replace("  name: tensorrt_llm\n",
                                                       "  name: renamed\n", 1))
    stale = installed.mkgen("check", cwd=tmp_path)
    assert stale.returncode == 1
    assert "-IMAGE_NAME     ?= tensorrt_llm\n+IMAGE_NAME     ?= renamed\n" in stale.stdout
    assert "docker is stale: run 'mkgen render' and commit the result." in stale.stderr

    (tmp_path / "stages.yaml").write_text(text.replace("actions: [build]\n",
                                                       "actions: [biuld]\n", 1))
    bad = installed.mkgen("validate", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.startswith("stages.yaml:")
    assert "biuld" in bad.stderr and "Traceback" not in bad.stderr


def test_flagship_list_explain_and_graph(installed: Installed, tmp_path: Path) -> None:
    shutil.copy(FLAGSHIP, tmp_path / "stages.yaml")
    listed = installed.mkgen("list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "trtllm_push" in listed.stdout and "LLM_DOCKER_IMAGE" in listed.stdout

    as_json = installed.mkgen("list", "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert [s["name"] for s in data["stages"]] == ["base", "devel", "triton", "tritondevel",
                                                   "wheel", "release", "tritonbuild",
                                                   "tritonrelease"]

    explained = installed.mkgen("explain", "trtllm_push", "IMAGE_TAG=dev",
                               "TRTLLM_IMAGE_NAME=urm.nvidia.com/sw-tensorrt-docker/"
                               "tensorrt-llm-staging/release", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout.startswith("trtllm_push: Build, then push the trtllm image.")
    assert explained.stdout.endswith(
        "  docker push 'urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm-staging/release:dev'\n")
    unknown = installed.mkgen("explain", "relase_build", cwd=tmp_path)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr

    graph = installed.mkgen("graph", cwd=tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.startswith("flowchart TD\n")
    assert '  s_wheel -.->|"RUN --mount"| s_release\n' in graph.stdout
    dot = installed.mkgen("graph", "--format", "dot", cwd=tmp_path)
    assert dot.returncode == 0 and dot.stdout.startswith("digraph")


def test_the_hello_example_renders_what_is_committed(installed: Installed,
                                                     tmp_path: Path) -> None:
    shutil.copy(HELLO / "stages.yaml", tmp_path / "stages.yaml")
    render = installed.mkgen("render", cwd=tmp_path)
    assert render.returncode == 0, render.stderr
    for name in RENDERED:
        assert (tmp_path / "docker" / name).read_text() == (HELLO / "docker" / name).read_text()
    for args in (("check",), ("validate",), ("list",), ("list", "--json"), ("graph",),
                 ("explain", "app_build")):
        result = installed.mkgen(*args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert result.stdout, args


def test_init_starter_and_adopting_a_dockerfile(installed: Installed, tmp_path: Path) -> None:
    starter = tmp_path / "starter"
    starter.mkdir()
    made = installed.mkgen("init", cwd=starter)
    assert made.returncode == 0, made.stderr
    assert (starter / "stages.yaml").is_file()
    again = installed.mkgen("init", cwd=starter)
    assert again.returncode == 2, "init never overwrites a stages.yaml"
    assert installed.mkgen("render", cwd=starter).returncode == 0
    assert (starter / "docker" / "Makefile").is_file()

    adopt = tmp_path / "adopt"
    adopt.mkdir()
    (adopt / "Dockerfile").write_text(
        "ARG BASE=debian:12\n"
        "FROM ${BASE} AS build\nRUN echo built > /out\n"
        "FROM debian:12-slim AS app\nCOPY --from=build /out /out\n")
    made = installed.mkgen("init", "--from", "Dockerfile", cwd=adopt)
    assert made.returncode == 0, made.stderr
    assert "next: mv Dockerfile Dockerfile.orig && mkgen render" in made.stdout
    assert installed.mkgen("validate", cwd=adopt).returncode == 0
    # The Dockerfile is adopted in place: render refuses to replace the hand-written one,
    # and the suggested command keeps it aside first.
    assert installed.mkgen("render", cwd=adopt).returncode == 2
    (adopt / "Dockerfile").rename(adopt / "Dockerfile.orig")
    assert installed.mkgen("render", cwd=adopt).returncode == 0
    multi = (adopt / "Dockerfile").read_text()
    assert multi.startswith("# Generated by mkgen")
    assert " AS build\n" in multi and " AS app\n" in multi
    assert "COPY --from=build /out /out" in multi
    helped = installed.run("make", "help", cwd=adopt)
    assert helped.returncode == 0 and "app_build" in helped.stdout, helped.stderr


# Without BuildKit's parser (`dockerfile`, a test extra) every command must work, `init` and
# `init --from` included. Simulated in the same venv by hiding the module.
WITHOUT_PARSER = ("import sys; sys.modules['dockerfile'] = None; "
                  "sys.argv[0] = 'mkgen'; from mkgen.cli import main; main()")


def test_render_needs_no_dockerfile_parser(installed: Installed, tmp_path: Path) -> None:
    shutil.copy(FLAGSHIP, tmp_path / "stages.yaml")
    for args in (("render",), ("check",), ("validate",), ("list",), ("explain", "devel_run"),
                 ("graph",), ("schema",)):
        result = installed.run(str(installed.bin / "python"), "-c", WITHOUT_PARSER, *args,
                               cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)


def test_init_without_the_parser_starts_and_adopts_a_project(
        installed: Installed, tmp_path: Path) -> None:
    starter = installed.run(str(installed.bin / "python"), "-c", WITHOUT_PARSER, "init",
                            cwd=tmp_path)
    assert "Traceback" not in starter.stderr
    assert starter.returncode == 0, starter.stderr
    (tmp_path / "Dockerfile").write_text("FROM debian:12 AS app\n")
    (tmp_path / "stages.yaml").unlink()
    adopt = installed.run(str(installed.bin / "python"), "-c", WITHOUT_PARSER, "init",
                          "--from", "Dockerfile", cwd=tmp_path)
    assert "Traceback" not in adopt.stderr
    assert adopt.returncode == 0, adopt.stderr
    assert (tmp_path / "stages.yaml").read_text().count("  app:\n") == 1
