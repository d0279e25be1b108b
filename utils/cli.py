"""``mlcourse``: one command for the course's tools (the Makefile calls it too).

    mlcourse course [runner options]   run notebooks headless and write a report
    mlcourse progress                  print your progress table
    mlcourse notebooks [--check]       regenerate exercise notebooks from solutions
    mlcourse update                    take the course's updates, keeping your answers
    mlcourse execute [NOTEBOOK ...]    refresh the stored outputs of solutions
    mlcourse datasets                  rebuild the course's own datasets and their checksums
    mlcourse site [--notebook NB ...]  build the course website into the workspace (offline)

``python -m utils.cli`` does the same where the ``mlcourse`` script is not on PATH. Going
through this module (rather than ``python -m utils.progress``) also avoids runpy's warning about
running a module that ``utils/__init__`` has already imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

USAGE = __doc__.split("\n\n")[1]


def _course(args: list[str]) -> int:
    from .runner import main

    return main(args)


def _progress(args: list[str]) -> int:
    from .progress import show_progress

    if args:
        print(f"mlcourse progress takes no arguments (got {' '.join(args)})", file=sys.stderr)
        return 2
    show_progress()
    return 0


def _notebooks(args: list[str]) -> int:
    from .colab import sync_bootstrap
    from .generator import main

    if "--check" not in args:
        for name in sync_bootstrap():
            print(f"bootstrap updated: {name}")
    return main(args)


def _update(args: list[str]) -> int:
    from .update import main

    return main(args)


def _execute(args: list[str]) -> int:
    """Re-run solutions in place, then regenerate the exercises from them."""
    from .execute import main
    from .generator import main as generate

    return main(args) or generate([])


def _datasets(args: list[str]) -> int:
    from .datasets import build_all

    if args:
        print(f"mlcourse datasets takes no arguments (got {' '.join(args)})", file=sys.stderr)
        return 2
    for file, digest in build_all().items():
        print(f"{file}: {digest}")
    return 0


def _site(args: list[str]) -> int:
    from .site import main

    return main(args)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "course": _course,
    "progress": _progress,
    "notebooks": _notebooks,
    "update": _update,
    "execute": _execute,
    "datasets": _datasets,
    "site": _site,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(f"usage:\n{USAGE}")
        return 0 if argv else 2
    command, *rest = argv
    if command not in COMMANDS:
        print(f"mlcourse: unknown command {command!r}; commands: {', '.join(COMMANDS)}\n"
              f"usage:\n{USAGE}", file=sys.stderr)
        return 2
    return COMMANDS[command](rest)


if __name__ == "__main__":
    sys.exit(main())
