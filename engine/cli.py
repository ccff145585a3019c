"""`pathways` command line: lint, lay out and deploy pathway files, write the catalogue page, migrate the database,
move running instances to another pathway version, fire due timers, check or rebuild the compliance tally, seed a demo
database, simulate a what-if scenario and calibrate one from the database."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from engine.access.principals import ROLES
from engine.catalogue.parser import lint_file


def _lint(args: argparse.Namespace) -> int:
    errors = 0
    for name in args.files:
        path = Path(name)
        problems = lint_file(path)
        for problem in problems:
            print(problem)
        file_errors = sum(1 for p in problems if p.severity == "error")
        errors += file_errors
        if not problems:
            print(f"{path}: ok")
    return 1 if errors else 0


def _layout(args: argparse.Namespace) -> int:
    from engine.modelling.layout import main as layout_main

    return layout_main([*(["--replace"] if args.replace else []), *args.files])


def _catalogue(args: argparse.Namespace) -> int:
    from engine.catalogue.lint import PathwayFileError
    from engine.modelling.catalogue_page import load_catalogue, render_markdown, write_catalogue

    directory = Path(args.directory) if args.directory else _settings().pathways_dir
    output = directory / "CATALOGUE.md"
    try:
        if args.check:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != render_markdown(load_catalogue(directory)):
                print(f"{output} is out of date; run `pathways catalogue` and commit it")
                return 1
            print(f"{output}: up to date")
            return 0
        path, changed = write_catalogue(directory)
    except PathwayFileError as exc:
        for problem in exc.problems:
            print(problem)
        print("the catalogue was not written: fix the errors above (`pathways lint`)")
        return 1
    print(f"{path}: {'written' if changed else 'unchanged'}")
    return 0


def _user_add(args: argparse.Namespace) -> int:
    from engine.access.principals import Users
    from engine.clock import SystemClock
    from engine.db.database import Database
    from engine.db.migrate import upgrade
    from engine.errors import InvalidInput

    db = Database(_settings().database_url)
    try:
        upgrade(db)
        token = Users(db).add(args.id, args.name or args.id, args.role, tuple(args.unit or ()), SystemClock().now())
    except InvalidInput as exc:
        print(f"not added: {exc}")
        return 1
    finally:
        db.dispose()
    print(f"user {args.id} ({args.role}) added. Bearer token, shown only now:\n{token}")
    return 0


def _settings():
    from engine.settings import Settings

    return Settings()


def _cli_actor() -> str:
    """Who runs the command line, as the audit trail and the version list name them."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        login = "ukjent"
    return f"cli:{login}"[:100]


def _deploy(args: argparse.Namespace) -> int:
    from engine.catalogue.deployment import deploy
    from engine.clock import SystemClock
    from engine.db.database import Database
    from engine.db.migrate import upgrade
    from engine.errors import InvalidInput

    settings = _settings()
    db = Database(settings.database_url)
    upgrade(db)
    files = [Path(f) for f in args.files] or sorted(settings.pathways_dir.glob("*.bpmn"))
    status = 0
    for path in files:
        try:
            result = deploy(db, SystemClock(), path.read_bytes(), str(path), deployed_by=_cli_actor())
        except InvalidInput as exc:
            print(exc)
            for problem in exc.problems:
                print(f"  {problem}")
            status = 1
            continue
        except OSError as exc:
            print(f"{path}: cannot read file: {exc.strerror}")
            status = 1
            continue
        state = "deployed as new version" if result.created else "unchanged"
        print(f"{path}: {result.pathway_key} {state} (version {result.version_id}, {result.content_hash[:12]})")
    return status


def _migrate(_: argparse.Namespace) -> int:
    from engine.db.database import Database
    from engine.db.migrate import upgrade

    upgrade(Database(_settings().database_url))
    print("database schema is up to date")
    return 0


def _tick(_: argparse.Namespace) -> int:
    from engine.clock import SystemClock
    from engine.db.database import Database
    from engine.runtime import PathwayRuntime

    advanced, overdue = PathwayRuntime(Database(_settings().database_url), SystemClock()).tick()
    print(f"timers fired for {advanced} instance(s); {overdue} deadline(s) marked overdue")
    return 0


