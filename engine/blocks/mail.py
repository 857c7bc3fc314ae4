"""Send email over SMTP: STARTTLS or TLS, login with a password from the keyring, text or HTML, attachments."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.blocks._common import call_cancellable, duration_param, must_exist, os_errors, paths, text_of
from engine.errors import Cancelled, StepError
from engine.registry import Kind, Output, Param, block
from engine.registry.context import StepContext

SECURITY = ("starttls", "tls", "none")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")
MAX_ATTACHMENTS = 50 * 1024 * 1024  # most mail servers refuse far less; fail early with a clear message


@block(
    "email.send",
    title="Send email",
    category="Messages",
    icon="mail",
    help="Send an email through your mail provider's SMTP server. The password is read from a stored secret "
    "('flowdeck secret set NAME'), never written in the workflow.",
    params=[
        Param("to", Kind.TEXT, required=True, help="Recipient address; several separated by commas."),
        Param("subject", Kind.TEXT, required=True, help="The subject line."),
        Param("body", Kind.MULTILINE, default="", help="The message; may use {{ expressions }}.", main=True),
        Param("html", Kind.BOOL, default=False, help="The body is HTML (a plain-text version is added)."),
        Param("attachments", Kind.LIST, default=[], help="Files to attach, e.g. [report.csv]."),
        Param("cc", Kind.TEXT, default="", help="Copy to; several separated by commas."),
        Param("bcc", Kind.TEXT, default="", help="Blind copy to (not shown to other recipients)."),
        Param("sender", Kind.TEXT, default="", help="From address (default: the user name)."),
        Param("host", Kind.TEXT, required=True, placeholder="smtp.example.com", help="The SMTP server."),
        Param("port", Kind.INTEGER, default=587, minimum=1, maximum=65535, help="587 for STARTTLS, 465 for TLS."),
        Param("security", Kind.CHOICE, default="starttls", choices=SECURITY, help="How the connection is encrypted."),
        Param("username", Kind.TEXT, default="", help="Login name (leave empty for servers without login)."),
        Param("secret", Kind.SECRET, default="", help="Name of the stored secret holding the password."),
        Param("verify_tls", Kind.BOOL, default=True, help="Check the server's certificate."),
        Param("timeout", Kind.DURATION, default="60s", help="Give up when the server is silent this long."),
    ],
    outputs=[Output("recipients", "every address the message went to"), Output("message_id")],
    summary="to",
)
def send_email(
    ctx: StepContext,
    to: Any,
    subject: Any,
    host: str,
    body: Any = "",
    html: bool = False,
    attachments: Any = None,
    cc: Any = "",
    bcc: Any = "",
    sender: str = "",
    port: int = 587,
    security: str = "starttls",
    username: str = "",
    secret: str = "",
    verify_tls: bool = True,
    timeout: Any = "60s",
) -> dict[str, Any]:
    if security not in SECURITY:
        raise StepError(f"security: expected one of {', '.join(SECURITY)}, got {security!r}", kind="value")
    rcpt_to, rcpt_cc, rcpt_bcc = _addresses(to, "to"), _addresses(cc, "cc"), _addresses(bcc, "bcc")
    if not rcpt_to:
        raise StepError("to: give at least one recipient address", kind="value")
    from_addr = _sender(sender, username)
    files = _attachments(ctx, attachments)
    password = ctx.secret(secret) if secret else ""
    if username and not password:
        raise StepError("secret: a login needs the name of the stored secret with the password", kind="value")
    message = _message(from_addr, rcpt_to, rcpt_cc, text_of(subject), text_of(body), html, files)
    everyone = rcpt_to + rcpt_cc + rcpt_bcc
    seconds = duration_param(timeout, "timeout") or 60.0
    where = f"{host}:{port}"

    def deliver() -> None:
        _deliver(str(host), int(port), security, username, password, verify_tls, seconds, message, everyone)

    try:
        call_cancellable(ctx, deliver, "email")
    except (StepError, Cancelled):
        raise
    except Exception as exc:
        raise _explain(exc, where, username, secret) from None
    ctx.log(f"email '{message['Subject']}' sent to {', '.join(everyone)}")
    return {"recipients": everyone, "message_id": message["Message-ID"]}


def _sender(sender: Any, username: str) -> str:
    given = str(sender or "").strip()
    if not given:
        if _ADDRESS.match(username.strip()):
            return username.strip()
        raise StepError("sender: give the From address (the user name is not an email address)", kind="value")
    _addresses(given, "sender")
    return given


def _bare(address: str) -> str:
    """'Ada <ada@example.org>' -> 'ada@example.org'."""
    return address[address.find("<") + 1 : address.rfind(">")].strip() if "<" in address else address


def _addresses(value: Any, what: str) -> list[str]:
    items = value if isinstance(value, list | tuple) else re.split(r"[,;]", str(value or ""))
    found = [str(a).strip() for a in items if str(a).strip()]
    for address in found:
        if not _ADDRESS.match(_bare(address)):
            raise StepError(f"{what}: {address!r} is not an email address", kind="value")
    return found


def _attachments(ctx: StepContext, value: Any) -> list[Path]:
    if value in (None, "", []):
        return []
    files = paths(ctx, value, "attachments")
    total = 0
    for file in files:
        must_exist(file, "attachment")
        if file.is_dir():
            raise StepError(f"attachments: {file} is a folder; zip it first (file.zip)", kind="file")
        total += file.stat().st_size
    if total > MAX_ATTACHMENTS:
        raise StepError(f"attachments: {total:,} bytes in all; too big to email (limit 50 MB)", kind="file")
    return files


def _message(sender: str, to: list[str], cc: list[str], subject: str, body: str, html: bool, files: list[Path]) -> Any:
    import mimetypes
    from email.message import EmailMessage
    from email.utils import make_msgid

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject.replace("\n", " ").strip()
    msg["Message-ID"] = make_msgid(domain=_bare(sender).rsplit("@", 1)[-1])
    if html:
        msg.set_content(_plain(body))
        msg.add_alternative(body, subtype="html")
    else:
        msg.set_content(body)
    for file in files:
        ctype, _ = mimetypes.guess_type(file.name)
        maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
        with os_errors(file):
            data = file.read_bytes()
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=file.name)
    return msg


def _plain(html: str) -> str:
    """A readable plain-text version of an HTML body for mail programs that do not show HTML."""
    import html as htmllib

    text = re.sub(r"(?is)<(script|style).*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</h\d>|</li>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", htmllib.unescape(text)).strip() + "\n"


def _deliver(
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    verify: bool,
    timeout: float,
    message: Any,
    recipients: list[str],
) -> None:
    import smtplib
    import ssl

    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        server.ehlo()
        if security == "starttls":
            server.starttls(context=context)
            server.ehlo()
        if username:
            server.login(username, password)
        server.send_message(message, to_addrs=recipients)


def _explain(exc: Exception, where: str, username: str, secret: str) -> StepError:
    """An SMTP failure in words a person understands."""
    import smtplib
    import socket
    import ssl

    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return StepError(
            f"the mail server {where} refused the login for '{username}' "
            f"(check the user name and the password stored as '{secret}')",
            kind="email",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return StepError(f"the mail server {where} does not support this ({exc}); try another 'security'", "email")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(exc.recipients)
        return StepError(f"the mail server {where} refused the recipients: {refused}", kind="email")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return StepError(f"the mail server {where} refused the sender {exc.sender}: {_reply(exc)}", kind="email")
    if isinstance(exc, smtplib.SMTPResponseException):
        return StepError(f"the mail server {where} said {exc.smtp_code} {_reply(exc)}", kind="email")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return StepError(f"the mail server {where} closed the connection ({exc}); check port and security", "email")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return StepError(f"secure connection to {where} failed ({exc}); check port and security", kind="email")
    if isinstance(exc, ConnectionRefusedError):
        return StepError(f"cannot connect to the mail server {where}: connection refused", kind="email")
    if isinstance(exc, socket.gaierror):
        return StepError(f"cannot find the mail server {where.rsplit(':', 1)[0]} (check the address)", "email")
    if isinstance(exc, TimeoutError | socket.timeout):
        return StepError(f"the mail server {where} did not answer in time", kind="timeout")
    if isinstance(exc, OSError):
        return StepError(f"cannot talk to the mail server {where}: {exc.strerror or exc}", kind="email")
    return StepError(f"sending the email failed: {type(exc).__name__}: {exc}", kind="email")


def _reply(exc: Any) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return " ".join(text.split())
