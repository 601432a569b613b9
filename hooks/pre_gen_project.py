"""Validate cookiecutter answers before anything is written.

Runs with the standard library only: no network, no Docker. Each failure
prints one line saying what is wrong and how to fix it, then exits non-zero
so cookiecutter writes nothing.
"""

import re
import sys

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 50

ANSWERS = {
    "project_name": {{ cookiecutter.project_name | jsonify }},
    "project_slug": {{ cookiecutter.project_slug | jsonify }},
    "email": {{ cookiecutter.email | jsonify }},
    "domain": {{ cookiecutter.domain | jsonify }},
    "use_example_notes": {{ "True" if cookiecutter.use_example_notes else "False" }},
    "use_realtime": {{ "True" if cookiecutter.use_realtime else "False" }},
    "use_uploads": {{ "True" if cookiecutter.use_uploads else "False" }},
    "use_admin": {{ "True" if cookiecutter.use_admin else "False" }},
}


def problems(answers):
    """Return one message per invalid answer."""
    found = []
    slug = answers["project_slug"]
    if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX_LENGTH:
        found.append(
            f"project_slug {slug!r} is not valid: use lower case letters, digits and "
            f"single underscores, starting with a letter, at most {SLUG_MAX_LENGTH} "
            "characters (e.g. 'my_app')."
        )
    if not answers["project_name"].strip():
        found.append("project_name must not be empty.")
    if "@" not in answers["email"]:
        found.append(f"email {answers['email']!r} is not an email address.")
    if not re.match(r"^[A-Za-z0-9.-]+$", answers["domain"]):
        found.append(f"domain {answers['domain']!r} is not a host name (e.g. 'example.com').")
    if answers["use_realtime"] and not answers["use_example_notes"]:
        found.append(
            "use_realtime needs use_example_notes: the live updates push note changes "
            "(answer use_realtime=no, or keep the notes)."
        )
    return found


def main():
    """Print each problem on its own line and stop the bake when there is one."""
    found = problems(ANSWERS)
    for message in found:
        print(f"ERROR: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
