"""Solutions are the one source: this writes the learner's exercise notebooks from them.

In a solution notebook, reference code sits between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` lines. The exercise notebook gets, in place of each block, a placeholder
that keeps every name the block assigns defined (``scores = ...  # your code here``), so the
notebook still runs end to end and its checks report ⏳ "not attempted yet". Outputs and
execution counts are cleared.

Every exercise notebook records where it came from in its metadata (not in a cell):
``metadata.mlcourse = {"generated_from": "solutions/…", "content_hash": "sha256:…"}``, the hash
being that of its cells as generated. A notebook whose cells no longer match the hash was
changed by someone (an answer typed, a cell run: outputs count), and regenerating treats it as
a learner's work:

* its solution has not changed since: the notebook is left as it is;
* its solution has changed: the learner's copy goes to ``backups/<date-time>/`` first, then
  the new version is written, and the message names both;
* its solution is gone: the learner's copy is moved to ``backups/`` instead of deleted.

An exercise notebook without that metadata (written by an older generator) counts as changed
unless its cells are exactly the new ones, so it is copied too; a notebook of the learner's own
(no solution of that name, no such metadata) is never touched.

``python -m utils.generator`` rewrites notebooks/ from solutions/; ``--check`` only reports
drift, including exercise notebooks changed since generation (exit 1); the sync test relies on it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import nbformat

from .paths import NOTEBOOKS_DIR, REPO_ROOT, SOLUTIONS_DIR

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "# your code here"
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")
METADATA_KEY = "mlcourse"
BACKUPS_DIR = REPO_ROOT / "backups"


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


def make_exercise(solution: nbformat.NotebookNode,
                  generated_from: str | None = None) -> nbformat.NotebookNode:
    """A new exercise notebook made from a solution notebook.

    ``generated_from`` (the solution's path from the repository root) goes into the
    notebook's ``mlcourse`` metadata with the hash of the generated cells.
    """
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
    provenance = {"generated_from": generated_from} if generated_from else {}
    exercise.metadata[METADATA_KEY] = provenance | {"content_hash": content_hash(exercise)}
    return exercise


def cell_content(cell: nbformat.NotebookNode) -> dict:
    """What a learner can change in a cell: its type, source, attachments, outputs and
    execution count (running a cell is work too). Metadata a front end keeps (collapsed,
    scrolled) is left out."""
    return {"cell_type": cell.cell_type, "source": cell.source,
            "attachments": cell.get("attachments") or {},
            "outputs": cell.get("outputs") or [],
            "execution_count": cell.get("execution_count")}


def content_hash(notebook: nbformat.NotebookNode) -> str:
    """A hash of the ``cell_content`` of every cell, in order."""
    cells = [cell_content(cell) for cell in notebook.cells]
    text = json.dumps(cells, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded_hash(notebook: nbformat.NotebookNode) -> str | None:
    """The content hash written at generation, or None for a notebook not generated here."""
    return (notebook.metadata.get(METADATA_KEY) or {}).get("content_hash")


def render(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook) + "\n"


def _read(path: Path) -> nbformat.NotebookNode | None:
    """The notebook at path, or None where it is not a readable notebook."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # unreadable: treated as someone's work, never overwritten
        return None


def _backup(path: Path, root: Path, backups: Path, stamp: str, move: bool) -> Path:
    """Copy (or move) path into backups/<stamp>/, keeping its path below root."""
    target = backups / stamp / path.relative_to(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    if move:
        path.replace(target)
    else:
        target.write_bytes(path.read_bytes())
    return target


def generate(check_only: bool = False, *, solutions: Path = SOLUTIONS_DIR,
             notebooks: Path = NOTEBOOKS_DIR, backups: Path = BACKUPS_DIR) -> list[str]:
    """Write (or, with ``check_only``, compare) every exercise notebook.

    Returns one line per notebook that differs (with ``check_only``) or that was written,
    kept, backed up or removed. A learner's changes are never lost: see the module's doc.
    """
    root = notebooks.parent
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    lines: list[str] = []
    expected = {}
    for solution in sorted(solutions.glob("*/*.ipynb")):
        target = notebooks / solution.relative_to(solutions)
        source = solution.relative_to(solutions.parent).as_posix()
        expected[target] = make_exercise(nbformat.read(solution, as_version=4), source)

    for target, exercise in expected.items():
        name = target.relative_to(root).as_posix()
        text = render(exercise)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        current = _read(target) if target.exists() else None
        new_hash = recorded_hash(exercise)
        if not target.exists():
            state = "missing"
        elif current is None:
            state = "changed"  # not a readable notebook: someone's work, copied first
        else:
            base = recorded_hash(current)
            edited = content_hash(current) != (base or new_hash)
            state = "changed" if edited else "unchanged"
            if edited and base == new_hash:
                state = "changed, solution unchanged"
        if check_only:
            lines.append({"missing": f"{name} (missing)",
                          "unchanged": f"{name} (out of date)"}.get(
                state, f"{name} (changed since it was generated: `git checkout` it or "
                       "delete it, then `make notebooks`)"))
            continue
        if state == "changed, solution unchanged":
            lines.append(f"kept: {name} (your changes; its solution has not changed)")
            continue
        note = ""
        if state == "changed":
            saved = _backup(target, root, backups, stamp, move=False)
            note = f"; your version is saved as {saved.relative_to(backups.parent).as_posix()}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        lines.append(f"written: {name}{note}")

    for target in sorted(set(notebooks.glob("*/*.ipynb")) - set(expected)):
        name = target.relative_to(root).as_posix()
        current = _read(target)
        base = recorded_hash(current) if current is not None else None
        if base is None:
            if check_only:
                lines.append(f"{name} (not generated from a solution)")
            else:
                lines.append(f"left alone: {name} (not generated from a solution)")
            continue
        if check_only:
            lines.append(f"{name} (no solution)")
        elif content_hash(current) == base:
            target.unlink()
            lines.append(f"removed: {name} (its solution is gone)")
        else:
            saved = _backup(target, root, backups, stamp, move=True)
            lines.append(f"removed: {name} (its solution is gone); your version is saved as "
                         f"{saved.relative_to(backups.parent).as_posix()}")
    return lines


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
    lines = generate(check_only=check_only)
    for line in lines:
        print(f"out of date: {line}" if check_only else line)
    if not lines:
        print("exercise notebooks are in step with solutions")
    return 1 if (check_only and lines) else 0


if __name__ == "__main__":
    sys.exit(main())
