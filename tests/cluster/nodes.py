"""A real three-master Redis Cluster on free loopback ports, started from redis-server and redis-cli on PATH; the
tests use the masters alone, the scale benchmark gives each master a replica."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis as SyncRedis

MASTERS = 3
# Each node also listens on its port + 10000 (the cluster bus), so ports stay below 55536.
BUS_OFFSET = 10000


def free_cluster_port() -> int:
    """A loopback port that is free, and whose cluster-bus port (+10000) is free too."""
    for _ in range(200):
        port = random.randint(20000, 45000)
        if _free(port) and _free(port + BUS_OFFSET):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class ClusterNode:
    """One node (a master, or a replica of one): its port, its data dir, and the process this run started for it."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """host:port as the cluster names it."""
        return f"127.0.0.1:{self.port}"


@dataclass
class LocalCluster:
    """The nodes of one cluster started by the tests; `url` names the first node."""

    server: str
    cli: str
    nodes: list[ClusterNode] = field(default_factory=list)
    replicas: int = 0  # per master

    @property
    def url(self) -> str:
        """A redis:// URL naming one node (any node serves for discovery)."""
        return f"redis://{self.nodes[0].address}/0"

    def start(self, base: Path) -> None:
        """Start the nodes, join them into one cluster (masters and their replicas) and wait until it serves every
        slot and every replica has synced."""
        for index in range(MASTERS * (1 + self.replicas)):
            folder = base / f"node{index}"
            folder.mkdir()
            self.nodes.append(ClusterNode(free_cluster_port(), folder))
        for node in self.nodes:
            self.start_node(node)
        subprocess.run(
            [
                self.cli,
                "--cluster",
                "create",
                *(n.address for n in self.nodes),
                "--cluster-replicas",
                str(self.replicas),
                "--cluster-yes",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        self.wait_ok()
        self.wait_synced()

    def start_node(self, node: ClusterNode) -> None:
        """Start (or restart) one node's process on its port and data dir, with its append-only file."""
        options = {
            "port": str(node.port),
            "bind": "127.0.0.1",
            "dir": str(node.folder),
            "cluster-enabled": "yes",
            "cluster-config-file": "nodes.conf",
            "cluster-node-timeout": "2000",
            "appendonly": "yes",
            "save": "",
        }
        node.process = subprocess.Popen(
            [self.server, *(part for name, value in options.items() for part in (f"--{name}", value))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers(node):
            if time.monotonic() > deadline or node.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {node.port} did not start")
            time.sleep(0.05)

    def stop_node(self, node: ClusterNode) -> None:
        """Stop one node's process (only the one this cluster started)."""
        if node.process is not None and node.process.poll() is None:
            node.process.terminate()
            node.process.wait(timeout=10)
        node.process = None

    def wait_ok(self, timeout: float = 30) -> None:
        """Wait until every node reports cluster_state:ok."""
        deadline = time.monotonic() + timeout
        while not all(self._state_ok(n) for n in self.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)

    def wait_synced(self, timeout: float = 30) -> None:
        """Wait until every replica's link to its master is up (the first full sync is done)."""
        deadline = time.monotonic() + timeout
        while not all(self._synced(n) for n in self.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("a replica did not sync with its master")
            time.sleep(0.1)

    def masters(self) -> list[ClusterNode]:
        """The nodes that are masters now (a replica promoted by a failover counts), in start order."""
        return [n for n in self.nodes if self._role(n) == "master"]

    def stop(self) -> None:
        """Stop every node this cluster started."""
        for node in self.nodes:
            self.stop_node(node)

    def client(self, node: ClusterNode) -> SyncRedis:
        """A plain client of one node (for CLUSTER and per-node commands)."""
        return SyncRedis(host="127.0.0.1", port=node.port, decode_responses=True, socket_timeout=5)

    def _answers(self, node: ClusterNode) -> bool:
        try:
            with self.client(node) as client:
                return bool(client.ping())
        except Exception:
            return False

    def _role(self, node: ClusterNode) -> str:
        with self.client(node) as client:
            return str(client.execute_command("ROLE")[0])

    def _synced(self, node: ClusterNode) -> bool:
        try:
            with self.client(node) as client:
                replication = client.info("replication")
        except Exception:
            return False
        return bool(replication.get("role") != "slave" or replication.get("master_link_status") == "up")

    def _state_ok(self, node: ClusterNode) -> bool:
        try:
            with self.client(node) as client:
                return "cluster_state:ok" in str(client.execute_command("CLUSTER", "INFO"))
        except Exception:
            return False


def cluster_tools() -> tuple[str, str] | None:
    """redis-server and redis-cli from PATH, or None when either is missing."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    return (server, cli) if server and cli else None
