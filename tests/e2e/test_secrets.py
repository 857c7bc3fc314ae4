"""Secrets on a machine without a keyring: from the environment or a private file, masked like keyring secrets."""

from __future__ import annotations

import json

import pytest

from tests.support import servers
from tests.support.product import Product
from tests.support.ready import rows_when_ready
from tests.support.servers import BEARER_TOKEN, LocalHTTPServer

http_server = servers.http_server  # the fixture: a real HTTP server on 127.0.0.1

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # what a server without one has


CALLS_API = """flowdeck: 1
name: Calls the API
steps:
  call:
    do: http.request
    with: {{url: "{url}/bearer", auth: bearer, secret: api_token}}
    next: say
  say:
    do: log
    with: {{message: "used {{{{ secrets.api_token }}}} for {{{{ steps.call.json.ok }}}}"}}
    next: child
  child:
    do: program.run
    with:
      command:
        - python3
        - -c
        - "import os; print(sorted(k for k in os.environ if 'SECRET' in k),
          '{{{{ env.FLOWDECK_SECRET_API_TOKEN | default('absent') }}}}')"
"""


def _everything(product: Product, done: object) -> str:
    """All a person could read afterwards: the output, and every row of the history database."""
    rows = product.history_rows() + product.history_rows("SELECT * FROM steps")
    return f"{done.stdout}{done.stderr}{json.dumps(rows, default=str)}"  # type: ignore[attr-defined]


@pytest.mark.promise("runtime.md", "Secrets")
def test_a_secret_from_the_environment_is_used_and_masked(product: Product, http_server: LocalHTTPServer) -> None:
    """FLOWDECK_SECRET_<NAME> gives a run secret NAME: the server gets the real value, the output, the --json
    record and the history show •••, and neither `env` nor a program the run starts sees the variable."""
    flow = product.write("api.yaml", CALLS_API.format(url=http_server.url))
    done = product.run("run", str(flow), "--json", env={**NO_KEYRING, "FLOWDECK_SECRET_API_TOKEN": BEARER_TOKEN})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["steps"]["call"]["status"] == 200  # the server accepted the real token
    assert "used ••• for True" in done.stderr
    assert json.loads(done.stdout)["steps"]["child"]["stdout"].strip() == "[] absent"
    assert BEARER_TOKEN not in _everything(product, done)


@pytest.mark.promise("runtime.md", "Secrets")
def test_a_secret_from_a_private_file_is_used_and_masked(product: Product, http_server: LocalHTTPServer) -> None:
    """A file `secrets/NAME` in Flowdeck's config folder, mode 0600, holds secret NAME (its last newline dropped)."""
    secret = product.config / "flowdeck" / "secrets" / "api_token"
    secret.parent.mkdir(parents=True)
    secret.write_text(BEARER_TOKEN + "\n")
    secret.chmod(0o600)
    flow = product.write("api.yaml", CALLS_API.format(url=http_server.url))
    done = product.run("run", str(flow), env=NO_KEYRING)
    assert done.returncode == 0, done.stderr
    assert "used ••• for True" in done.stdout
    assert BEARER_TOKEN not in _everything(product, done)


@pytest.mark.promise("runtime.md", "Secrets")
def test_a_secret_file_others_can_read_is_refused(product: Product, http_server: LocalHTTPServer) -> None:
    """A secret file with permissions for group or others is not used: the step fails and says how to fix it."""
    secret = product.config / "flowdeck" / "secrets" / "api_token"
    secret.parent.mkdir(parents=True)
    secret.write_text(BEARER_TOKEN)
    secret.chmod(0o644)
    flow = product.write("api.yaml", CALLS_API.format(url=http_server.url))
    done = product.run("run", str(flow), env=NO_KEYRING)
    assert done.returncode == 1
    assert (
        f"error in step 'call': secret 'api_token': {secret} can be read by other users (mode 0644); "
        f"make it private with: chmod 600 {secret}"
    ) in done.stderr
    assert http_server.requests == []
    assert "Traceback" not in done.stderr


