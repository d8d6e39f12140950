"""The deployment files: compose.yaml valid against the Compose specification's schema, and
laid out as the README's "Scaling out" describes (stateless replicas over shared engines)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def test_compose_is_valid_against_the_compose_spec_schema() -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec",
                           str(COMPOSE)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_compose_file_fails_the_same_check(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  api:\n    imagee: cxrag\n")  # a misspelt key
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run([str(checker), "--builtin-schema", "vendor.compose-spec",
                           str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0


def test_replicas_keep_nothing_of_their_own_and_share_every_engine() -> None:
    services = compose()["services"]
    assert set(services) == {"proxy", "api", "worker", "model", "postgres", "redis", "chroma"}
    api = services["api"]
    assert api["deploy"]["replicas"] >= 2 and "ports" not in api and "volumes" not in api
    env = api["environment"]
    assert env["CXRAG_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["CXRAG_DATABASE_URL"]
    assert env["CXRAG_CHROMA__URL"] == "http://chroma:8000"
    assert env["CXRAG_REDIS_URL"].startswith("redis://redis:6379")
    assert env["CXRAG_LLM__BACKEND"] == "remote"
    assert env["CXRAG_LLM__BASE_URL"] == "http://model:8081/v1"
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    worker = services["worker"]
    assert worker["command"] == ["cxrag", "worker"] and "volumes" not in worker
    # The worker reads and writes the same engines as the replicas it takes jobs from.
    assert worker["environment"] == env
    model = services["model"]["command"]
    assert model[:2] == ["cxrag", "model-server"]
    # Secrets come from the operator's .env, never from the file.
    assert "${" in env["CXRAG_LLM__API_KEY"] and "${" in env["CXRAG_API__ADMIN_KEYS"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server api:8080 resolve" in nginx and "proxy_buffering off" in nginx
    assert "X-Forwarded-For $remote_addr" in nginx  # a caller cannot spoof its address


KUBERNETES = ROOT / "deploy" / "kubernetes" / "cxrag.yaml"


def kubernetes() -> dict[tuple[str, str], dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(KUBERNETES.read_text(encoding="utf-8")) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def test_kubernetes_manifests_are_valid_against_the_api_schemas() -> None:
    import kubernetes_validate

    resources = kubernetes()
    assert len(resources) == 8
    for resource in resources.values():  # strict: a misspelt field is an error too
        kubernetes_validate.validate(resource, "1.33", strict=True)
    broken = {**resources[("Deployment", "cxrag-api")], "spec": {"replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.33", strict=True)


def test_kubernetes_pods_hold_no_state_and_are_probed_as_the_readme_says() -> None:
    resources = kubernetes()
    pods = {name: resources[("Deployment", name)]["spec"]["template"]["spec"]
            for name in ("cxrag-api", "cxrag-worker", "cxrag-model")}
    for spec in pods.values():
        assert "volumes" not in spec  # every piece of state is in PostgreSQL, Chroma, Redis
    api = pods["cxrag-api"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pods["cxrag-api"]["terminationGracePeriodSeconds"] > 30  # the reply deadline
    worker = pods["cxrag-worker"]["containers"][0]
    assert worker["args"] == ["cxrag", "worker"]
    # The worker sees the same engines and secrets as the API.
    assert worker["envFrom"] == api["envFrom"]
    config = resources[("ConfigMap", "cxrag-config")]["data"]
    assert config["CXRAG_LLM__BASE_URL"] == "http://cxrag-model:8081/v1"
    assert "CXRAG_DATABASE_URL" not in config  # it carries the password: the Secret's
    assert resources[("HorizontalPodAutoscaler", "cxrag-api")]["spec"]["minReplicas"] >= 2
