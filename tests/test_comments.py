"""Comments and docstrings name files that exist in the bake.

A file moved in a refactor leaves comments pointing at its old place
(``app/logs.py`` once ``logs`` went to ``app/infrastructure/``), and a part
an answer removed leaves comments pointing at its files. Each bake that
differs in its parts is searched: every path under ``app/``, ``tests/``,
``bench/`` or ``migrations/`` that a comment or a docstring of a Python
file names must be there.
"""

import ast
import io
import re
import tokenize

from helpers.baking import text_files

# A path inside the project, as comments write it: app/web/proxy.py,
# tests/notes/, app.infrastructure is a module name and not matched.
PROJECT_PATH = re.compile(r"(?<![\w/.-])(?:app|tests|bench|migrations)/[\w/.-]*")
# Placeholders and patterns, not paths: app/compat/<library>.py, app/*/templates.
NOT_A_PATH = re.compile(r"[<*{]")


def comments(source):
    """The text of every ``#`` comment in ``source``, with its line number."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def docstrings(source):
    """Every docstring in ``source`` (module, class, function), with its line number."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring is not None:
                yield node.body[0].lineno, docstring


def named_paths(text):
    """The project paths ``text`` names, without the punctuation that ends a sentence."""
    for match in PROJECT_PATH.finditer(text):
        end = text[match.end() : match.end() + 1]
        if NOT_A_PATH.match(end):
            continue
        yield match.group().rstrip(".-")


def missing_paths(root):
    """``file:line: path`` for each path a comment or docstring names that the bake lacks."""
    missing = []
    for path, text in text_files(root):
        if path.suffix != ".py" or text is None:
            continue
        relative = path.relative_to(root)
        for line, words in [*comments(text), *docstrings(text)]:
            missing += [
                f"{relative}:{line}: {named}"
                for named in named_paths(words)
                if not (root / named).exists()
            ]
    return missing


def test_the_comments_of_each_bake_name_only_files_it_has(parts_answer_set):
    assert missing_paths(parts_answer_set.bake.path) == []


def test_a_comment_naming_a_moved_file_is_found(tmp_path):
    (tmp_path / "app" / "infrastructure").mkdir(parents=True)
    (tmp_path / "app" / "infrastructure" / "logs.py").write_text("")
    (tmp_path / "app" / "extensions.py").write_text(
        '"""Objects (see app/infrastructure/logs.py)."""\n'
        "# Keyed by address (app/proxy.py).\n"
        "def f():\n"
        '    """Rolls back, as tests/test_gone.py shows."""\n'
        "    return 'app/not_a_comment.py'\n"
    )

    assert sorted(missing_paths(tmp_path)) == [
        "app/extensions.py:2: app/proxy.py",
        "app/extensions.py:4: tests/test_gone.py",
    ]
