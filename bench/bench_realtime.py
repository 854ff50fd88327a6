"""Benchmark a note's round trip through kt-workshop's real-time path, against a bare echo.

Run by hand (not by pytest), from the repository:

    .venv/bin/python bench/bench_realtime.py            # about 4 minutes
    .venv/bin/python bench/bench_realtime.py --quick    # fewer notes, for a smoke run

For 65 and for 300 connected clients it starts a server, connects the clients and has the
tablets send notes, one at a time each, at about 10 notes per second in all (a busy café:
real tablets send far fewer). It measures, per note:

- ack: from emitting `note_op` to its acknowledgement at the sender;
- projector: from emitting `note_op` to the `change` broadcast arriving at a separate
  "projector" client.

The same runs go against `kt-workshop serve` (a real process on a prepared database: the
round is on, one moderator link per table) and against bench/echo_server.py, a bare
python-socketio server on the same stack that only broadcasts and acknowledges. The target
is kt-workshop's p99 within 2x of the echo's. It also reads the kt-workshop server's memory
(VmRSS in /proc/<pid>/status) with 300 clients connected.

Who is connected: the tablets (13 of 65, 30 of 300: one per table) and the projector are
python-socketio clients in this process; every other client is a viewer that follows the
workshop's notes (an analyst link, so it is in the room that receives every note) and is
held by a small asyncio Engine.IO client in a second process, so 300 connections cost little
here. Results go to docs/realtime-benchmark.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOC = ROOT / "docs" / "realtime-benchmark.md"
HAND_NOTES = "<!-- Written by hand below this line; bench_realtime.py keeps it. -->"
RATE = 10.0  # notes per second, all tablets together
WARM_UP = 10  # first notes of a run, not counted
NOTES_PER_RUN = 150  # notes timed per run
REPEATS = 2  # runs per configuration, pooled
QUIET = 10.0  # % of the machine other work may take during a run that counts
TIME_BUDGET = 300  # seconds after which no run is tried again


# The viewers: many cheap connections in a second process -------------------------------------


async def hold_viewer(host, port, auth, stop, counts, gate):
    """One Engine.IO v4 WebSocket connection that joins with `auth` and answers pings."""
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import (
        CloseConnection,
        Ping,
        RejectConnection,
        Request,
        TextMessage,
    )

    for attempt in range(6):
        try:
            async with gate:
                reader, writer = await asyncio.open_connection(host, port)
                ws = WSConnection(ConnectionType.CLIENT)
                target = "/socket.io/?EIO=4&transport=websocket"
                writer.write(ws.send(Request(host=f"{host}:{port}", target=target)))
                joined = False
                buffer = ""
                while not joined:
                    data = await asyncio.wait_for(reader.read(65536), 15)
                    if not data:
                        raise ConnectionError("closed during the handshake")
                    ws.receive_data(data)
                    for event in ws.events():
                        if isinstance(event, RejectConnection):
                            raise ConnectionError("upgrade refused")
                        if isinstance(event, TextMessage):
                            buffer += event.data
                            if not event.message_finished:
                                continue
                            message, buffer = buffer, ""
                            if message.startswith("0"):  # Engine.IO open: join the namespace
                                writer.write(ws.send(TextMessage(data="40" + json.dumps(auth))))
                            elif message.startswith("40"):
                                joined = True
                            elif message.startswith("44"):
                                raise ConnectionError(f"refused: {message}")
                            elif message == "2":
                                writer.write(ws.send(TextMessage(data="3")))
                await writer.drain()
            break
        except (TimeoutError, OSError, ConnectionError):
            await asyncio.sleep(0.2 * (attempt + 1))
    else:
        counts["failed"] += 1
        return
    counts["connected"] += 1
    try:
        while not stop.is_set():
            data = await reader.read(65536)
            if not data:
                break
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, TextMessage):
                    buffer += event.data
                    if not event.message_finished:
                        continue
                    message, buffer = buffer, ""
                    counts["messages"] += 1
                    if message == "2":  # ping: answer, or the server drops us
                        writer.write(ws.send(TextMessage(data="3")))
                elif isinstance(event, Ping):
                    writer.write(ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    return
            await writer.drain()
    finally:
        counts["connected"] -= 1
        writer.close()


async def viewers_main(host, port, tokens):
    """Connect every viewer, say `ready`, and hold the connections until stdin closes."""
    stop = asyncio.Event()
    counts = {"connected": 0, "failed": 0, "messages": 0}
    gate = asyncio.Semaphore(20)
    tasks = [
        asyncio.create_task(hold_viewer(host, port, {"token": token}, stop, counts, gate))
        for token in tokens
    ]
    deadline = time.monotonic() + 120
    while counts["connected"] + counts["failed"] < len(tokens) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(f"ready {counts['connected']} {counts['failed']}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    print(f"messages {counts['messages']}", flush=True)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class Viewers:
    """The viewers' process: start, wait until connected, stop."""

    def __init__(self, port: int, tokens: list[str]):
        self.count = len(tokens)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--viewers", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.process.stdin.write(json.dumps(tokens) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline().split()
        if not line or line[0] != "ready" or int(line[1]) != self.count:
            self.stop()
            raise RuntimeError(f"viewers did not all connect: {line}")

    def stop(self) -> int:
        """Close the connections; return how many messages the viewers received."""
        try:
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline().split()
            self.process.wait(timeout=20)
            return int(line[1]) if line else 0
        except Exception:
            self.process.kill()
            return 0


