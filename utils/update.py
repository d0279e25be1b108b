"""Take the course's updates into a learner's clone without losing their work (``make update``).

A plain ``git pull`` refuses as soon as a learner has saved answers in a notebook that the
update also changes. This does what a learner expects instead:

1. fetch the course's branch (the clone's upstream);
2. find the local changes the update would overwrite: files the learner changed (an answered
   or executed notebook, typically) that the update changes too, and files of the learner's own
   at a path the update adds. Each is copied to ``backups/<date-time>/`` and then set back to
   the clone's version (or, for a file of their own, moved away);
3. fast-forward to the course's branch; if git refuses (the learner made commits of their
   own), everything copied is put back where it was and nothing else has changed.

Local changes the update does not touch stay exactly where they are, so a notebook the course
did not change keeps the learner's answers in place. For an exercise notebook it did change,
the learner's work is then carried into the new version cell by cell (cells keep their ids from
the solution): each cell the learner changed or ran that the course left as it was keeps the
learner's version, and cells the learner added follow the cell they followed. Where the learner
and the course changed the same cell, the course's version is kept and the summary says so;
the learner's whole previous notebook is in ``backups/`` in every case. ``backups/`` is ignored
by git and by ``make clean``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat

from .generator import cell_content

BACKUPS = "backups"


class UpdateError(RuntimeError):
    """The update cannot go ahead; the message says why and what to do. Nothing was changed."""


@dataclass
class Report:
    old: str = ""
    new: str = ""
    backup_dir: Path | None = None
    saved: list[str] = field(default_factory=list)  # paths whose local version is in backups/
    kept: list[str] = field(default_factory=list)  # changed locally, left in place
    carried: dict[str, int] = field(default_factory=dict)  # path: cells both sides changed

    def lines(self) -> list[str]:
        if self.old == self.new:
            return ["Already up to date: no course changes to take."]
        out = [f"Course updated: {self.old[:10]} -> {self.new[:10]}."]
        for path in self.saved:
            saved = f"{BACKUPS}/{self.backup_dir.name}/{path}"
            if path not in self.carried:
                out.append(f"  updated {path}; your version is in {saved}")
            elif clashes := self.carried[path]:
                out.append(f"  updated {path} with your work carried over, except {clashes} "
                           f"cell(s) that the course changed too: yours are in {saved}")
            else:
                out.append(f"  updated {path} with your work carried over "
                           f"(your previous version is in {saved})")
        for path in self.kept:
            out.append(f"  kept your changes to {path} (the update did not change it)")
        return out


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise UpdateError("git is not installed: install it, then `make update` again") from None
    if check and result.returncode != 0:
        raise UpdateError(f"`git {' '.join(args)}` failed:\n{result.stderr.strip()}")
    return result


def local_changes(repo: Path) -> tuple[set[str], set[str]]:
    """(tracked paths changed locally, untracked paths), relative to the repository root."""
    output = git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all").stdout
    changed, untracked = set(), set()
    entries = iter(output.split("\0"))
    for entry in entries:
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        if status == "??" or status[0] == "A":  # a new file: not in the clone's history
            untracked.add(path)
        else:
            changed.add(path)
            if status[0] in "RC":  # a rename also names its origin, which changed too
                changed.add(next(entries))
    return changed, untracked


def update(repo: Path | None = None, now: datetime | None = None) -> Report:
    """Bring the clone at ``repo`` (default: the one around the current folder) up to date
    with its upstream, keeping the learner's work."""
    repo = Path.cwd() if repo is None else repo
    repo = Path(git(repo, "rev-parse", "--show-toplevel").stdout.strip())
    if git(repo, "rev-parse", "--abbrev-ref", "@{upstream}", check=False).returncode != 0:
        raise UpdateError(
            "this clone follows no course branch (no upstream). If you downloaded the course "
            "as an archive, download the new one and copy your notebooks into it.")
    merging = git(repo, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0
    if merging or git(repo, "ls-files", "--unmerged").stdout.strip():
        raise UpdateError("a git merge is in progress here; finish it (or `git merge --abort`) "
                          "first, then run `make update` again")
    git(repo, "fetch", "--quiet")
    report = Report(old=git(repo, "rev-parse", "HEAD").stdout.strip(),
                    new=git(repo, "rev-parse", "@{upstream}").stdout.strip())
    if git(repo, "merge-base", "--is-ancestor", "@{upstream}", "HEAD", check=False).returncode == 0:
        report.new = report.old  # nothing new upstream
        return report
    if git(repo, "merge-base", "--is-ancestor", "HEAD", "@{upstream}", check=False).returncode:
        raise UpdateError(
            "this clone has commits of its own, so it cannot simply move to the course's "
            "branch. Nothing was changed. Keep your commits with `git branch my-work`; then "
            "`git reset --hard @{upstream}` takes the course as it is now (your uncommitted "
            "changes too: copy them first).")
    incoming = set(git(repo, "diff", "--name-only", "--no-renames", "-z", "HEAD", "@{upstream}")
                   .stdout.split("\0")) - {""}
    changed, untracked = local_changes(repo)
    at_risk = sorted((changed | untracked) & incoming)
    report.kept = sorted(p for p in changed - incoming if p.endswith(".ipynb"))

    stamp = (now or datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    report.backup_dir = repo / BACKUPS / stamp
    for path in at_risk:  # copy first, touch nothing until every copy is made
        source = repo / path
        if source.is_file():
            target = report.backup_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    tracked = [p for p in at_risk if p in changed]
    if tracked:
        git(repo, "checkout", "HEAD", "--", *tracked)
    for path in at_risk:
        if path in untracked:
            git(repo, "rm", "-q", "--cached", "--ignore-unmatch", "--", path)
            (repo / path).unlink()

    merge = git(repo, "merge", "--ff-only", "--quiet", "@{upstream}", check=False)
    if merge.returncode != 0:
        for path in at_risk:  # put everything back as it was
            saved = report.backup_dir / path
            if saved.is_file():
                shutil.copy2(saved, repo / path)
        raise UpdateError("git could not move this clone to the course's branch; your files "
                          f"are back as they were.\n{merge.stderr.strip()}")
    report.saved = [p for p in at_risk if (report.backup_dir / p).is_file()]
    for path in report.saved:
        if path in changed and path.endswith(".ipynb") and (repo / path).is_file():
            base = git(repo, "show", f"{report.old}:{path}", check=False).stdout
            merged = carry_over(base, report.backup_dir / path, repo / path)
            if merged is not None:
                notebook, clashes = merged
                nbformat.write(notebook, repo / path)
                report.carried[path] = clashes
    return report


def carry_over(base_text: str, mine_path: Path, theirs_path: Path):
    """Carry a learner's changes from ``mine`` (made on ``base``) into ``theirs``, cell by cell.

    Returns (merged notebook, number of cells both sides changed), or None where the three
    cannot be matched by cell id (then the learner's version stays in backups/ only).
    """
    try:
        base = nbformat.reads(base_text, as_version=4)
        mine = nbformat.read(mine_path, as_version=4)
        theirs = nbformat.read(theirs_path, as_version=4)
    except Exception:  # not three readable notebooks: nothing to carry over
        return None
    notebooks = (base, mine, theirs)
    ids = [[cell.get("id") for cell in nb.cells] for nb in notebooks]
    if any(None in these or len(set(these)) != len(these) for these in ids):
        return None
    base_cells = {cell.id: cell for cell in base.cells}
    theirs_ids = {cell.id for cell in theirs.cells}
    mine_changed = {cell.id: cell for cell in mine.cells if cell.id in base_cells
                    and cell_content(cell) != cell_content(base_cells[cell.id])}
    cells, clashes = [], 0
    for cell in theirs.cells:
        ours = mine_changed.get(cell.id)
        if ours is not None and cell_content(cell) == cell_content(base_cells[cell.id]):
            cells.append(ours)
        else:
            cells.append(cell)
            clashes += ours is not None
    clashes += sum(1 for id_ in mine_changed if id_ not in theirs_ids)
    for position, cell in enumerate(mine.cells):  # cells the learner added
        if cell.id in base_cells:
            continue
        before = [c.id for c in mine.cells[:position]]
        placed = {c.id: i for i, c in enumerate(cells)}
        anchor = next((placed[i] for i in reversed(before) if i in placed), -1)
        cells.insert(anchor + 1, cell)
    theirs.cells = cells
    return theirs, clashes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make update", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, default=None,
                        help="the clone to update (default: the one around this folder)")
    args = parser.parse_args(argv)
    try:
        report = update(args.repo)
    except UpdateError as error:
        print(f"make update: {error}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
