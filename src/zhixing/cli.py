"""The ``zhixing`` command (spec/cli.md): Django management commands behind one name.

``zhixing import``, ``export`` and ``check`` map to the commands ``import_bundle``,
``export_bundle`` and ``check_cases`` (``check`` is Django's own system check, which
stays reachable as ``zhixing django-check``); every other name is a management command
of the same name. Every command first migrates the database if it is new or behind, so
there is no set-up step. Exit codes: 0 success, 1 rejected input, 2 usage or
environment error with a one-line message on stderr.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": "import_bundle",
    "export": "export_bundle",
    "check": "check_cases",
    "django-check": "check",
    "inquiry-sim": "inquiry_sim",
}
NO_MIGRATE = {"help", "--help", "-h", "version", "--version", "makemigrations", "simulate", "inquiry-sim"}


def ensure_migrated() -> None:
    """Create and migrate the database on first use (spec/cli.md), quietly on stderr."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        if sys.stderr.isatty():  # scripts read stderr for the one-line error message
            print("zhixing: 正在初始化数据库…", file=sys.stderr)
        call_command("migrate", verbosity=0, interactive=False, stdout=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    if not argv:
        print("zhixing: 缺少命令（zhixing --help 查看命令列表）", file=sys.stderr)
        return 2
    if argv[0] in ("help", "--help", "-h"):
        print(__doc__.strip().splitlines()[0])
        print("命令: demo serve import export simulate deadlines check indicators ledger bulletin …")
        print("zhixing COMMAND --help 查看用法。")
        return 0
    name = ALIASES.get(argv[0], argv[0])
    try:
        import django

        django.setup()
        if argv[0] not in NO_MIGRATE:
            ensure_migrated()
            from zhixing.flow.calendar import sync_calendar

            sync_calendar()
        from django.core.management import get_commands, load_command_class

        app = get_commands().get(name)
        if app is None:
            print(f"zhixing: 未知命令 {argv[0]!r}（zhixing --help 查看命令列表）", file=sys.stderr)
            return 2
        command = app if not isinstance(app, str) else load_command_class(app, name)
    except Exception as e:  # environment errors: a bad DATABASE_URL, an unreachable server
        print(f"zhixing: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 2
    # System checks import every URLconf and view: not what a batch command should pay for
    # or fail on. ``zhixing django-check`` runs them on demand.
    if name != "check":
        command.requires_system_checks = []
    return run(command, name, argv)


def run(command, name: str, argv: list[str]) -> int:
    """BaseCommand.run_from_argv, with usage errors as one line on stderr and exit 2."""
    from django.core.management.base import CommandError, handle_default_options
    from django.db import connections

    parser = command.create_parser("zhixing", name)

    def usage_error(message: str) -> None:
        print(f"zhixing {argv[0]}: {message}", file=sys.stderr)
        sys.exit(2)

    parser.error = usage_error
    try:
        options = parser.parse_args(argv[1:])
        cmd_options = vars(options)
        args = cmd_options.pop("args", ())
        handle_default_options(options)
        command.execute(*args, **cmd_options)
    except CommandError as e:
        print(f"zhixing {argv[0]}: {e}", file=sys.stderr)
        return e.returncode
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `zhixing … | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0
    finally:
        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
