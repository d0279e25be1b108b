"""The course runner behind ``make course``: run notebooks headless with papermill, report.

    python -m utils.runner                       # every notebook, solutions and exercises
    python -m utils.runner --kind solutions --module 01_python_for_ml --quick
    python -m utils.runner --notebook 01_python_for_ml/01_numpy -p SEED 7

Notebooks run in parallel (``--jobs``), each in a fresh process with its own workspace, so
that its peak kernel memory can be measured and runs cannot disturb each other. The report
(Markdown, HTML, JSON and a bar chart of run times) lands in ``<workspace>/reports/<time>/``;
for each notebook it gives status, wall time, peak kernel memory, check results and the
headline metric, and a failure names the notebook and the cell.
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .exercises import STRICT_ENV
from .metrics import parse_metrics
from .paths import NOTEBOOKS_DIR, REPO_ROOT, SOLUTIONS_DIR, WORKSPACE_ENV, workspace
from .verdicts import count_results

BUDGET_S = {"default": 60.0, "quick": 15.0}
# A notebook may raise its own time budget, up to these caps, with a reason in its metadata.
BUDGET_CAP_S = {"default": 120.0, "quick": 60.0}
BUDGET_MB = 1536.0


class RunnerError(ValueError):
    """Bad input to the runner (no such notebook or module, unknown parameter)."""


@dataclass
class Task:
    notebook: str  # name shown in the report: the path relative to the repository root
    path: str  # the notebook file
    output: str  # executed copy
    workspace: str  # the run's own workspace
    log: str  # what the kernel printed to the terminal (its own warnings), kept out of sight
    parameters: dict = field(default_factory=dict)
    strict: bool = False
    timeout_s: int = 600


@dataclass
class Result:
    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    peak_mb: float
    checks: dict
    metrics: list
    error: str | None
    output: str
    quick: bool
    budget_s: float = 0.0  # 0: the course's budget for the mode

    @property
    def within_budget(self) -> bool:
        limit = self.budget_s or BUDGET_S["quick" if self.quick else "default"]
        return self.seconds <= limit and self.peak_mb <= BUDGET_MB


def notebook_budget(path: Path) -> dict:
    """The notebook's own budget, if its solution states one in ``metadata.mlcourse_budget``.

    ``{"default": 90, "quick": 40, "reason": "starts a real Airflow ..."}``: for lessons whose
    point is a real server or orchestrator that needs that long to start, whatever the data
    size. The structure test demands the reason and keeps the values under ``BUDGET_CAP_S``.
    """
    path = Path(path).resolve()
    if path.is_relative_to(NOTEBOOKS_DIR):
        path = SOLUTIONS_DIR / path.relative_to(NOTEBOOKS_DIR)
    if not path.exists():
        return {}
    return dict(nbformat.read(path, as_version=4).metadata.get("mlcourse_budget", {}))


def budget_s(path: Path, quick: bool) -> float:
    """Seconds allowed for one run of this notebook in this mode."""
    mode = "quick" if quick else "default"
    return float(notebook_budget(path).get(mode, BUDGET_S[mode]))


def select_notebooks(kind: str = "all", module: str | None = None,
                     notebook: str | None = None) -> list[Path]:
    """Notebooks to run, in course order; raises RunnerError naming what was not found."""
    bases = {"solutions": [SOLUTIONS_DIR], "notebooks": [NOTEBOOKS_DIR],
             "all": [SOLUTIONS_DIR, NOTEBOOKS_DIR]}
    if kind not in bases:
        raise RunnerError(f"--kind must be one of {', '.join(bases)}, not {kind!r}")
    if notebook and notebook.endswith(".ipynb") and Path(notebook).is_file():
        return [Path(notebook)]  # a notebook file anywhere, given by its path
    chosen = []
    for base in bases[kind]:
        found = sorted(base.glob("*/*.ipynb"))
        if module:
            found = [p for p in found if p.parent.name == module.strip("/")]
        if notebook:
            wanted = notebook.removesuffix(".ipynb").strip("/")
            found = [p for p in found if p.relative_to(base).with_suffix("").as_posix() == wanted]
        chosen += found
    if not chosen:
        what = notebook or module or kind
        known = sorted({p.relative_to(SOLUTIONS_DIR).with_suffix("").as_posix()
                        for p in SOLUTIONS_DIR.glob("*/*.ipynb")})
        raise RunnerError(f"no notebook matches {what!r}. Notebooks: {', '.join(known)}")
    return chosen


def display_name(path: Path) -> str:
    path = path.resolve()
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


def check_parameters(path: Path, parameters: dict) -> None:
    """Refuse parameters the notebook's ``parameters`` cell does not define."""
    import papermill

    known = papermill.inspect_notebook(str(path))
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise RunnerError(
            f"{display_name(path)} has no parameter {', '.join(unknown)}; "
            f"its parameters are {', '.join(known) or 'none'}."
        )


