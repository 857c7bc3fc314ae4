"""Node-RED 4.x measured with the same measures and the same client as Flowdeck's benchmarks (issue 19).

Run: .venv/bin/python benchmarks/peers/bench_nodered.py [--rounds 5] [--only rate|hook|chain|cron|idle]

Node-RED is installed with npm on demand into benchmarks/peers/.cache (git-ignored; never by the test command),
then started as its own process (`node red.js`, editor off) with a generated flow:
- ``rate``: one POST makes a function node send N messages through one function node (``payload + 1``) to a
  counting one; messages per second from the POST to the answer (Flowdeck: one-step runs per second);
- ``hook``: 8 kept-alive clients POSTing a 200 B JSON body to http-in → http-response (Flowdeck: a webhook's
  202), and to http-in → function → http-response (Flowdeck: ``?wait=1``, the run's result);
- ``chain``: http-in → 2,000 change nodes (JSONata ``payload + 1``) → http-response; per hop (Flowdeck: per
  templated step of a 2,000-step chain);
- ``cron``: 200 inject nodes on one cron second (``* * * * * *``); lateness of each message reaching a function
  node after the whole second (Flowdeck: 200 fires due in the same second);
- ``idle``: PSS and CPU of the Node-RED process with only the http and function flows (no 2,000-node chain),
  20 s idle after 3 s to settle.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _common import PlainServer, keepalive_load, load_average, machine, spread  # noqa: E402

CACHE = HERE / ".cache" / "node-red"
RED = CACHE / "node_modules" / "node-red" / "red.js"
BODY = json.dumps({"event": "motion", "room": "hall", "level": 3, "at": "2026-12-02T21:00:00Z", "tags": ["a", "b"],
                   "device": {"id": "x-17", "battery": 0.82}}).encode()  # fmt: skip
HEAD = {"Content-Type": "application/json"}
CHAIN = 2000


def install() -> None:
    """npm install node-red@4 into the cache folder, once."""
    if RED.exists():
        return
    if shutil.which("npm") is None:
        sys.exit("npm is needed to install Node-RED (benchmarks/peers/.cache)")
    CACHE.mkdir(parents=True, exist_ok=True)
    print("installing Node-RED 4 with npm ...", file=sys.stderr)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "node-red@4"], cwd=CACHE,
                   check=True)  # fmt: skip


def version() -> str:
    return json.loads((RED.parent / "package.json").read_text())["version"]


def _node(nid: str, kind: str, wires: list[str], **props: object) -> dict[str, object]:
    return {"id": nid, "type": kind, "z": "tab", "wires": [wires] if kind != "http response" else [], **props}


def _fn(nid: str, code: str, wires: list[str]) -> dict[str, object]:
    return _node(nid, "function", wires, func=code, outputs=1)


GEN = """const n = Number(msg.req.query.n || 10000);
for (let i = 0; i < n; i++) node.send({payload: i}, false);
node.send({payload: -1, last: true, req: msg.req, res: msg.res}, false);
return null;"""
COUNT = """if (msg.last) { msg.payload = {count: context.get('c') || 0}; context.set('c', 0); return msg; }
context.set('c', (context.get('c') || 0) + 1); return null;"""
LATE = """const l = global.get('late') || []; l.push(Date.now() % 1000); global.set('late', l); return null;"""
READ_LATE = """msg.payload = global.get('late') || []; global.set('late', []); return msg;"""


def flows(cron: bool, small: bool = False) -> list[dict[str, object]]:
    nodes: list[dict[str, object]] = [{"id": "tab", "type": "tab", "label": "bench"}]
    if cron:
        for i in range(200):
            nodes.append(_node(f"inj{i}", "inject", ["late"], crontab="* * * * * *", repeat="", once=False,
                               payload="", payloadType="date", topic=""))  # fmt: skip
        nodes.append(_fn("late", LATE, []))
        nodes += [_node("lin", "http in", ["lread"], url="/late", method="get"), _fn("lread", READ_LATE, ["lout"]),
                  _node("lout", "http response", [], statusCode="", headers={})]  # fmt: skip
        return nodes
    nodes += [
        _node("hin", "http in", ["hout"], url="/hook", method="post"),
        _node("hout", "http response", [], statusCode="202", headers={}),
        _node("win", "http in", ["wfn"], url="/wait", method="post"),
        _fn("wfn", "msg.payload = {status: 'succeeded', outputs: {n: msg.payload.level + 1}}; return msg;", ["wout"]),
        _node("wout", "http response", [], statusCode="200", headers={}),
        _node("rin", "http in", ["gen"], url="/rate", method="post"),
        _fn("gen", GEN, ["work"]),
        _fn("work", "msg.payload = msg.payload + 1; return msg;", ["count"]),
        _fn("count", COUNT, ["rout"]),
        _node("rout", "http response", [], statusCode="", headers={}),
    ]
    if small:  # idle: a few flows, as Flowdeck's idle measure has a few small workflows armed
        return nodes
    nodes.append(_node("cin", "http in", ["c0"], url="/chain", method="post"))
    for i in range(CHAIN):
        rule = {"t": "set", "p": "payload.n", "pt": "msg", "to": "payload.n + 1", "tot": "jsonata"}
        nxt = f"c{i + 1}" if i + 1 < CHAIN else "cout"
        nodes.append(_node(f"c{i}", "change", [nxt], rules=[rule]))
    nodes.append(_node("cout", "http response", [], statusCode="", headers={}))
    return nodes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NodeRed:
    """A Node-RED process with the generated flow, in a temporary user folder."""

    def __init__(self, cron: bool = False, small: bool = False) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        folder = Path(self._tmp.name)
        (folder / "flows.json").write_text(json.dumps(flows(cron, small)))
        (folder / "settings.js").write_text(
            "module.exports = {httpAdminRoot: false, flowFile: 'flows.json', logging: {console: {level: 'warn'}},"
            " functionGlobalContext: {}};\n"
        )
        self.port = _free_port()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(["node", str(RED), "--settings", str(folder / "settings.js"), "--userDir",
                                      str(folder), "--port", str(self.port)], stdout=subprocess.DEVNULL)  # fmt: skip
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        path = "/late" if not Path(self._tmp.name, "flows.json").read_text().count('"/hook"') else "/hook"
        while time.monotonic() < deadline:
            try:
                status, _ = self.call("GET" if path == "/late" else "POST", path, BODY)
                if status in (200, 202):  # its HTTP server answers 404 until the flows have started
                    self.ready = time.perf_counter() - self.started
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("Node-RED did not start within 60 s")

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=HEAD)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._tmp.cleanup()


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rate(red: NodeRed, n: int = 20000) -> float:
    red.call("POST", "/rate?n=1000", b"{}")  # warm
    t0 = time.perf_counter()
    status, text = red.call("POST", f"/rate?n={n}", b"{}")
    took = time.perf_counter() - t0
    assert status == 200 and json.loads(text)["count"] == n, (status, text[:200])
    return n / took


def chain(red: NodeRed) -> float:
    """µs per change-node hop: (the chain's call - an empty http-in → http-response call) / 2,000, median of 5."""
    red.call("POST", "/chain", b'{"n": 0}')
    empty, full = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        red.call("POST", "/hook", BODY)
        empty.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        status, text = red.call("POST", "/chain", b'{"n": 0}')
        full.append(time.perf_counter() - t0)
        assert status == 200 and json.loads(text)["n"] == CHAIN, (status, text[:100])
    return (statistics.median(full) - statistics.median(empty)) / CHAIN * 1e6


def cron(seconds: int = 5) -> dict[str, float]:
    red = NodeRed(cron=True)
    try:
        red.call("GET", "/late")
        time.sleep(seconds)
        _, text = red.call("GET", "/late")
    finally:
        red.close()
    late = sorted(json.loads(text))
    late = [x if x < 900 else 0 for x in late]  # a message just before the second: not late
    return {"p50": statistics.median(late), "p99": late[int(len(late) * 0.99)], "n": len(late)}


def idle(red: NodeRed, seconds: float = 20.0) -> tuple[float, float]:
    time.sleep(3)
    cpu0, t0 = cpu_seconds(red.proc.pid), time.monotonic()
    time.sleep(seconds)
    cpu = (cpu_seconds(red.proc.pid) - cpu0) / (time.monotonic() - t0) * 100
    return pss_mb(red.proc.pid), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("rate", "hook", "chain", "cron", "idle"), action="append")
    args = parser.parse_args()
    only = set(args.only or ("rate", "hook", "chain", "cron", "idle"))
    install()
    print(machine(), f"Node-RED {version()}, Node.js {subprocess.check_output(['node', '--version']).decode().strip()}")
    print(load_average())
    res: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        red = NodeRed()
        try:
            res.setdefault("start", []).append(red.ready)
            if "rate" in only:
                res.setdefault("rate", []).append(rate(red))
            if "hook" in only:
                plain = PlainServer()  # the same-run baseline: the stdlib's server under the same client
                res.setdefault("plain", []).append(keepalive_load(plain.port, "/hook", BODY, HEAD)["rate"])
                plain.close()
                for path, key in (("/hook", "hook"), ("/wait", "wait")):
                    got = keepalive_load(red.port, path, BODY, HEAD)
                    assert got["bad"] == 0, got
                    res.setdefault(key, []).append(got["rate"])
                    res.setdefault(key + "_p50", []).append(got["p50"])
            if "chain" in only:
                res.setdefault("chain", []).append(chain(red))
        finally:
            red.close()
        if "idle" in only:
            small = NodeRed(small=True)
            try:
                pss, cpu = idle(small)
            finally:
                small.close()
            res.setdefault("pss", []).append(pss)
            res.setdefault("idle_cpu", []).append(cpu)
        if "cron" in only:
            got = cron()
            res.setdefault("cron_p50", []).append(got["p50"])
            res.setdefault("cron_p99", []).append(got["p99"])
    names = {"start": ("start to first answer, s", "{:.2f}"), "pss": ("idle PSS, MB", "{:.0f}"),
             "idle_cpu": ("idle CPU, % of one core", "{:.3f}"),
             "rate": ("messages/s through one function node", "{:.0f}"),
             "plain": ("baseline: a plain stdlib HTTP server, same client, calls/s", "{:.0f}"),
             "hook": ("http-in → http-response, 8 kept-alive clients, calls/s", "{:.0f}"),
             "hook_p50": ("  p50 ms", "{:.2f}"), "wait": ("http-in → function → http-response, calls/s", "{:.0f}"),
             "wait_p50": ("  p50 ms", "{:.2f}"), "chain": ("per JSONata change-node hop, µs", "{:.1f}"),
             "cron_p50": ("200 injects on one cron second, p50 ms", "{:.0f}"),
             "cron_p99": ("  p99 ms", "{:.0f}")}  # fmt: skip
    for key, values in res.items():
        label, fmt = names[key]
        print(f"{label}: {spread(values, fmt)}  [{', '.join(fmt.format(v) for v in values)}]")
        if key in ("hook", "wait"):
            ratio = [a / b for a, b in zip(values, res["plain"], strict=True)]
            print(f"  {spread(ratio, '{:.2f}')}x the plain server")
    print(load_average())


if __name__ == "__main__":
    main()