# The servers ----------------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def process_jiffies(pid: int) -> int:
    """CPU time a process has used (user + system, all its threads), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def machine_jiffies() -> tuple[int, int, int]:
    """Busy, steal and total clock ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
    return user + nice + system + irq + softirq, steal, sum(values[:8])


class LoadMeter:
    """How busy the machine was with other work than this benchmark's processes."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.start = (machine_jiffies(), sum(process_jiffies(pid) for pid in pids))

    def stop(self) -> dict:
        (busy0, steal0, total0), ours0 = self.start
        busy1, steal1, total1 = machine_jiffies()
        ours1 = sum(process_jiffies(pid) for pid in self.pids)
        total = max(1, total1 - total0)
        return {
            "ours_load": 100 * (ours1 - ours0) / total,
            "other_load": 100 * max(0, (busy1 - busy0) - (ours1 - ours0)) / total,
            "steal": 100 * (steal1 - steal0) / total,
        }


def wait_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped at once")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


NODELAY_LAUNCH = (
    f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); "
    "from echo_server import set_nodelay; set_nodelay(); "
    "import runpy; runpy.run_module('kt_workshop', run_name='__main__')"
)


class KtServer:
    """kt-workshop serve on a prepared database: tables with moderator links, analyst links."""

    def __init__(self, folder: Path, tablets: int, viewers: int, nodelay: bool = False):
        from tests.live_harness import ServerProcess, prepare_database

        self.name = "kt-workshop" + (" + TCP_NODELAY" if nodelay else "")
        self.setup = prepare_database(folder, tablets, viewers=viewers)
        # With nodelay: the same app, with TCP_NODELAY set on accepted connections at launch
        # (what the suggested fix would do); the app's code is not changed.
        python_args = ["-c", NODELAY_LAUNCH] if nodelay else None
        self.server = ServerProcess(folder, self.setup["db_path"], python_args=python_args)
        self.server.start()
        self.url, self.pid = self.server.url, self.server.pid
        self.port = self.server.port

    def tablet(self, index: int) -> tuple[dict, dict]:
        """The auth dict and the note fields of a tablet."""
        cell = {"round_id": self.setup["round_id"], "table_id": self.setup["table_ids"][index]}
        return {"token": self.setup["tokens"][index]}, cell

    def viewer_tokens(self) -> list[str]:
        return self.setup["viewer_tokens"]

    def stop(self) -> None:
        self.server.stop()


class EchoServer:
    """bench/echo_server.py on a free port."""

    def __init__(self, folder: Path, tablets: int, viewers: int, nodelay: bool = False):
        from tests.live_harness import free_port

        self.name = "bare echo" + (" + TCP_NODELAY" if nodelay else "")
        self.viewers = viewers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, str(ROOT / "bench" / "echo_server.py"), "--port", str(self.port)]
        if nodelay:
            command.append("--nodelay")
        self.log = open(folder / "echo.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        wait_listening(self.port, self.process)
        self.pid = self.process.pid

    def tablet(self, index: int) -> tuple[dict, dict]:
        return {"token": f"tablet-{index}"}, {"round_id": 1, "table_id": index + 1}

    def viewer_tokens(self) -> list[str]:
        return [f"viewer-{n}" for n in range(self.viewers)]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# One run ----------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def run(server_class, clients: int, tablets: int, notes: int, **options) -> dict:
    """Connect `clients` clients (tablets, one projector, viewers) and time `notes` notes."""
    from tests.live_harness import InOrderClient, hang_up, new_id

    viewers = clients - tablets - 1
    folder = Path(tempfile.mkdtemp(prefix="kt-bench-"))
    server = server_class(folder, tablets, viewers + 1, **options)
    result = {"server": server.name, "clients": clients, "tablets": tablets}
    connections = []
    audience = None
    try:
        result["rss_idle_mib"] = rss_kib(server.pid) / 1024
        tokens = server.viewer_tokens()
        projector_token, viewer_tokens = tokens[0], tokens[1:]
        started = time.monotonic()
        audience = Viewers(server.port, viewer_tokens)
        arrived: dict[str, float] = {}

        def on_change(change):
            payload = change.get("payload") or {}
            if change.get("kind") == "note" and "uid" in payload:
                arrived.setdefault(payload["uid"], time.perf_counter())

        projector = InOrderClient(reconnection=False)
        projector.on("change", on_change)
        projector.connect(server.url, auth={"token": projector_token}, transports=["websocket"])
        connections.append(projector)
        senders = []
        for index in range(tablets):
            auth, cell = server.tablet(index)
            client = InOrderClient(reconnection=False)
            client.connect(server.url, auth=auth, transports=["websocket"])
            connections.append(client)
            senders.append((client, cell))
        result["connect_seconds"] = time.monotonic() - started
        time.sleep(1)
        result["rss_connected_mib"] = rss_kib(server.pid) / 1024

        sent: dict[str, float] = {}
        acks: list[tuple[str, float]] = []
        failures: list = []
        left = [notes + WARM_UP]
        lock = threading.Lock()
        done = threading.Event()

        def tablet(client, cell, seed):
            rng = random.Random(seed)
            while not done.wait(rng.expovariate(RATE / tablets)):
                with lock:
                    if left[0] <= 0:
                        done.set()
                        return
                    left[0] -= 1
                uid = new_id()
                op = {"op_id": new_id(), "type": "add", "uid": uid, **cell, "kind": "idea"}
                op.update(text=f"benchmark note {uid[:8]}", starred=False)
                begun = time.perf_counter()
                sent[uid] = begun
                try:
                    reply = client.call("note_op", op, timeout=30)
                except Exception as error:
                    failures.append(repr(error))
                    continue
                took = time.perf_counter() - begun
                if not reply.get("ok"):
                    failures.append(reply)
                    continue
                with lock:
                    acks.append((uid, took))

        threads = [
            threading.Thread(target=tablet, args=(client, cell, n), daemon=True)
            for n, (client, cell) in enumerate(senders)
        ]
        sending = time.monotonic()
        meter = LoadMeter([server.pid, audience.process.pid, os.getpid()])
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(notes / RATE * 4 + 60)
        deadline = time.monotonic() + 30
        while len(arrived) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        result["seconds"] = time.monotonic() - sending
        result.update(meter.stop())
        result["rss_after_mib"] = rss_kib(server.pid) / 1024
        ordered = sorted(acks, key=lambda item: sent[item[0]])[WARM_UP:]
        ack_ms = [took * 1000 for _uid, took in ordered]
        projector_ms = [
            (arrived[uid] - sent[uid]) * 1000 for uid, _took in ordered if uid in arrived
        ]
        result["sent_at"] = [sent[uid] - sending for uid, _took in ordered]
        result.update(
            ack_ms=ack_ms,
            projector_ms=projector_ms,
            failures=len(failures),
            lost_at_projector=len(ordered) - len(projector_ms),
        )
        result.update(summarise(ack_ms, projector_ms))
        if failures:
            result["first_failure"] = str(failures[0])[:200]
    finally:
        closing = [hang_up(client) for client in connections]
        for thread in closing:
            thread.join(5)
        if audience is not None:
            result["viewer_messages"] = audience.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def summarise(ack_ms: list[float], projector_ms: list[float]) -> dict:
    """Percentiles of the two measures, in milliseconds."""
    return {
        "notes": len(ack_ms),
        "ack_p50": percentile(ack_ms, 0.5),
        "ack_p99": percentile(ack_ms, 0.99),
        "projector_p50": percentile(projector_ms, 0.5),
        "projector_p99": percentile(projector_ms, 0.99),
    }


def disturbance(run: dict) -> float:
    """Share of the machine other work took during a run (other processes + steal), in %."""
    return run["other_load"] + run["steal"]


def pool(runs: list[dict]) -> dict:
    """One row from repeated runs of a configuration: the notes of its quiet runs pooled.

    A run is quiet when other work took at most QUIET % of the machine; when none was, every
    run counts and the row is marked disturbed.
    """
    counted = [run for run in runs if disturbance(run) <= QUIET] or runs
    ack_ms = [value for run in counted for value in run["ack_ms"]]
    projector_ms = [value for run in counted for value in run["projector_ms"]]
    row = {key: runs[0][key] for key in ("server", "clients", "tablets")}
    row.update(summarise(ack_ms, projector_ms))
    row["disturbed"] = all(disturbance(run) > QUIET for run in runs)
    row["runs"] = [
        {
            "ack_p99": run["ack_p99"],
            "projector_p99": run["projector_p99"],
            "load": disturbance(run),
            "counted": run in counted,
        }
        for run in runs
    ]
    for key in ("rss_idle_mib", "rss_connected_mib", "rss_after_mib"):
        row[key] = max(run[key] for run in runs)
    for key in ("failures", "lost_at_projector"):
        row[key] = sum(run[key] for run in runs)
    failures = [run["first_failure"] for run in runs if "first_failure" in run]
    if failures:
        row["first_failure"] = failures[0]
    return row


# Report -----------------------------------------------------------------------------------------


def machine_facts() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "versions": ", ".join(
            f"{name} {version(name)}"
            for name in (
                "Flask-SocketIO",
                "python-socketio",
                "python-engineio",
                "simple-websocket",
                "websocket-client",
                "Werkzeug",
            )
        ),
    }


def table(results: list[dict]) -> str:
    lines = [
        "| server | clients (tablets) | notes | ack p50 | ack p99 | projector p50 | "
        "projector p99 | server RSS, clients connected | runs: ack p99 / projector p99 "
        "(other load) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        runs = "; ".join(
            f"{'' if run['counted'] else '~~'}{run['ack_p99']:.0f} / {run['projector_p99']:.0f} ms "
            f"({run['load']:.0f} %){'' if run['counted'] else '~~'}"
            for run in r["runs"]
        )
        mark = " (disturbed)" if r["disturbed"] else ""
        lines.append(
            f"| {r['server']}{mark} | {r['clients']} ({r['tablets']}) | {r['notes']} | "
            f"{r['ack_p50']:.1f} ms | {r['ack_p99']:.1f} ms | "
            f"{r['projector_p50']:.1f} ms | {r['projector_p99']:.1f} ms | "
            f"{r['rss_connected_mib']:.0f} MiB | {runs} |"
        )
    return "\n".join(lines)


def find(results: list[dict], server: str, clients: int) -> dict | None:
    return next((r for r in results if r["server"] == server and r["clients"] == clients), None)


def verdicts(results: list[dict]) -> list[str]:
    """kt-workshop's p99 against the bare echo's, per client count."""
    found = []
    for clients in sorted({r["clients"] for r in results}):
        kt, echo = find(results, "kt-workshop", clients), find(results, "bare echo", clients)
        if not kt or not echo:
            continue
        for measure in ("ack", "projector"):
            ratio = kt[f"{measure}_p99"] / echo[f"{measure}_p99"]
            verdict = "within" if ratio <= 2 else "NOT within"
            found.append(
                f"- {clients} clients, {measure} p99: kt-workshop {kt[f'{measure}_p99']:.1f} ms, "
                f"echo {echo[f'{measure}_p99']:.1f} ms: {ratio:.2f}x ({verdict} the 2x target)"
            )
    return found


def write_doc(results: list[dict], facts: dict, notes: int) -> None:
    kt300 = find(results, "kt-workshop", 300)
    memory = (
        f"Memory: kt-workshop's server process with 300 clients connected holds "
        f"**{kt300['rss_connected_mib']:.0f} MiB** resident (VmRSS from /proc/<pid>/status; "
        f"{kt300['rss_idle_mib']:.0f} MiB before any client connected, "
        f"{kt300['rss_after_mib']:.0f} MiB after the notes). "
        if kt300
        else ""
    )
    echo300 = find(results, "bare echo", 300)
    if echo300:
        memory += f"The bare echo with 300 clients: {echo300['rss_connected_mib']:.0f} MiB."
    problems = [
        f"- {r['server']}, {r['clients']} clients: {r['failures']} notes failed "
        f"({r.get('first_failure', '')}), {r['lost_at_projector']} not seen by the projector"
        for r in results
        if r["failures"] or r["lost_at_projector"]
    ]
    delivered = "\n".join(problems) or "Every note was acknowledged and reached the projector."
    text = f"""# Real-time benchmark: a note's round trip