def _tally(args: argparse.Namespace) -> int:
    from engine.db.database import Database
    from engine.runtime.compliance_tally import differences, rebuild

    db = Database(_settings().database_url)
    with db.engine.begin() as conn:
        if args.rebuild:
            print(f"compliance tally rebuilt from the measurements: {rebuild(conn)} row(s)")
            return 0
        wrong = differences(conn)
    for key, stored, fresh in wrong[:20]:
        print(f"{key.pathway_key} {key.indicator_key} {key.unit} {key.year}-{key.month:02d} {key.label!r}: "
              f"stored {stored}, measurements give {fresh}")
    print(f"{len(wrong)} row(s) of the compliance tally differ from the measurements"
          + ("; `pathways tally --rebuild` recomputes it" if wrong else ""))
    return 1 if wrong else 0


def _seed(args: argparse.Namespace) -> int:
    from engine.catalogue.deployment import deploy_directory
    from engine.clock import SystemClock, today
    from engine.db.database import Database
    from engine.db.migrate import upgrade
    from engine.demo.seed import DatabaseNotEmpty, seed
    from engine.errors import InvalidInput
    from engine.terminal import TerminalProgress

    settings = _settings()
    db = Database(settings.database_url)
    progress = TerminalProgress("Seeding", "days")
    try:
        upgrade(db)
        deploy_directory(db, SystemClock(), settings.pathways_dir)
        clock = SystemClock()
        summary = seed(db, pathways=args.pathways, years=args.years, seed=args.seed, today=today(clock),
                       now=clock.now(), progress=progress)
    except DatabaseNotEmpty as exc:
        print(f"not seeded: {exc}")
        return 1
    except InvalidInput as exc:
        print(f"not seeded: {exc}")
        for problem in exc.problems:
            print(f"  {problem}")
        return 1
    finally:
        progress.close()
        db.dispose()
    for line in summary.lines():
        print(line)
    print(f"Seeding finished: {summary.instances} pathways in {summary.seconds:.1f} s.")
    return 0


def _migrate_instances(args: argparse.Namespace) -> int:
    import getpass

    from engine.clock import SystemClock
    from engine.db.database import Database
    from engine.errors import PathwayError
    from engine.runtime import PathwayRuntime
    from engine.runtime.migration import Outcome, Selection

    def progress(done: int, total: int, outcome: Outcome) -> None:
        said = ("migrated" if args.apply else "can move") if outcome.ok else f"refused: {outcome.code}"
        print(f"[{done}/{total}] {outcome.instance_id}: {said}")
        if not outcome.ok and outcome.message:
            print(f"    {outcome.message}")
        for change in outcome.deadlines:
            print(f"    {change.indicator} #{change.sequence}: due {change.old_due_on} -> {change.new_due_on}, "
                  f"{change.old_status} -> {change.new_status}")
        for element in outcome.tasks_opened:
            print(f"    task opened: {element}")
        for element in outcome.tasks_closed:
            print(f"    task closed: {element}")

    selection = Selection(args.pathway, args.from_version, args.unit, args.element, tuple(args.instance or ()))
    runtime = PathwayRuntime(Database(_settings().database_url), SystemClock())
    try:
        report = runtime.migrate_instances(selection, to_version_id=args.to_version, dry_run=not args.apply,
                                           actor=f"cli:{getpass.getuser()}", on_progress=progress)
    except PathwayError as exc:
        print(f"nothing migrated: {exc}")
        return 1
    finally:
        runtime.db.dispose()
    verb = "migrated" if args.apply else "can move (dry-run; nothing written, --apply to migrate)"
    print(f"{report.moved} of {report.total} instance(s) {verb} to version {report.to_version_id}")
    return 0 if report.moved == report.total else 1


def _simulation_sources(args: argparse.Namespace):
    """The deployed pathways of the database (read only), or the files of --pathways-dir."""
    from engine.db.database import Database
    from engine.simulation.runner import deployed_sources, directory_sources

    if args.pathways_dir:
        return directory_sources(Path(args.pathways_dir))
    db = Database(_settings().database_url)
    try:
        return deployed_sources(db)
    finally:
        db.dispose()


