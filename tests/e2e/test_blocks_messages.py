"""Promises of docs/blocks.md for the message blocks: mail as the local SMTP server receives it, headless
notifications and the log."""

from __future__ import annotations

import pytest

from tests.e2e.flows import run_json
from tests.support.filekeyring import BACKEND
from tests.support.product import Product, wait_until
from tests.support.servers import SMTP_PASSWORD, SMTP_USER, SMTPServer, smtp_server  # noqa: F401

MAIL = """flowdeck: 1
name: Mail
vars: {total: 42}
steps:
  report:
    do: file.write
    with: {path: report.csv, content: "a,b\\n1,2\\n"}
    next: send
  send:
    do: email.send
    with:
      to: "ada@example.org, bob@example.org"
      cc: carol@example.org
      bcc: dave@example.org
      subject: "Total {{ vars.total }}"
      body: "<p>The total is <b>{{ vars.total }}</b></p>"
      html: true
      attachments: [report.csv]
      sender: reports@example.org
      host: 127.0.0.1
      port: "{{ vars.port }}"
      security: none
      username: SMTP_USER
      secret: smtp_password
    next: plain
  plain:
    do: email.send
    with: {to: ada@example.org, subject: Plain, body: "just text", host: 127.0.0.1, port: "{{ vars.port }}",
           security: none, sender: me@example.org}
    next: tell
  tell:
    do: notify
    with: {title: Backup done, message: "{{ vars.total }} files", level: warning}
    next: note
  note:
    do: log
    with: {message: "total is {{ vars.total }}", level: warning}
    next: clip
  clip:
    do: clipboard.read
    on_error: continue
""".replace("SMTP_USER", SMTP_USER)


@pytest.mark.promise("blocks.md", "`email.send` — Send email")
@pytest.mark.promise("blocks.md", "`notify` — Notification")
@pytest.mark.promise("blocks.md", "`log` — Log")
@pytest.mark.promise("blocks.md", "`clipboard.read` — Read clipboard")
def test_mail_notifications_and_the_log(product: Product, smtp_server: SMTPServer) -> None:  # noqa: F811
    """email.send delivers to every To, Cc and Bcc address with the subject, an HTML body with a plain-text version
    and the attachments, logging in with the stored secret; without a desktop, notify writes to the log; log writes
    its line; the clipboard needs the app and fails its step in a headless run."""
    env = {"PYTHON_KEYRING_BACKEND": BACKEND}
    assert product.run("secret", "set", "smtp_password", input=SMTP_PASSWORD + "\n", env=env).returncode == 0
    done, record = run_json(product, "mail.yaml", MAIL, "--var", f"port={smtp_server.port}", env=env)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    s = record["steps"]
    everyone = ["ada@example.org", "bob@example.org", "carol@example.org", "dave@example.org"]
    assert sorted(s["send"]["recipients"]) == everyone
    first, second = smtp_server.received
    assert (first.sender, sorted(first.recipients), smtp_server.logins) == (
        "reports@example.org",
        everyone,
        [SMTP_USER],
    )
    mail = first.message
    assert (mail["Subject"], mail["To"], mail["Cc"], mail["Bcc"]) == (
        "Total 42",
        "ada@example.org, bob@example.org",
        "carol@example.org",
        None,  # a blind copy is not shown to the others
    )
    assert mail.get_body(("html",)).get_content().strip() == "<p>The total is <b>42</b></p>"
    assert "The total is 42" in mail.get_body(("plain",)).get_content()
    (attachment,) = list(mail.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("report.csv", "a,b\n1,2\n")
    assert mail["Message-ID"] == s["send"]["message_id"]
    assert second.message.get_body(("plain",)).get_content().strip() == "just text"
    assert "[notification] Backup done: 42 files" in done.stderr  # with --json the run log goes to stderr
    assert "note: warning: total is 42" in done.stderr
    assert s["note"]["message"] == "total is 42"
    assert s["clip"]["error"]["message"] == "the clipboard needs the Flowdeck app; this run has no desktop (headless)"


OPEN = """flowdeck: 1
name: Opener
steps:
  file:
    do: open
    with: {target: report.pdf}
    next: web
  web:
    do: open
    with: {target: "https://example.org/page"}
    next: copy
  copy:
    do: clipboard.write
    with: {text: hello}
    on_error: continue
"""


@pytest.mark.promise("blocks.md", "`open` — Open")
@pytest.mark.promise("blocks.md", "`clipboard.write` — Copy to clipboard")
def test_open_uses_the_systems_opener_outside_the_app(product: Product) -> None:
    """Outside the app, open hands a file (as its full path) or a web address to the system's opener (xdg-open);
    clipboard.write needs the app and fails its step in a headless run."""
    (product.workspace / "report.pdf").write_text("pdf")
    tools = product.home / "bin"
    tools.mkdir()
    opened = product.home / "opened.txt"
    opener = tools / "xdg-open"
    opener.write_text(f'#!/bin/sh\necho "$1" >> "{opened}"\n')
    opener.chmod(0o755)
    env = {"PATH": f"{tools}:/usr/bin:/bin"}
    done, record = run_json(product, "open.yaml", OPEN, env=env)
    assert (done.returncode, record["status"]) == (0, "succeeded"), done.stdout + done.stderr
    assert record["steps"]["file"]["target"] == str(product.workspace / "report.pdf")
    both = [str(product.workspace / "report.pdf"), "https://example.org/page"]
    assert wait_until(lambda: opened.exists() and opened.read_text().splitlines() == both), opened.read_text()
    assert record["steps"]["copy"]["error"]["message"] == (
        "the clipboard needs the Flowdeck app; this run has no desktop (headless)"
    )
