"""mkgen's built-in Make variables: the options every rendered Makefile understands.

A stages.yaml may redeclare any of them to change its default or help; the rest of the
declaration (its group and place in `make help`) stays. Defaults are stages.yaml syntax,
where ``$(NAME)`` refers to another variable. A few defaults are computed by Make helpers
of the Makefile template (``computed``: the helper's name); their Make text lives there.
"""
from __future__ import annotations

from mkgen.escape import renamed_references
from mkgen.model import Project, Variable
from mkgen.records import dataclass, replace

# Variables the Makefile itself defines per target or from its own location; values may
# refer to them, but they are not options a user sets.
INTERNAL = ("STAGE", "STEM", "MKGEN_DIR", "MKGEN_CONTEXT", "MKGEN_ROOT", "HOME", "CURDIR")

GROUP_ORDER = ("Image", "Docker", "Run", "Local user", "Project")


@dataclass(frozen=True)
class Helper:
    """A Make helper of the Makefile template that computes a built-in default."""

    refers_to: tuple[str, ...]  # variables its Make text expands (for cycle checks)
    origin: str                 # how `mkgen explain` says where the value comes from


# The template (Makefile.j2, macro `computed_value`) holds the Make text of each helper;
# tests/unit/test_builtin_variables.py checks that `refers_to` matches it.
HELPERS: dict[str, Helper] = {
    "tty": Helper((), "make: test -t 0 (not run)"),
    "host_arch": Helper(("MAKE_HOST",), "make: the CPU of MAKE_HOST"),
    "host_name": Helper((), "the kernel's host name (read by make; hostname "
                        "where there is none)"),
    "rootless": Helper(("DOCKER_HOST", "DOCKER_CONTEXT", "XDG_RUNTIME_DIR"), "computed by make"),
    "caller_uid": Helper((), "the caller (id, not run)"),
    "caller_name": Helper(("USER_ID",), "the caller (id, not run)"),
    "caller_gid": Helper((), "the caller (id, not run)"),
    "caller_group": Helper(("GROUP_ID",), "the caller (id, not run)"),
}


def builtin_variables(project: Project, renamed: dict[str, str] | None = None
                      ) -> tuple[Variable, ...]:
    """The built-in variables, in the order `make help` lists them, with the names the
    project gave them (`renamed`: built-in name -> name), in their names and defaults."""
    found = _builtins(project)
    if not renamed:
        return found
    return tuple(replace(v, name=renamed.get(v.name, v.name),
                                     default=renamed_references(v.default, renamed))
                 for v in found)


def builtin_names() -> tuple[str, ...]:
    """The names of the built-in variables, before any renaming."""
    return tuple(v.name for v in _builtins(Project(name="project")))


def _builtins(project: Project) -> tuple[Variable, ...]:

    def var(name: str, default: str, help: str, group: str, **kw: object) -> Variable:
        return Variable(name=name, default=default, help=help, group=group, builtin=True, **kw)

    return (
        var("IMAGE_NAME", project.name, "Name of the images built here.", "Image"),
        var("IMAGE_TAG", "latest", "Tag of the images built here.", "Image"),
        var("IMAGE_WITH_TAG", "$(IMAGE_NAME)/$(STAGE):$(IMAGE_TAG)",
            "Exact image name built, pushed, pulled and run.", "Image"),
        var("PUSH_IMAGE", "$(IMAGE_WITH_TAG)",
            "Name a push pushes; another than IMAGE_WITH_TAG is tagged first.", "Image"),
        var("DOCKER", "docker", "Docker client (podman works too).", "Docker"),
        var("DOCKER_BUILD", "$(DOCKER) buildx build",
            "Build command, e.g. 'docker build' for a BuildKit client without buildx.", "Docker"),
        var("DOCKER_BUILD_OPTS", "", "Options for every image build, e.g. --pull --load.",
            "Docker"),
        var("DOCKER_BUILD_ARGS", "", "More options appended to the build command.", "Docker"),
        var("DOCKER_PROGRESS", "", "Build progress output (auto, plain, tty); empty: default.",
            "Docker"),
        var("PLATFORM", "", "Target platform of builds, e.g. linux/arm64; empty: the engine's.",
            "Docker"),
        var("BUILDER", "", "buildx builder of builds (--builder); empty: the current one.",
            "Docker"),
        var("BUILD_NETWORK", "", "Network of RUN steps in builds (--network), e.g. none; "
            "empty: the builder's.", "Docker"),
        var("BUILD_CACHE", "", "Registry repository of the build cache, one tag per stage and "
            "platform; empty: none.", "Docker"),
        var("BAKE_OPTS", "", "More options of docker buildx bake, e.g. --progress plain.",
            "Docker"),
        var("HOST_ARCH", "", "This machine's architecture (x86_64, aarch64), from make's own "
            "host type.", "Docker", computed="host_arch"),
        var("HOST_NAME", "", "This machine's name, read by make (no process on Linux).",
            "Docker", computed="host_name"),
        # Not DOCKER_MANIFEST_OPTS: longer than every other name, it would realign every
        # Makefile's variables and help.
        var("MANIFEST_OPTS", "",
            "Options of docker manifest create and push, e.g. --insecure (plain HTTP).",
            "Docker"),
        var("DOCKER_PULL", "0", "1: pull the image before running it.", "Run"),
        var("LOCAL_USER", "0",
            "1: run as the calling user (uid, gid, name and a home directory).", "Run"),
        var("RUN_CMD", "", "Command to run in the container; empty: the image's default.",
            "Run"),
        var("DOCKER_RUN_OPTS", "--rm", "Options of docker run.", "Run"),
        var("DOCKER_RUN_ARGS", "", "More options of docker run, e.g. extra --volume mounts.",
            "Run"),
        var("DOCKER_TTY", "", "Terminal options; default: -it when stdin is a terminal.", "Run",
            computed="tty"),
        var("CONTAINER_NAME", "", "Name of the container; empty: docker picks one.", "Run"),
        var("SOURCE_DIR", "$(MKGEN_CONTEXT)",
            "Source tree mounted into run containers (e.g. a bindfs view when rootless).", "Run"),
        var("CODE_DIR", project.source_mount, "Where SOURCE_DIR is mounted in the container.",
            "Run"),
        var("WORK_DIR", "$(CODE_DIR)", "Working directory of run containers.", "Run"),
        var("HOME_DIR", "$(HOME)",
            "Home whose .cache is shared with LOCAL_USER=1 containers.", "Run"),
        var("IS_ROOTLESS", "", "1: assume Docker rootless mode, 0: do not; default: guessed.",
            "Run", computed="rootless"),
        var("USER_ID", "", "User id for LOCAL_USER=1; default: the caller's.", "Local user",
            computed="caller_uid"),
        var("USER_NAME", "", "User name for LOCAL_USER=1; default: the caller's (or userUID).",
            "Local user", computed="caller_name"),
        var("GROUP_ID", "", "Group id for LOCAL_USER=1; default: the caller's.", "Local user",
            computed="caller_gid"),
        var("GROUP_NAME", "", "Group name for LOCAL_USER=1; default: the caller's.",
            "Local user", computed="caller_group"),
    )