def _simulate(args: argparse.Namespace) -> int:
    from engine.errors import InvalidInput
    from engine.simulation import results
    from engine.simulation.runner import simulate
    from engine.simulation.scenario import load_scenario
    from engine.terminal import TerminalProgress

    progress = TerminalProgress("Simulating", "replications")
    try:
        scenario = load_scenario(Path(args.scenario).read_bytes())
        sources = _simulation_sources(args)
        if not sources:
            print("no deployed pathways to simulate: run `pathways deploy`, or give --pathways-dir", file=sys.stderr)
            return 1
        runs = simulate(scenario, sources, variants=args.variant, replications=args.replications, seed=args.seed,
                        workers=args.workers, progress=progress)
    except OSError as exc:
        print(f"{args.scenario}: cannot read file: {exc.strerror}", file=sys.stderr)
        return 1
    except InvalidInput as exc:
        print(f"not simulated: {exc}", file=sys.stderr)
        return 1
    finally:
        progress.close()
    rows, steps = results.deadline_rows(runs, args.period), results.step_rows(runs)
    if args.format == "csv":
        text = results.to_csv(rows)
    elif args.format == "json":
        text = results.to_json(rows, steps, runs)
    else:
        text = "\n".join(results.table_lines(rows, steps)) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    pathways = sum(r.pathways for r in runs)
    seconds = sum(r.seconds for r in runs)
    errors = sum(sum(r.errors.values()) for r in runs)
    print(f"{len(runs)} replication(s), {pathways} simulated pathways, {seconds:.1f} s of simulation"
          + (f"; {errors} pathway(s) stopped by an engine error" if errors else ""), file=sys.stderr)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from engine.db.database import Database
    from engine.errors import InvalidInput
    from engine.simulation.backtest import backtest
    from engine.simulation.calibrate import calibrate, scenario_toml
    from engine.terminal import TerminalProgress

    db = Database(_settings().database_url)
    try:
        if args.backtest:
            progress = TerminalProgress("Back-testing", "replications")
            try:
                result = backtest(db, units=args.unit, pathways=args.pathway, start=args.start, end=args.end,
                                  replications=args.replications, seed=args.seed, workers=args.workers,
                                  by_unit=not args.all_units, progress=progress)
            finally:
                progress.close()
            print("\n".join(result.lines()))
            return 0
        scenario, notes = calibrate(db, units=args.unit, pathways=args.pathway, start=args.start, end=args.end,
                                    weeks=args.weeks)
    except InvalidInput as exc:
        print(f"not calibrated: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    text = scenario_toml(scenario, [f"Calibrated from the registered measuring points {args.start} – {args.end}.",
                                    *(f"Not estimated: {n}" for n in notes)])
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.output}: scenario written ({len(scenario.streams)} stream(s))")
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pathways", description="Pathway engine tools for modellers and operators.")
    sub = parser.add_subparsers(dest="command", required=True)
    lint = sub.add_parser("lint", help="check BPMN pathway files; exit code 1 on any error")
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.set_defaults(func=_lint)
    lay = sub.add_parser("layout", help="add a laid-out diagram to BPMN files without one, so modellers can open them")
    lay.add_argument("files", nargs="+", metavar="FILE")
    lay.add_argument("--replace", action="store_true", help="lay out files that already have a diagram again")
    lay.set_defaults(func=_layout)
    dep = sub.add_parser("deploy", help="lint and deploy pathway files (default: every file in the pathways folder)")
    dep.add_argument("files", nargs="*", metavar="FILE")
    dep.set_defaults(func=_deploy)
    cat = sub.add_parser("catalogue", help="write the catalogue page (CATALOGUE.md) of the pathway files")
    cat.add_argument("directory", nargs="?", metavar="DIR", help="default: the configured pathways folder")
    cat.add_argument("--check", action="store_true", help="only check that the page is current (exit code 1 if not)")
    cat.set_defaults(func=_catalogue)
    user = sub.add_parser("user", help="manage API users").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="add a user and print its bearer token (shown once)")
    add.add_argument("id", help="user id, e.g. the person's user name")
    add.add_argument("--name", help="full name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit", action="append", help="a unit the coordinator works in (repeat for several)")
    add.set_defaults(func=_user_add)
    sub.add_parser("migrate", help="create or upgrade the database schema").set_defaults(func=_migrate)
    sub.add_parser("tick", help="fire due timers and mark passed deadlines overdue").set_defaults(func=_tick)
    tally = sub.add_parser("tally", help="check the compliance tally against the measurements; exit code 1 if it "
                                         "differs")
    tally.add_argument("--rebuild", action="store_true",
                       help="recompute it from the measurements (after changing them outside the engine)")
    tally.set_defaults(func=_tally)
    mig = sub.add_parser("migrate-instances", help="move running instances of a pathway to another version "
                                                   "(a dry-run unless --apply); exit code 1 if any cannot move")
    mig.add_argument("pathway", help="the pathway key, e.g. tsb_d01")
    mig.add_argument("--to-version", type=int, metavar="ID", help="default: the pathway's current version")
    mig.add_argument("--from-version", type=int, metavar="ID", help="only the active instances on this version")
    mig.add_argument("--unit", help="only instances of this unit")
    mig.add_argument("--element", metavar="ID", help="only instances with an open task at this element")
    mig.add_argument("--instance", action="append", metavar="ID", help="exactly this instance (repeat for several)")
    mig.add_argument("--apply", action="store_true", help="migrate; without it only a dry-run is shown")
    mig.set_defaults(func=_migrate_instances)
    sd = sub.add_parser("seed", help="fill an EMPTY database with demo pathways made by the engine (migrates and "
                                     "deploys first); refuses a database that has pathway instances")
    sd.add_argument("--pathways", type=int, default=1000, metavar="N", help="number of pathways (default 1000)")
    sd.add_argument("--years", type=float, default=2, metavar="Y",
                    help="referrals spread over the last Y years (default 2)")
    sd.add_argument("--seed", type=int, default=2019, help="random seed; the same seed and day give the same data")
    sd.set_defaults(func=_seed)
    sim = sub.add_parser("simulate", help="what-if: run a scenario file on the deployed pathways in memory and print "
                                          "the predicted share within deadline (nothing is written)")
    sim.add_argument("scenario", metavar="SCENARIO", help="the scenario file (TOML)")
    sim.add_argument("--variant", action="append", metavar="NAME",
                     help="a variant of the file to run beside the baseline (repeat; default: every variant)")
    sim.add_argument("--replications", type=int, default=10, metavar="N", help="replications per variant (10)")
    sim.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same answer")
    sim.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sim.add_argument("--period", choices=("tertial", "month"), default="tertial")
    sim.add_argument("--workers", type=int, default=2, metavar="N", help="processes running replications (2)")
    sim.add_argument("--pathways-dir", metavar="DIR", help="simulate the files of DIR instead of the deployed pathways")
    sim.add_argument("-o", "--output", metavar="FILE", help="write the answer to FILE instead of stdout")
    sim.set_defaults(func=_simulate)
    cal = sub.add_parser("calibrate", help="estimate a scenario from the database's registered measuring points "
                                           "(reads only); --backtest compares its prediction of the next window")
    cal.add_argument("--unit", action="append", required=True, help="a unit (repeat for several)")
    cal.add_argument("--pathway", action="append", required=True, help="a pathway key (repeat for several)")
    cal.add_argument("--from", dest="start", type=date.fromisoformat, required=True, metavar="DATE")
    cal.add_argument("--to", dest="end", type=date.fromisoformat, required=True, metavar="DATE")
    cal.add_argument("--weeks", type=int, default=52, help="weeks the scenario simulates after the window (52)")
    cal.add_argument("-o", "--output", metavar="FILE", help="write the scenario to FILE instead of stdout")
    cal.add_argument("--backtest", action="store_true",
                     help="simulate the window of the same length after --to and print predicted against actual "
                          "compliance per indicator, unit and tertial, with the error")
    cal.add_argument("--all-units", action="store_true",
                     help="for --backtest: compare the units added together (bigger groups, fewer suppressed)")
    cal.add_argument("--replications", type=int, default=10, metavar="N", help="for --backtest (10)")
    cal.add_argument("--seed", type=int, default=1, help="for --backtest")
    cal.add_argument("--workers", type=int, default=2, metavar="N", help="for --backtest (2)")
    cal.set_defaults(func=_calibrate)
    args = parser.parse_args(argv)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return args.func(args)
    except SQLAlchemyError as exc:  # a database that is down or refuses us: say so, without a traceback
        print(f"pathways {args.command}: the database failed: {type(getattr(exc, 'orig', None) or exc).__name__}: "
              f"{str(getattr(exc, 'orig', None) or exc).strip()[:500]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