Made by `bench/bench_realtime.py` (run by hand: `.venv/bin/python bench/bench_realtime.py`,
about four minutes). Each run: one server process, the clients connected, the tablets sending
notes one at a time each, about {RATE:.0f} notes per second in all (exponential gaps), {notes}
notes timed after {WARM_UP} warm-up notes. The main configurations ran {REPEATS} times, taking
turns with each other; the notes of their quiet runs are pooled (see the last paragraph).

- **ack**: from emitting `note_op` at a tablet to its acknowledgement at that tablet.
- **projector**: from emitting `note_op` to the `change` broadcast arriving at a separate
  projector client.
- **kt-workshop**: `python -m kt_workshop serve` on a prepared SQLite database (WAL): the
  note is checked (grant, rate limit, cell), stored with its operation and change-log row in
  one transaction, broadcast to the staff room, then acknowledged.
- **bare echo**: `bench/echo_server.py`, python-socketio on the same stack (threading mode,
  simple-websocket, Werkzeug's threaded server, `async_handlers=False`), which only
  broadcasts the payload to one room and acknowledges it, in the same order.
- **+ TCP_NODELAY**: the same server with `TCP_NODELAY` set on every accepted connection
  (for kt-workshop by the benchmark at launch; the app does not set it).

Clients: the tablets (one per table) and the projector are python-socketio clients in the
benchmark's process; the other clients are viewers that receive every note (analyst links, so
in the staff room; a participant's phone would not get notes) held by a small asyncio
Engine.IO client in a second process. Everything runs on the one machine below, so the clients'
own work is in the figures, for both servers alike.

## Results

{table(results)}

{chr(10).join(verdicts(results))}

{memory}

{delivered}

## Machine

- date: {facts["date"]}
- nproc: {facts["nproc"]} ({facts["cpu"]})
- Python {facts["python"]} on {facts["system"]}
- {facts["versions"]}

## Reading the figures

- Neither server sets `TCP_NODELAY` (Werkzeug does not), and both send the `change`
  broadcast, the sender included, before the acknowledgement. The acknowledgement is then a
  second small write that Nagle's algorithm holds until the client acknowledges the first
  (delayed ACK, up to about 40 ms on Linux). Compare the `+ TCP_NODELAY` rows.
- The fan-out is the cost that grows: every note is one WebSocket write per client in the
  room, made in the handler's thread.
- p99 from a few hundred notes is the third- or fourth-slowest note: a pause of the machine
  moves it. The last column shows each run: "other load" is the share of the machine's CPU
  (100 % = all cores) that processes other than the server, the viewers and the benchmark
  took during the run, plus time stolen by the hypervisor. Only runs with at most {QUIET:.0f} %
  count (struck-out runs do not); a configuration with no such run is retried once or twice,
  and marked "disturbed" if it never got one.
"""
    # Notes written by hand below the marker survive a new run.
    kept = ""
    if DOC.exists() and HAND_NOTES in DOC.read_text("utf-8"):
        kept = DOC.read_text("utf-8").split(HAND_NOTES, 1)[1]
    DOC.write_text(text + "\n" + HAND_NOTES + kept, "utf-8")


def missing_clients() -> str:
    """The client libraries (from the test extra, not pytest) that are not installed."""
    import importlib.util

    needed = {"websocket": "websocket-client", "requests": "requests"}
    absent = [name for module, name in needed.items() if importlib.util.find_spec(module) is None]
    return ", ".join(absent)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer notes, for a smoke run")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument("--raw", help="also write every run's timings to this JSON file")
    parser.add_argument("--viewers", type=int, help=argparse.SUPPRESS)  # the viewers' process
    args = parser.parse_args(argv)
    missing = missing_clients()
    if missing:
        print(
            f"bench_realtime.py drives real Socket.IO clients, which need {missing}: install the "
            "test extra once (`python run.py test`, or `.venv/bin/pip install -e .[test]`).",
            file=sys.stderr,
        )
        return 1
    if args.viewers:
        tokens = json.loads(sys.stdin.readline())
        asyncio.run(viewers_main("127.0.0.1", args.viewers, tokens))
        return 0
    notes = 40 if args.quick else NOTES_PER_RUN
    # (server, clients, tablets, options, runs): kt-workshop and the echo take turns, so a
    # disturbance on the machine hits both alike.
    plan = [
        (KtServer, 65, 13, {}, REPEATS),
        (EchoServer, 65, 13, {}, REPEATS),
        (KtServer, 300, 30, {}, REPEATS),
        (EchoServer, 300, 30, {}, REPEATS),
        (EchoServer, 65, 13, {"nodelay": True}, 1),
        (KtServer, 65, 13, {"nodelay": True}, 1),
    ]
    runs: dict[int, list[dict]] = {n: [] for n in range(len(plan))}
    started = time.monotonic()

    def one(n: int) -> None:
        server_class, clients, tablets, options, _times = plan[n]
        result = run(server_class, clients, tablets, notes, **options)
        runs[n].append(result)
        print(
            f"{result['server']:<26} {clients:>3} clients: ack p50 {result['ack_p50']:6.1f} "
            f"p99 {result['ack_p99']:6.1f} ms | projector p50 {result['projector_p50']:6.1f} "
            f"p99 {result['projector_p99']:6.1f} ms | RSS {result['rss_connected_mib']:.0f} "
            f"MiB | {result['notes']} notes, {result['failures']} failed, "
            f"{result['lost_at_projector']} unseen | load: ours {result['ours_load']:.0f} %, "
            f"other {result['other_load']:.0f} %, steal {result['steal']:.0f} % | "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )

    for repeat in range(REPEATS):
        for n, (_server, _clients, _tablets, _options, times) in enumerate(plan):
            if repeat < times:
                one(n)
    # A configuration with no quiet run gets another try while the time allows.
    for _round in range(2):
        for n in range(len(plan)):
            quiet = any(disturbance(run) <= QUIET for run in runs[n])
            if not quiet and time.monotonic() - started < TIME_BUDGET:
                one(n)
    results = [pool(runs[n]) for n in range(len(plan))]
    if args.raw:
        raw = {f"{r[0]['server']} {r[0]['clients']}": r for r in runs.values()}
        Path(args.raw).write_text(json.dumps(raw, default=str), "utf-8")
    print()
    print(table(results))
    print("\n".join(verdicts(results)))
    if not args.no_doc:
        write_doc(results, machine_facts(), notes)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
