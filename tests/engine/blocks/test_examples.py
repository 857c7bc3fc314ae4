"""The example workflows run for real (on temp folders, local HTTP and SMTP servers) with their vars overridden."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import keyring

import resources
from engine.io import load_workflow
from engine.runtime import Engine
from engine.runtime.executor import RunResult
from tests.support.servers import SMTP_PASSWORD, SMTP_USER, LocalHTTPServer, SMTPServer


def run_example(name: str, **kwargs: Any) -> RunResult:
    wf = load_workflow(resources.EXAMPLES / name)
    engine = Engine(workers=1)
    try:
        return engine.run(wf, **kwargs)
    finally:
        engine.shutdown(1)


def test_daily_sales_report_appends_rows(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    keyring.set_password("flowdeck", "shop_api_token", "t0ken")
    variables = {"api": f"{http_server.url}/report", "out_dir": str(tmp_path)}
    for _ in range(2):
        result = run_example("daily-sales-report.yaml", variables=variables)
        assert result.ok, result.error
    lines = (tmp_path / "sales.csv").read_text().splitlines()
    assert lines[0] == "date,orders,total" and len(lines) == 3
    assert lines[1].endswith(",12,345.5") and lines[1] == lines[2]


def test_daily_sales_report_notifies_after_retries(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    keyring.set_password("flowdeck", "shop_api_token", "t0ken")
    wf = load_workflow(resources.EXAMPLES / "daily-sales-report.yaml")
    wf.steps["fetch"].retry = {"attempts": 3, "backoff": "10ms", "on": ["http", "timeout"]}  # keep the test quick

    class Host:
        def __init__(self) -> None:
            self.shown: list[tuple[str, str, str]] = []

        def notify(self, title: str, message: str, level: str = "info") -> None:
            self.shown.append((title, message, level))

    host = Host()
    engine = Engine(workers=1, host=host)  # type: ignore[arg-type]
    try:
        result = engine.run(wf, variables={"api": f"{http_server.url}/status/503", "out_dir": str(tmp_path)})
    finally:
        engine.shutdown(1)
    assert result.ok and "alert" in result.steps
    assert len([r for r in http_server.requests if r["path"] == "/status/503"]) == 3
    assert host.shown[0][0] == "Sales report failed" and "answered 503" in host.shown[0][1]
    assert not (tmp_path / "sales.csv").exists()


def test_file_invoices_moves_with_date(tmp_path: Path) -> None:
    pdf = tmp_path / "Downloads" / "bill.pdf"
    pdf.parent.mkdir()
    pdf.write_text("%PDF")
    result = run_example(
        "file-invoices.yaml", variables={"invoices": str(tmp_path / "Invoices")}, trigger={"path": str(pdf)}
    )
    assert result.ok, result.error
    moved = Path(result.steps["move"]["path"])
    assert moved == tmp_path / "Invoices" / time.strftime("%Y") / f"{time.strftime('%Y-%m-%d')} bill.pdf"
    assert moved.read_text() == "%PDF" and not pdf.exists()


def test_check_command_emails_output(tmp_path: Path, smtp_server: SMTPServer) -> None:
    keyring.set_password("flowdeck", "smtp_password", SMTP_PASSWORD)
    check = f"{sys.executable} -c \"print('nas unreachable'); raise SystemExit(1)\""
    smtp = {"smtp_host": "127.0.0.1", "smtp_port": smtp_server.port, "smtp_security": "none", "smtp_user": SMTP_USER}
    result = run_example("check-command.yaml", variables={"check": check, "email": "me@example.org", **smtp})
    assert result.ok, result.error
    assert smtp_server.logins == [SMTP_USER]
    msg = smtp_server.received[0].message
    assert msg["To"] == "me@example.org" and msg["Subject"].startswith("Check failed: ")
    body = msg.get_body(("plain",)).get_content()
    assert "exited with code 1: nas unreachable" in body and "Output:" in body


def test_check_command_quiet_when_it_succeeds(smtp_server: SMTPServer) -> None:
    result = run_example("check-command.yaml", variables={"check": f"{sys.executable} -c pass"})
    assert result.ok and "mail" not in result.steps and smtp_server.received == []


def test_webhook_runs_the_script(tmp_path: Path) -> None:
    script = tmp_path / "lights.py"
    script.write_text("result = f\"lights {inputs['state']}\"\n")
    on = run_example("webhook-script.yaml", variables={"script": str(script)}, trigger={"query": {"state": "on"}})
    assert on.ok, on.error
    assert on.steps["done"]["message"] == "lights: lights on"
    bare = run_example("webhook-script.yaml", variables={"script": str(script)})
    assert bare.steps["done"]["message"] == "lights: lights toggle"


def test_weekly_backup_zips_and_prunes(tmp_path: Path) -> None:
    (tmp_path / "Projects" / "app").mkdir(parents=True)
    (tmp_path / "Projects" / "app" / "main.py").write_text("print('hi')")
    backups = tmp_path / "Backups"
    backups.mkdir()
    old, recent = backups / "projects-2020-01-01.zip", backups / "projects-recent.zip"
    for f, age_days in ((old, 45), (recent, 3)):
        f.write_text("zip")
        os.utime(f, (time.time() - age_days * 86400,) * 2)
    result = run_example(
        "weekly-backup.yaml", variables={"source": str(tmp_path / "Projects"), "backups": str(backups)}
    )
    assert result.ok, result.error
    assert sorted(p.name for p in backups.iterdir()) == sorted([Path(result.steps["zip"]["path"]).name, recent.name])
    assert result.steps["zip"]["files"] == 1  # main.py (its folder is an entry of the zip, not a file)


def test_page_watch_notifies_once_per_change_and_on_third_failure(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    class Host:
        def __init__(self) -> None:
            self.shown: list[str] = []

        def notify(self, title: str, message: str, level: str = "info") -> None:
            self.shown.append(title)

    host = Host()
    wf = load_workflow(resources.EXAMPLES / "page-watch.yaml")
    engine = Engine(workers=1, host=host, state_dir=tmp_path)  # type: ignore[arg-type]
    try:
        page = {"page": f"{http_server.url}/content"}
        for content in ("v1", "v1", "v2", "v2"):
            http_server.content = content
            assert engine.run(wf, variables=page).ok
        assert host.shown == ["The page changed"]  # v1 is the first look; only v1 -> v2 is a change
        broken = {"page": f"{http_server.url}/status/500"}
        for _ in range(4):
            assert engine.run(wf, variables=broken).ok
        assert host.shown == ["The page changed", "Page check keeps failing"]
    finally:
        engine.shutdown(1)