def summarise_outputs(executed: nbformat.NotebookNode) -> list:
    """Headline metrics printed in a notebook."""
    text = "\n".join(
        output.get("text", "")
        for cell in executed.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "stream"
    )
    return parse_metrics(text)


def count_checks(task: Task) -> dict:
    """The run's check results (passed/failed/pending), by the latest result of each exercise
    that the notebook's checks recorded in the task's own workspace (never by printed text)."""
    return count_results(task.workspace)


def describe_cell(task: Task, execution_count: int) -> str:
    """Name a failing cell as the author sees it: its index in the source notebook (papermill
    adds cells for injected parameters and an error banner) and its first line."""
    added = {"injected-parameters", "papermill-error-cell-tag"}
    cells = [c for c in nbformat.read(task.output, as_version=4).cells
             if not added & set(c.metadata.get("tags", []))]
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.get("execution_count") == execution_count:
            first_line = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            return f"cell {index} (`{first_line.strip()[:60]}`)"
    return f"the cell run as In [{execution_count}]"


def _send_terminal_output_to(log: Path) -> None:
    """Point this worker's stdout and stderr (and so its kernel's) at ``log``.

    Every kernel prints ipykernel's warnings ("Kernel is running over TCP without
    encryption", a KeyboardInterrupt at shutdown) to the terminal it inherits, which would
    break the progress bar into a wall of text. Each notebook runs in a worker process of its
    own, so redirecting the worker's file descriptors reaches only that notebook's kernel.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    with open(log, "ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)


def peak_child_memory_mb() -> float:
    """Peak resident memory of this process's finished children (the kernel), in MB.

    ``ru_maxrss`` is in kibibytes on Linux but in bytes on macOS.
    """
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_task(task: Task) -> Result:
    """Execute one notebook with papermill; meant to run in a process of its own."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ[WORKSPACE_ENV] = task.workspace
    os.environ[STRICT_ENV] = "1" if task.strict else "0"
    path = Path(task.path)
    Path(task.output).parent.mkdir(parents=True, exist_ok=True)
    _send_terminal_output_to(Path(task.log))
    error = None
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(path), task.output, parameters=task.parameters, cwd=str(path.parent),
            kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=task.timeout_s,
        )
    except PapermillExecutionError as failure:
        error = f"{task.notebook}, {describe_cell(task, failure.exec_count)}: " \
                f"{failure.ename}: {failure.evalue}"
    except Exception as failure:  # the kernel died, timed out, or the notebook is unreadable
        error = f"{task.notebook}: {type(failure).__name__}: {failure}"
    seconds = time.perf_counter() - start
    peak_mb = peak_child_memory_mb()
    checks, metrics = count_checks(task), []
    if Path(task.output).exists():
        metrics = summarise_outputs(nbformat.read(task.output, as_version=4))
    return Result(
        notebook=task.notebook, status="failed" if error else "ok", seconds=round(seconds, 2),
        peak_mb=round(peak_mb, 1), checks=checks, metrics=metrics, error=error,
        output=task.output, quick=bool(task.parameters.get("QUICK")),
        budget_s=budget_s(path, bool(task.parameters.get("QUICK"))),
    )


def run_course(paths: list[Path], parameters: dict | None = None, jobs: int = 2,
               report_dir: Path | None = None, strict: bool = False,
               progress: bool = True) -> list[Result]:
    """Run notebooks in parallel, each in a fresh process; return results in course order."""
    parameters = dict(parameters or {})
    for path in paths:
        check_parameters(path, parameters)
    report_dir = Path(report_dir or workspace("reports", time.strftime("%Y%m%d-%H%M%S")))
    tasks = []
    for path in paths:
        name = display_name(path)
        flat = name.removesuffix(".ipynb").strip("/").replace("/", "__")
        tasks.append(Task(notebook=name, path=str(path.resolve()),
                          output=str(report_dir / "executed" / f"{flat}.ipynb"),
                          workspace=str(report_dir / "workspaces" / flat),
                          log=str(report_dir / "logs" / f"{flat}.log"),
                          parameters=parameters, strict=strict))
    context = multiprocessing.get_context("spawn")
    results = {}
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                             max_tasks_per_child=1) as pool:
        futures = {pool.submit(run_task, task): task for task in tasks}
        finished = as_completed(futures)
        if progress:
            from tqdm.auto import tqdm

            finished = tqdm(finished, total=len(futures), desc="notebooks", unit="nb")
        for future in finished:
            result = future.result()
            results[result.notebook] = result
    return [results[task.notebook] for task in tasks]


