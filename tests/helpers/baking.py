"""Baking the template through cookiecutter's Python API.

Each bake gets its own output directory and its own cookiecutter config, so
its replay file (cookiecutter saves every answer there) can be inspected and
is never written to the developer's home directory.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[2]
PROJECT_TEMPLATE_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"


@dataclass(frozen=True)
class Bake:
    """A baked project and where cookiecutter kept the answers it was given."""

    path: Path
    replay_dir: Path

    @property
    def replay(self):
        """The replay file cookiecutter wrote for this bake, parsed."""
        (replay_file,) = self.replay_dir.glob("*.json")
        return json.loads(replay_file.read_text(encoding="utf-8"))

    @property
    def context(self):
        """The answers the project was rendered with."""
        return self.replay["cookiecutter"]


def write_cookiecutter_config(directory):
    """Write a cookiecutter user config keeping its state under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    replay_dir = directory / "replay"
    cookiecutters_dir = directory / "cookiecutters"
    config_file = directory / "cookiecutter-config.yaml"
    # JSON strings are valid YAML scalars, whatever the path contains.
    config_file.write_text(
        f"cookiecutters_dir: {json.dumps(str(cookiecutters_dir))}\n"
        f"replay_dir: {json.dumps(str(replay_dir))}\n",
        encoding="utf-8",
    )
    return config_file, replay_dir


def bake(directory, extra_context=None, template=TEMPLATE_DIR):
    """Bake the template (or a copy) without prompts into ``directory``; return the ``Bake``."""
    config_file, replay_dir = write_cookiecutter_config(directory / "user")
    output_dir = directory / "output"
    output_dir.mkdir(parents=True)
    project = cookiecutter(
        str(template),
        no_input=True,
        extra_context=extra_context or {},
        output_dir=str(output_dir),
        config_file=str(config_file),
    )
    return Bake(path=Path(project), replay_dir=replay_dir)


def read_env_file(path):
    """Parse a ``KEY=value`` file (comments and blank lines skipped) into a dict."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def text_files(root):
    """Yield ``(path, text)`` for every text file under ``root``.

    A file is binary when it holds a NUL byte or is not UTF-8; the bake is
    expected to hold only text, so binary files are yielded with ``None``
    and callers decide.
    """
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        try:
            text = None if b"\0" in data else data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        yield path, text
