"""`zhixing demo` builds a populated system once, with one log-in per role, and reuses it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_builds_once_and_reuses(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    argv = [
        sys.executable,
        "-m",
        "zhixing.cli",
        "demo",
        "--no-serve",
        "--years",
        "1",
        "--cases-per-court-year",
        "8",
    ]
    first = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "已导入" in first.stdout
    for username in ("zhihui", "juzhang", "wz_zhixingyuan", "wx_zhixingyuan", "admin"):
        assert f"  {username} " in first.stdout
    second = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "演示数据库已存在" in second.stdout
    check = subprocess.run(
        [sys.executable, "-m", "zhixing.cli", "indicators", "--from", "2025-01-01", "--to", "2025-12-31", "--court", "豫08", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr[-2000:]
    assert '"court": "豫0823"' in check.stdout
