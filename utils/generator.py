"""Solutions are the one source: this writes the learner's exercise notebooks from them.

In a solution notebook, reference code sits between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` lines. The exercise notebook gets, in place of each block, a placeholder
that keeps every name the block assigns defined (``scores = ...  # your code here``), so the
notebook still runs end to end and its checks report ⏳ "not attempted yet". Outputs and
execution counts are cleared.

``python -m utils.generator`` rewrites notebooks/ from solutions/; ``--check`` only reports
drift (exit 1), which is what the sync test relies on.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

import nbformat

from .paths import NOTEBOOKS_DIR, SOLUTIONS_DIR

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "# your code here"
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")


class GeneratorError(ValueError):
    """A solution notebook's markers are malformed; the message names the cell."""


def solution_blocks(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, indent) of each marked block; markers included in the range."""
    blocks, start = [], None
    for number, line in enumerate(source.splitlines()):
        marker = line.strip()
        if marker == BEGIN:
            if start is not None:
                raise GeneratorError(f"line {number + 1}: {BEGIN} inside another block")
            start, indent = number, line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if start is None:
                raise GeneratorError(f"line {number + 1}: {END} without {BEGIN}")
            blocks.append((start, number, indent))
            start = None
    if start is not None:
        raise GeneratorError(f"line {start + 1}: {BEGIN} is never closed")
    return blocks


def assigned_names(code: str) -> list[str]:
    """Names a block of code binds at its own level, in order of first appearance."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError as error:
        raise GeneratorError(f"solution block does not parse: {error}") from error
    names: list[str] = []

    def add_target(target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                add_target(element.value if isinstance(element, ast.Starred) else element)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add_target(target)
        elif isinstance(node, ast.AnnAssign | ast.For | ast.AsyncFor):
            add_target(node.target)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.extend((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    add_target(item.optional_vars)
    return list(dict.fromkeys(names))


def exercise_source(source: str) -> str:
    """The cell source with each solution block replaced by its placeholder."""
    lines = source.splitlines()
    for start, end, indent in reversed(solution_blocks(source)):
        names = assigned_names("\n".join(lines[start + 1 : end]))
        placeholder = [f"{indent}{name} = ...  {PLACEHOLDER}" for name in names]
        lines[start : end + 1] = placeholder or [f"{indent}pass  {PLACEHOLDER}"]
    return "\n".join(lines)


def make_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A new exercise notebook made from a solution notebook."""
    exercise = nbformat.v4.new_notebook()
    exercise.metadata = {k: solution.metadata[k] for k in KEEP_NOTEBOOK_METADATA
                         if k in solution.metadata}
    for index, cell in enumerate(solution.cells):
        metadata = {k: v for k, v in cell.metadata.items() if k in ("tags",)}
        if cell.cell_type == "code":
            try:
                source = exercise_source(cell.source)
            except GeneratorError as error:
                raise GeneratorError(f"cell {index}: {error}") from None
            new = nbformat.v4.new_code_cell(source, metadata=metadata)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=metadata)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=metadata)
        new.id = cell.get("id", new.id)
        exercise.cells.append(new)
    return exercise


def render(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook) + "\n"


def exercise_path(solution_path: Path) -> Path:
    return NOTEBOOKS_DIR / solution_path.resolve().relative_to(SOLUTIONS_DIR)


def generate(check_only: bool = False) -> list[str]:
    """Write (or, with ``check_only``, compare) every exercise notebook; return what differs."""
    differing = []
    expected = {}
    for solution in sorted(SOLUTIONS_DIR.glob("*/*.ipynb")):
        target = exercise_path(solution)
        expected[target] = render(make_exercise(nbformat.read(solution, as_version=4)))
    stale = set(NOTEBOOKS_DIR.glob("*/*.ipynb")) - set(expected)
    for target, text in expected.items():
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            differing.append(str(target.relative_to(NOTEBOOKS_DIR.parent)))
            if not check_only:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    for target in sorted(stale):
        differing.append(f"{target.relative_to(NOTEBOOKS_DIR.parent)} (no solution)")
        if not check_only:
            target.unlink()
    return differing


def solution_code(notebook: str, exercise: str) -> str:
    """The reference code of one exercise: the marked blocks of the cell that checks it."""
    path = SOLUTIONS_DIR / f"{notebook}.ipynb"
    if not path.exists():
        return f"(the solution notebook {path.name} is not available in this copy of the course)"
    call = re.compile(rf"\b{re.escape(exercise)}\.check\(")
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and call.search(cell.source):
            lines = cell.source.splitlines()
            blocks = [textwrap.dedent("\n".join(lines[s + 1 : e]))
                      for s, e, _ in solution_blocks(cell.source)]
            if blocks:
                return "\n\n".join(blocks)
    return f"(no marked solution for {exercise} in {path.name})"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check_only = "--check" in argv
    differing = generate(check_only=check_only)
    verb = "out of date" if check_only else "written"
    for name in differing:
        print(f"{verb}: {name}")
    if not differing:
        print("exercise notebooks are in step with solutions")
    return 1 if (check_only and differing) else 0


if __name__ == "__main__":
    sys.exit(main())
