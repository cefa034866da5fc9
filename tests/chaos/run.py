"""``scripts/chaos``: a real network under faults must still converge, exactly.

Starts a Pays directory and N village nodes as real processes on loopback (initialised, joined
and admitted through the real command lines), drives a seeded random workload through each
node's service layer while killing, stopping and cutting off processes at random moments, then
stops the faults and waits (bounded) until the directory holds exactly what every node shares.
Exit status 0 only if it does; every difference is printed.
"""

from __future__ import annotations

import argparse
import atexit
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from flask import Flask

from communes import find
from node import create_app
from tests.chaos.convergence import Verdict, compare
from tests.chaos.processes import Supervised, join_and_admit, terminate, wait_answering
from tests.chaos.workload import Markers, VillageWorkload
from tests.federation_e2e.conftest import NodeProcess
from tests.federation_e2e.pays import DirectoryProcess

VILLAGES = (("sparsbach", "Sparsbach", "67475"),
            ("westhouse-marmoutier", "Westhouse-Marmoutier", "67527"),
            ("saverne", "Saverne", "67437"), ("dettwiller", "Dettwiller", "67089"),
            ("marmoutier", "Marmoutier", "67283"), ("phalsbourg", "Phalsbourg", "57540"))
# Short intervals so that convergence is quick (seconds, not the production minutes).
NODE_SETTINGS = {"FEDERATION_PUSH_INTERVAL": "0.5", "FEDERATION_PUSH_LEASE": "3",
                 "FEDERATION_NETWORK_INTERVAL": "3600", "MAIL_BACKEND": "file"}
DIRECTORY_SETTINGS = {"FEDERATION_PULL_INTERVAL": "1"}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--faults", type=int, default=30, help="faults to inject (30)")
    parser.add_argument("--nodes", type=int, default=3, help="village nodes, 3 or more (3)")
    parser.add_argument("--interval", type=float, nargs=2, default=None, metavar=("MIN", "MAX"),
                        help="seconds between faults (default 0.3 1.0, 1 3 if <= 50 faults)")
    parser.add_argument("--ops-per-second", type=float, default=8.0,
                        help="workload operations per second, all nodes together (8)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds allowed to converge once faults stop (120)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", action="store_true", help="print every fault")
    args = parser.parse_args(argv)
    if not 1 <= args.nodes <= len(VILLAGES):
        parser.error(f"--nodes between 1 and {len(VILLAGES)}")
    if args.interval is None:
        args.interval = [1.0, 3.0] if args.faults <= 50 else [0.3, 1.0]
    return args


