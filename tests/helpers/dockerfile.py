"""Reading a bake's Dockerfile, and running a stage's commands without Docker.

No Docker engine is needed to check what the image does: its RUN commands
are shell commands, run here with the image's paths moved into a temporary
directory.
"""

import shlex


def instructions(dockerfile):
    """``(INSTRUCTION, arguments)`` pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    pairs = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def stages(dockerfile):
    """The instructions of each build stage, in order (each list starts with its FROM)."""
    found = []
    for keyword, arguments in instructions(dockerfile):
        if keyword == "FROM":
            found.append([])
        found[-1].append((keyword, arguments))
    return found


def stage_environment(stage):
    """The ``ENV`` values a stage sets (those referring to others, like PATH, left out)."""
    values = {}
    for keyword, arguments in stage:
        if keyword == "ENV":
            for assignment in shlex.split(arguments):
                name, _, value = assignment.partition("=")
                if "$" not in value:
                    values[name] = value
    return values


def named_stage(dockerfile, name):
    """The instructions of the stage ``FROM ... AS name``."""
    (stage,) = [stage for stage in stages(dockerfile) if stage[0][1].split()[-1] == name]
    return stage


def stage_commands(dockerfile, names, moved):
    """The shell form RUN commands of the stages ``names``, in order, paths moved.

    ``moved`` maps each image path (``/opt/venv``) to where it goes outside a
    container. Also returns the stages' ENV values.
    """
    commands, environment = [], {}
    for name in names:
        stage = named_stage(dockerfile, name)
        environment.update(stage_environment(stage))
        for keyword, arguments in stage:
            if keyword == "RUN":
                for image_path, local_path in moved.items():
                    arguments = arguments.replace(image_path, str(local_path))
                commands.append(arguments)
    return commands, environment