def results_table(results: list[Result]):
    import pandas as pd

    rows = []
    for r in results:
        metric = "; ".join(f"{m['name']} {m['value']:.3f} ({'ok' if m['ok'] else 'below bar'})"
                           for m in r.metrics)
        rows.append({
            "notebook": r.notebook,
            "status": "✅ ok" if r.status == "ok" else "❌ failed",
            "time (s)": r.seconds,
            "peak memory (MB)": r.peak_mb,
            "budget (s)": r.budget_s or BUDGET_S["quick" if r.quick else "default"],
            "within budget": "yes" if r.within_budget else "NO",
            "checks ✅/❌/⏳": f"{r.checks['passed']}/{r.checks['failed']}/{r.checks['pending']}",
            "headline metric": metric or "—",
        })
    return pd.DataFrame(rows)


def write_report(results: list[Result], report_dir: Path, parameters: dict) -> Path:
    """Write report.md, report.html, results.json and runtimes.png; return report.md."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report_dir.mkdir(parents=True, exist_ok=True)
    table = results_table(results)
    quick = bool(parameters.get("QUICK"))
    budget = BUDGET_S["quick" if quick else "default"]

    height = 1.0 + 0.35 * len(results)
    fig, ax = plt.subplots(figsize=(8, height))
    colours = ["#4E9F50" if r.status == "ok" and r.within_budget else "#C8453C" for r in results]
    ax.barh([r.notebook for r in results], [r.seconds for r in results], color=colours)
    ax.axvline(budget, color="#7F7F7F", linestyle="--", label=f"budget {budget:.0f} s")
    ax.invert_yaxis()
    ax.set_xlabel("wall time (s)")
    ax.set_title("Notebook run times" + (" (QUICK)" if quick else ""))
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(report_dir / "runtimes.png")
    plt.close(fig)

    failures = [r for r in results if r.error]
    total = sum(r.seconds for r in results)
    lines = [
        "# Course run report", "",
        f"- notebooks: {len(results)}, failed: {len(failures)}",
        f"- parameters: {json.dumps(parameters) if parameters else 'defaults'}",
        f"- summed notebook time: {total:.1f} s; budgets: {budget:.0f} s per notebook "
        "(unless the table states a notebook's own, with its reason in the notebook), "
        f"{BUDGET_MB:.0f} MB kernel memory", "",
        table.to_markdown(index=False), "",
        "![run times](runtimes.png)", "",
    ]
    if failures:
        lines += ["## Failures", ""] + [f"- {r.error}" for r in failures] + [""]
    markdown = report_dir / "report.md"
    markdown.write_text("\n".join(lines), encoding="utf-8")
    page = ["<html><head><meta charset='utf-8'><title>Course run report</title></head><body>",
            "<h1>Course run report</h1>", table.to_html(index=False, escape=True),
            "<p><img src='runtimes.png' alt='run times'></p>"]
    if failures:
        page += ["<h2>Failures</h2><ul>"]
        page += [f"<li>{html.escape(r.error)}</li>" for r in failures] + ["</ul>"]
    (report_dir / "report.html").write_text("\n".join(page + ["</body></html>"]),
                                            encoding="utf-8")
    (report_dir / "results.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1, ensure_ascii=False), encoding="utf-8")
    return markdown


def parse_value(text: str):
    """A command-line parameter value: a Python literal if it is one, else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.runner", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", default="all", choices=["all", "solutions", "notebooks"],
                        help="solutions, exercise notebooks, or both (default)")
    parser.add_argument("--module", help="only this module, e.g. 01_python_for_ml")
    parser.add_argument("--notebook", help="only this notebook, e.g. 01_python_for_ml/01_numpy")
    parser.add_argument("--quick", action="store_true", help="pass QUICK=True")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="any notebook parameter, repeatable")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--strict", action="store_true", help="a check that is not ✅ fails")
    parser.add_argument("--out", type=Path, help="report folder (default: workspace/reports/…)")
    args = parser.parse_args(argv)

    parameters = {name: parse_value(value) for name, value in args.parameter}
    if args.quick:
        parameters["QUICK"] = True
    try:
        paths = select_notebooks(args.kind, args.module, args.notebook)
        report_dir = args.out or workspace("reports", time.strftime("%Y%m%d-%H%M%S"))
        results = run_course(paths, parameters, args.jobs, report_dir, args.strict)
    except RunnerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = write_report(results, report_dir, parameters)
    print(results_table(results).to_string(index=False))
    for result in results:
        if result.error:
            print(f"FAILED {result.error}", file=sys.stderr)
    print(f"\nReport: {report} (also report.html, results.json, runtimes.png)")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