@dataclass
class Chaos:
    root: Path
    rng: random.Random
    verbose: bool
    pays: DirectoryProcess | None = None
    nodes: list[NodeProcess] = field(default_factory=list)
    servers: list[Supervised] = field(default_factory=list)
    workloads: list[VillageWorkload] = field(default_factory=list)
    markers: Markers = field(default_factory=Markers)
    faults: Counter[str] = field(default_factory=Counter)

    def say(self, text: str) -> None:
        print(text, flush=True)

    # -- the network -----------------------------------------------------------------------

    def build(self, count: int) -> None:
        self.pays = DirectoryProcess(self.root, **DIRECTORY_SETTINGS)
        self.nodes = [NodeProcess(self.root, node_id, **NODE_SETTINGS)
                      for node_id, _, _ in VILLAGES[:count]]
        with ThreadPoolExecutor(count + 1) as pool:
            jobs = [pool.submit(self.pays.init)]
            jobs += [pool.submit(node.init, f"Tiers-lieu de {name}", commune)
                     for node, (_, name, commune) in zip(self.nodes, VILLAGES, strict=False)]
            for job in jobs:
                job.result()
        self.servers = [self._supervised(self.pays.node_id, "directory", self.pays)]
        self.servers += [self._supervised(node.node_id, "node", node) for node in self.nodes]
        for server in self.servers:
            server.start()
        silent = wait_answering(self.servers)
        if silent:
            raise RuntimeError(f"not answering after start: {silent}")
        with ThreadPoolExecutor(count) as pool:
            joins = [pool.submit(join_and_admit, node, self.pays) for node in self.nodes]
            for join in joins:
                join.result()
        for node, (_, _, commune) in zip(self.nodes, VILLAGES, strict=False):
            assert find(commune) is not None, commune
            self.workloads.append(VillageWorkload(node.node_id, self._node_app(node), commune,
                                                  self.markers))

    def _supervised(self, name: str, module: str,
                    process: NodeProcess | DirectoryProcess) -> Supervised:
        env = {**process.env, "CHALEUR_LOG_LEVEL": "WARNING"}
        return Supervised(name, module, process.port, env, process.log)

    @staticmethod
    def _node_app(node: NodeProcess) -> Flask:
        return create_app({"INSTANCE_PATH": str(node.instance), "PUBLIC_URL": node.url,
                           "FEDERATION_ALLOW_PRIVATE": True, "LOG_LEVEL": "WARNING",
                           "MAIL_BACKEND": "file"})

    # -- workload and faults ---------------------------------------------------------------

    def work_for(self, seconds: float, rate: float) -> None:
        """Run workload operations for `seconds`, restarting what is due as it goes."""
        deadline = time.monotonic() + seconds
        while True:
            for server in self.servers:
                server.watch()
            now = time.monotonic()
            if now >= deadline:
                return
            started = now
            self.rng.choice(self.workloads).step(self.rng)
            pause = 1.0 / rate - (time.monotonic() - started)
            if pause > 0:
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))

    def fault(self) -> bool:
        """Hit one process that is not already cut off: SIGKILL or SIGTERM and restart at
        once, or cut it off (stopped either way) for 2 to 8 seconds."""
        up = [server for server in self.servers if server.down_until is None]
        if not up:
            return False  # everything is cut off already: wait for a restart
        target = self.rng.choice(up)
        kind = self.rng.choices(["sigkill", "sigterm", "cut"], weights=[4, 3, 3])[0]
        if kind == "cut":
            sig = self.rng.choice([signal.SIGKILL, signal.SIGTERM])
            outcome = target.kill(sig)
            target.down_until = time.monotonic() + self.rng.uniform(2.0, 8.0)
        else:
            outcome = target.kill(signal.SIGKILL if kind == "sigkill" else signal.SIGTERM)
            target.restart()
        self.faults[kind] += 1
        if self.verbose:
            self.say(f"  fault {sum(self.faults.values())}: {kind} {target.name} ({outcome})")
        return True

    # -- convergence -----------------------------------------------------------------------

    def converge(self, timeout: float) -> tuple[Verdict, float]:
        assert self.pays is not None
        started = time.monotonic()
        silent = wait_answering(self.servers, timeout)
        if silent:
            return Verdict([f"not answering: {name}" for name in silent]), timeout
        directory_app = self.pays.app()
        node_apps = {w.node_id: w.app for w in self.workloads}
        db_path = self.pays.instance / "directory.db"
        verdict = compare(node_apps, directory_app, db_path)
        shown = 0.0
        while not verdict.converged and time.monotonic() - started < timeout:
            if self.verbose and time.monotonic() - shown >= 5:
                shown = time.monotonic()
                kinds = Counter(line.split(":", 1)[0] for line in verdict.differences)
                self.say(f"  converging, {time.monotonic() - started:.0f} s: {dict(kinds)}")
            time.sleep(1.0)
            for server in self.servers:
                server.watch()
            verdict = compare(node_apps, directory_app, db_path)
        return verdict, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    root = Path(tempfile.mkdtemp(prefix="chaleur-chaos-"))
    chaos = Chaos(root, random.Random(seed), args.verbose)

    def cleanup() -> None:
        terminate(chaos.servers)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"chaos: seed {seed}, {args.faults} faults, {args.nodes} nodes, folder {root}",
          flush=True)
    try:
        began = time.monotonic()
        chaos.build(args.nodes)
        chaos.say(f"network up in {time.monotonic() - began:.1f} s "
                  f"(directory {chaos.servers[0].url})")
        chaos.work_for(2.0, args.ops_per_second)
        while sum(chaos.faults.values()) < args.faults:
            chaos.fault()
            chaos.work_for(chaos.rng.uniform(*args.interval), args.ops_per_second)
        faulty = time.monotonic() - began
        verdict, took = chaos.converge(args.timeout)
        return report(chaos, seed, verdict, took, faulty)
    finally:
        cleanup()
        atexit.unregister(cleanup)


def report(chaos: Chaos, seed: int, verdict: Verdict, took: float, faulty: float) -> int:
    done: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for workload in chaos.workloads:
        done.update(workload.done)
        refused.update(workload.refused)
    print(f"seed: {seed}")
    print(f"faults: {sum(chaos.faults.values())} ({dict(sorted(chaos.faults.items()))}) "
          f"over {faulty:.0f} s")
    print(f"restarts: {sum(s.restarts for s in chaos.servers)}; unplanned exits: "
          f"{ {s.name: s.unplanned_exits for s in chaos.servers if s.unplanned_exits} }")
    print(f"workload: {sum(done.values())} operations {dict(sorted(done.items()))}")
    if refused:
        print(f"refused by the services (expected rules): {dict(sorted(refused.items()))}")
    print(f"shared records expected: {verdict.expected}; live in the directory: {verdict.live}; "
          f"markers typed: {len(chaos.markers.issued)}")
    if verdict.converged:
        print(f"CONVERGED in {took:.1f} s after the last fault")
        return 0
    print(f"NOT CONVERGED after {took:.1f} s: {len(verdict.differences)} difference(s)")
    for line in verdict.differences:
        print(f"  {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
