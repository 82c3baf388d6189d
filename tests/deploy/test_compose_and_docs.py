"""What an operator deploys from: the compose files, the Dockerfile's stages and the README's lists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


def test_the_bot_service_is_health_checked_and_reachable() -> None:
    bot = compose()["services"]["bot"]
    assert bot["healthcheck"]["test"] == ["CMD", "debrief", "health", "--ready"]
    assert "${SLACK_HTTP_PORT:-3000}:${SLACK_HTTP_PORT:-3000}" in bot["ports"], "HTTP mode needs its port"
    assert any(p.endswith(":8080") and p.startswith("127.0.0.1:") for p in bot["ports"])
    assert bot["environment"]["DEBRIEF_HEALTH_PORT"] == "8080"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    grace = int(str(bot["stop_grace_period"]).rstrip("s"))
    assert grace > 5, "debrief stops within 5 seconds; the grace period must be longer"


def test_the_fake_slack_trial_builds_a_stage_the_dockerfile_has() -> None:
    stages = re.findall(r"^FROM \S+ AS (\S+)$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    trial = compose("docker-compose.fake-slack.yml")["services"]
    assert trial["fake-slack"]["build"]["target"] in stages
    assert trial["bot"]["environment"]["SLACK_API_URL"].startswith("http://fake-slack:8090/")
    tokens = (ROOT / trial["bot"]["env_file"]).read_text()
    assert "SLACK_BOT_TOKEN=xoxb-fake-" in tokens and "SLACK_APP_TOKEN=xapp-fake-" in tokens
    assert (
        "docker compose -f docker-compose.yml -f docker-compose.fake-slack.yml up" in (ROOT / "README.md").read_text()
    )


def test_readme_lists_every_discord_permission_the_bot_uses() -> None:
    readme = (ROOT / "README.md").read_text()
    for permission in (
        "View Channels",
        "Send Messages",
        "Send Messages in Threads",
        "Create Public Threads",
        "Create Private Threads",
        "Embed Links",
        "Attach Files",
        "Add Reactions",
        "Read Message History",
    ):
        assert permission in readme, permission


def test_env_example_lists_every_setting() -> None:
    from bot.app.settings import Settings, env_name

    example = (ROOT / ".env.example").read_text()
    for field in Settings.model_fields:
        assert re.search(rf"^{env_name(field)}=", example, flags=re.MULTILINE), env_name(field)


def test_the_slack_manifest_subscribes_to_every_event_the_app_listens_for() -> None:
    manifest = compose("slack-app-manifest.yml")
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    listened = set(re.findall(r'bolt\.event\("([a-z_]+)"\)', (ROOT / "handlers/slack/listeners.py").read_text()))
    assert listened >= {"message", "app_home_opened", "member_joined_channel"}
    wanted = {f"message.{kind}" for kind in ("channels", "groups", "im")} | (listened - {"message"})
    assert wanted <= events, wanted - events
    # member_joined_channel arrives only with the read scopes of the channels it happens in
    assert {"channels:read", "groups:read", "channels:history", "groups:history", "im:history"} <= scopes


def test_the_install_flow_asks_for_the_manifest_scopes_and_hears_uninstalls() -> None:
    from handlers.slack.server import BOT_SCOPES

    manifest = compose("slack-app-manifest.yml")
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert {"app_uninstalled", "tokens_revoked"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert "/slack/oauth_redirect" in (ROOT / "slack-app-manifest.yml").read_text()