@pytest.mark.promise("runtime.md", "Secrets")
def test_a_folder_named_by_flowdeck_secrets_dir_is_used(product: Product, http_server: LocalHTTPServer) -> None:
    """FLOWDECK_SECRETS_DIR names another folder of secret files (a container's /run/secrets), used as it is."""
    folder = product.home / "run-secrets"
    folder.mkdir()
    (folder / "api_token").write_text(BEARER_TOKEN)
    (folder / "api_token").chmod(0o444)
    flow = product.write("api.yaml", CALLS_API.format(url=http_server.url))
    done = product.run("run", str(flow), env={**NO_KEYRING, "FLOWDECK_SECRETS_DIR": str(folder)})
    assert done.returncode == 0, done.stderr
    assert "used ••• for True" in done.stdout and BEARER_TOKEN not in _everything(product, done)


@pytest.mark.promise("runtime.md", "Secrets")
def test_a_missing_secret_without_a_keyring_says_where_to_put_it(product: Product) -> None:
    """With no keyring and no variable or file, the step fails naming the secret, the variable and the file."""
    flow = product.write(
        "s.yaml",
        """flowdeck: 1
name: S
steps:
  a: {do: log, with: {message: "{{ secrets['smtp.pw'] }}"}}
""",
    )
    done = product.run("run", str(flow), env=NO_KEYRING)
    assert done.returncode == 1
    expected = (
        "error in step 'a': steps.a.with.message: secret 'smtp.pw' is not set and there is no system keyring on "
        "this machine; set the "
        f"environment variable FLOWDECK_SECRET_SMTP_PW for Flowdeck, or put the value in the file "
        f"{product.config / 'flowdeck' / 'secrets' / 'smtp.pw'} (mode 0600)"
    )
    assert expected in done.stderr, done.stderr


@pytest.mark.promise("runtime.md", "Secrets")
def test_the_daemons_runs_read_its_environment_secrets_masked(product: Product, http_server: LocalHTTPServer) -> None:
    """The daemon's environment gives its runs (in their own processes) the secret; the history shows •••."""
    product.write(
        "api.yaml", CALLS_API.format(url=http_server.url).replace("steps:", "triggers:\n  - startup: {}\nsteps:", 1)
    )
    with product.daemon(env={**NO_KEYRING, "FLOWDECK_SECRET_API_TOKEN": BEARER_TOKEN}) as daemon:
        from tests.support.product import wait_until

        finished = wait_until(lambda: [r for r in rows_when_ready(product) if r["status"] != "running"], timeout=30)
        assert finished, daemon.log
    assert finished[0]["status"] == "succeeded", finished[0]
    assert [r["path"] for r in http_server.requests] == ["/bearer"]
    steps = {s["step"]: s for s in product.history_rows("SELECT * FROM steps")}
    assert "used ••• for True" in steps["say"]["logs"]
    assert json.loads(steps["child"]["output"])["stdout"].strip() == "[] absent"  # the run process had none either
    assert BEARER_TOKEN not in json.dumps(product.history_rows() + list(steps.values()), default=str)
    assert BEARER_TOKEN not in daemon.log


@pytest.mark.promise("runtime.md", "Secrets")
def test_secret_set_without_a_keyring_says_what_to_do_instead(product: Product) -> None:
    """`flowdeck secret set NAME` on a machine with no keyring: one line naming the variable and the file, exit 1,
    before any value is asked for."""
    done = product.run("secret", "set", "api_token", input="never-read\n", env=NO_KEYRING)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "flowdeck secret: there is no system keyring on this machine, so 'api_token' cannot be stored; set the "
        "environment variable FLOWDECK_SECRET_API_TOKEN for Flowdeck, or put the value in the file "
        f"{product.config / 'flowdeck' / 'secrets' / 'api_token'} (mode 0600)\n"
    )
