"""email.send against real SMTP servers (aiosmtpd) on 127.0.0.1: content, attachments, login, TLS, refusals."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from engine.blocks.mail import send_email
from engine.errors import StepError
from tests.engine.blocks.conftest import Ctx, run_yaml
from tests.support.servers import SMTP_PASSWORD, SMTP_USER, SMTPServer, closed_port


@pytest.fixture(autouse=True)
def smtp_secret() -> None:
    keyring.set_password("flowdeck", "smtp_pw", SMTP_PASSWORD)
    keyring.set_password("flowdeck", "wrong_pw", "not-it")


def plain(server: SMTPServer, **kw: object) -> dict:
    return {"host": server.host, "port": server.port, "security": "none", **kw}


def test_text_mail_with_cc_bcc_and_attachments(ctx: Ctx, tmp_path: Path, smtp_server: SMTPServer) -> None:
    (tmp_path / "report.csv").write_text("a,b\n1,2\n")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    out = send_email(
        ctx,
        to="me@example.org, you@example.org",
        subject="Daily report",
        body="Numbers attached.\nBye",
        cc="boss@example.org",
        bcc=["hidden@example.org"],
        attachments=["report.csv", str(tmp_path / "photo.png")],
        sender="Flowdeck <robot@example.org>",
        username=SMTP_USER,
        secret="smtp_pw",
        **plain(smtp_server),
    )
    assert out["recipients"] == ["me@example.org", "you@example.org", "boss@example.org", "hidden@example.org"]
    [got] = smtp_server.received
    assert smtp_server.logins == [SMTP_USER]
    assert sorted(got.recipients) == sorted(out["recipients"])
    msg = got.message
    assert msg["Subject"] == "Daily report" and msg["From"] == "Flowdeck <robot@example.org>"
    assert msg["Cc"] == "boss@example.org" and msg["Bcc"] is None  # bcc is not shown to anyone
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Numbers attached.\nBye\n"
    files = {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
    assert files["report.csv"] == "a,b\n1,2\n"
    assert files["photo.png"] == b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_html_mail_has_a_text_version(ctx: Ctx, smtp_server: SMTPServer) -> None:
    send_email(ctx, to="me@example.org", subject="Hi", body="<p>Hello <b>you</b></p><p>2 &lt; 3</p>", html=True,
               sender="robot@example.org", **plain(smtp_server))  # fmt: skip
    msg = smtp_server.received[0].message
    assert msg.get_body(("html",)).get_content().strip() == "<p>Hello <b>you</b></p><p>2 &lt; 3</p>"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Hello you\n2 < 3\n"


def test_login_refused(ctx: Ctx, smtp_server: SMTPServer) -> None:
    with pytest.raises(StepError, match=r"refused the login for 'mailer' \(check .* stored as 'wrong_pw'\)") as e:
        send_email(ctx, to="me@example.org", subject="x", sender="a@b.c", username=SMTP_USER, secret="wrong_pw",
                   **plain(smtp_server))  # fmt: skip
    assert e.value.kind == "email" and smtp_server.received == []


def test_bad_input_before_anything_is_sent(ctx: Ctx, smtp_server: SMTPServer) -> None:
    with pytest.raises(StepError, match=r"to: 'not-an-address' is not an email address"):
        send_email(ctx, to="not-an-address", subject="x", sender="a@b.c", **plain(smtp_server))
    with pytest.raises(StepError, match=r"attachment not found: .*missing.pdf"):
        send_email(ctx, to="a@b.c", subject="x", sender="a@b.c", attachments=["missing.pdf"], **plain(smtp_server))
    with pytest.raises(StepError, match=r"secret 'nope' is not set"):
        send_email(ctx, to="a@b.c", subject="x", username="u@b.c", secret="nope", **plain(smtp_server))
    with pytest.raises(StepError, match=r"sender: give the From address"):
        send_email(ctx, to="a@b.c", subject="x", **plain(smtp_server))
    assert smtp_server.received == []


def test_unreachable_server(ctx: Ctx) -> None:
    port = closed_port()
    with pytest.raises(StepError, match=rf"cannot connect to the mail server 127.0.0.1:{port}: connection refused"):
        send_email(ctx, to="a@b.c", subject="x", sender="a@b.c", host="127.0.0.1", port=port, security="none")


def test_starttls_and_implicit_tls(ctx: Ctx, smtp_tls_servers: tuple[SMTPServer, SMTPServer]) -> None:
    starttls, implicit = smtp_tls_servers
    common = {
        "to": "me@example.org",
        "subject": "secure",
        "sender": "a@b.c",
        "username": SMTP_USER,
        "secret": "smtp_pw",
    }
    with pytest.raises(StepError, match=r"secure connection to .* failed .*CERTIFICATE_VERIFY_FAILED"):
        send_email(ctx, host=starttls.host, port=starttls.port, **common)
    send_email(ctx, host=starttls.host, port=starttls.port, verify_tls=False, **common)
    send_email(ctx, host=implicit.host, port=implicit.port, security="tls", verify_tls=False, **common)
    assert len(starttls.received) == 1 and len(implicit.received) == 1
    with pytest.raises(StepError, match=r"does not support this \(SMTP AUTH extension not supported"):
        send_email(ctx, host=starttls.host, port=starttls.port, security="none", **common)


def test_email_on_failure_through_engine(tmp_path: Path, smtp_server: SMTPServer) -> None:
    result = run_yaml(
        f"""flowdeck: 1
name: Mail on failure
steps:
  check:
    do: program.run
    with: {{command: [sh, -c, "echo disk almost full; exit 1"]}}
    on_error: mail
  mail:
    do: email.send
    with:
      to: admin@example.org
      sender: robot@example.org
      subject: "Check failed: {{{{ error.message }}}}"
      body: "{{{{ error.details.stdout }}}}"
      host: 127.0.0.1
      port: {smtp_server.port}
      security: none
      username: {SMTP_USER}
      secret: smtp_pw
""",
        tmp_path,
    )
    assert result.ok, result.error
    msg = smtp_server.received[0].message
    assert msg["Subject"] == "Check failed: 'sh' exited with code 1: disk almost full"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "disk almost full\n"


def test_cancel_while_the_server_is_silent(ctx: Ctx) -> None:
    """A server that accepts the connection but never greets: cancelling ends the step at once."""
    import socket
    import threading
    import time

    from engine.errors import Cancelled

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        threading.Timer(0.3, ctx.cancel_event.set).start()
        started = time.monotonic()
        with pytest.raises(Cancelled):
            send_email(ctx, to="a@b.c", subject="x", sender="a@b.c", host="127.0.0.1",
                       port=silent.getsockname()[1], security="none", timeout="60s")  # fmt: skip
        assert time.monotonic() - started < 10
